package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/jwt"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/sqlite"
)

// seedStart is the instant every seeded meeting starts. The seeding clock
// stands there; the benchmark's stands one minute later, inside every
// meeting's window.
var seedStart = time.Date(2030, time.March, 4, 15, 0, 0, 0, time.UTC)

const (
	// sampleSize is how many meetings' credentials are kept for the joins:
	// a uniform sample (reservoir) of all the store's meetings.
	sampleSize = 10000
	// seedWorkers is the number of concurrent CreateMeeting calls while
	// seeding; the store's group commit turns them into large transactions.
	seedWorkers = 512
	// seedDurationMinutes is the duration of every seeded meeting: a day, so
	// that all are open during the run.
	seedDurationMinutes = 24 * 60
	// saveEvery is how often (in meetings) seeding saves its state.
	saveEvery = 10000

	hostEmail = "bench@example.com"
)

// credential is what a participant types to join a seeded meeting.
type credential struct {
	MeetingID string `json:"meeting_id"`
	Passcode  string `json:"passcode"`
}

// seedState is kept in sample.json beside a cached store: how far seeding
// got, and the sample of credentials. A store without it is seeded anew.
type seedState struct {
	Meetings int          `json:"meetings"` // meetings to make
	Made     int          `json:"made"`     // meetings made (and committed)
	Done     bool         `json:"done"`
	Seconds  float64      `json:"seed_seconds"` // time spent seeding, over all runs
	Sample   []credential `json:"sample"`
}

// add counts a new meeting and keeps its credentials with the probability
// that makes Sample a uniform sample of all meetings made (reservoir
// sampling).
func (s *seedState) add(c credential, rng *mrand.Rand) {
	s.Made++
	if len(s.Sample) < sampleSize {
		s.Sample = append(s.Sample, c)
	} else if j := rng.IntN(s.Made); j < sampleSize {
		s.Sample[j] = c
	}
}

func loadState(path string) (*seedState, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s seedState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// save writes s to path atomically.
func (s *seedState) save(path string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// benchStore is what the benchmark needs of a store: admit.Store and the
// audit key both backends take.
type benchStore interface {
	admit.Store
	SetAuditKey(ctx context.Context, key []byte) error
}

// store is an opened, fully seeded store with its key and sample.
type store struct {
	meetings    int
	seedSeconds float64
	db          benchStore
	ring        *keys.Ring
	sample      []credential
	// dsn is the PostgreSQL store's URL (with its schema), for the other
	// nodes' connections; "" for SQLite.
	dsn string
	// dir is the store's cache directory.
	dir string
}

// Close closes the store.
func (s *store) Close() error { return s.db.Close() }

// openStore opens the cached store of n meetings under cache (SQLite), or
// in the schema admit_bench_N of the PostgreSQL database at pgURL with its
// key and sample under cache, seeding it (or finishing an interrupted
// seeding) first. Progress goes to progress; the seeding is profiled as
// startProfile says when profile is set.
func openStore(ctx context.Context, cache, pgURL string, n int, progress io.Writer, profile string) (*store, error) {
	dir := filepath.Join(cache, fmt.Sprintf("meetings-%d", n))
	if pgURL != "" {
		dir = filepath.Join(cache, fmt.Sprintf("postgres-%s-meetings-%d", pgCacheName(pgURL), n))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dbPath, statePath := filepath.Join(dir, "admit.db"), filepath.Join(dir, "sample.json")
	ring, newKey, err := keys.Load(filepath.Join(dir, "admit.key"))
	if err != nil {
		return nil, err
	}
	state, err := loadState(statePath)
	fresh := errors.Is(err, fs.ErrNotExist) || err == nil && (newKey || state.Meetings != n)
	if fresh {
		// Without its sample and key a store is of no use: start again.
		for _, p := range []string{statePath, dbPath, dbPath + "-wal", dbPath + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		state = &seedState{Meetings: n}
	} else if err != nil {
		return nil, err
	}
	var db benchStore
	var dsn string
	if pgURL != "" {
		if dsn, err = pgSchema(ctx, pgURL, fmt.Sprintf("admit_bench_%d", n), fresh); err != nil {
			return nil, err
		}
		db, err = postgres.Open(ctx, dsn)
	} else {
		db, err = sqlite.Open(dbPath)
	}
	if err != nil {
		return nil, err
	}
	// As admit serve does: the audit chain's key, which also chains entries
	// written before the chain existed (once, here, not in a measured phase).
	if err := db.SetAuditKey(ctx, ring.AuditKey()); err != nil {
		db.Close()
		return nil, err
	}
	if !state.Done {
		stop, err := startProfile(profile, n, "seed")
		if err == nil {
			err = errors.Join(seed(ctx, db, ring, state, statePath, progress), stop())
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	return &store{meetings: n, seedSeconds: state.Seconds, db: db, ring: ring, sample: state.Sample, dsn: dsn, dir: dir}, nil
}

// seed makes the meetings state still lacks through the Service, with many
// concurrent callers, saving state every saveEvery meetings so that an
// interrupted seeding resumes (a store may then hold up to seedWorkers more
// meetings than it counts).
func seed(ctx context.Context, db benchStore, ring *keys.Ring, state *seedState, path string, progress io.Writer) error {
	signer, err := jwt.NewSigner(ring.AdmissionKey())
	if err != nil {
		return err
	}
	svc := &app.Service{Store: db, Keys: ring, Signer: signer, Clock: clock.NewFixedClock(seedStart),
		Rand: rand.Reader, Logger: benchLogger(), BaseURL: "http://127.0.0.1:8080"}
	acct, _, err := svc.EnsureDefaultAccount(ctx)
	if err != nil {
		return err
	}
	u, err := db.FindUserByEmail(ctx, hostEmail)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		u, err = svc.CreateUser(ctx, acct.ID, hostEmail, "Bench", admit.RoleOwner)
	}
	if err != nil {
		return err
	}
	host := &admit.Actor{User: u, Source: "admit-bench"}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu        sync.Mutex // guards state and rng
		rng       = mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 1))
		todo      atomic.Int64
		began     = time.Now()
		firstMade = state.Made
		spent     = state.Seconds
	)
	todo.Store(int64(state.Meetings - state.Made))
	fmt.Fprintf(progress, "admit-bench: seeding %d meetings (%d made before) with %d concurrent CreateMeeting calls\n",
		state.Meetings, state.Made, seedWorkers)
	report := func() error {
		el := time.Since(began)
		state.Seconds = spent + el.Seconds()
		rate := float64(state.Made-firstMade) / el.Seconds()
		left := time.Duration(float64(state.Meetings-state.Made)/rate) * time.Second
		fmt.Fprintf(progress, "admit-bench: seeding %d meetings: %d made, %.0f/s, about %s left\n",
			state.Meetings, state.Made, rate, left.Round(time.Second))
		return state.save(path)
	}
	var wg sync.WaitGroup
	for range seedWorkers {
		wg.Go(func() {
			for todo.Add(-1) >= 0 && ctx.Err() == nil {
				v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Kind: ptr(admit.KindScheduled),
					Start: ptr(seedStart), DurationMinutes: ptr(seedDurationMinutes)})
				if err != nil {
					cancel(fmt.Errorf("seeding: create meeting: %w", err))
					return
				}
				mu.Lock()
				state.add(credential{MeetingID: v.MeetingID, Passcode: v.Passcode}, rng)
				var err2 error
				if state.Made%saveEvery == 0 {
					err2 = report()
				}
				mu.Unlock()
				if err2 != nil {
					cancel(err2)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return errors.Join(err, state.save(path))
	}
	state.Done = true
	if err := report(); err != nil {
		return err
	}
	fmt.Fprintf(progress, "admit-bench: seeded %d meetings in %s\n", state.Meetings, time.Duration(state.Seconds*float64(time.Second)).Round(time.Second))
	return nil
}

func ptr[T any](v T) *T { return &v }

// validJoins are joins with a sampled meeting's ID and passcode, answered 200.
func (s *store) validJoins(urls []string) requests {
	bodies := make([][]byte, len(s.sample))
	for i, c := range s.sample {
		bodies[i], _ = json.Marshal(map[string]string{"meeting_id": c.MeetingID, "passcode": c.Passcode, "name": fmt.Sprintf("Bench %d", i)})
	}
	return requests{urls: joinURLs(urls), want: http.StatusOK, body: pick(bodies)}
}

// failedJoins are joins with a sampled meeting's ID and a mistyped passcode
// (its last character changed), refused 403.
func (s *store) failedJoins(urls []string) requests {
	bodies := make([][]byte, len(s.sample))
	for i, c := range s.sample {
		p := []byte(c.Passcode)
		if len(p) == 0 {
			p = []byte("0")
		} else if p[len(p)-1] == '0' {
			p[len(p)-1] = '1'
		} else {
			p[len(p)-1] = '0'
		}
		bodies[i], _ = json.Marshal(map[string]string{"meeting_id": c.MeetingID, "passcode": string(p), "name": fmt.Sprintf("Bench %d", i)})
	}
	return requests{urls: joinURLs(urls), want: http.StatusForbidden, body: pick(bodies)}
}

// joinURLs returns the join endpoint of each server.
func joinURLs(servers []string) []string {
	urls := make([]string, len(servers))
	for i, u := range servers {
		urls[i] = u + "/api/v1/join"
	}
	return urls
}

// pick returns a body chooser drawing uniformly from bodies.
func pick(bodies [][]byte) func(*mrand.Rand) []byte {
	return func(rng *mrand.Rand) []byte { return bodies[rng.IntN(len(bodies))] }
}
