package faults_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/edge"
	admithttp "github.com/admit-project/admit/http"
	"github.com/admit-project/admit/jwt"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/postgres"
)

// t0 is when the test meeting starts; the nodes' clock stands a minute later.
var t0 = time.Date(2030, time.March, 4, 15, 0, 0, 0, time.UTC)

// fixture is a PostgreSQL store with one open meeting.
type fixture struct {
	dsn       string
	ring      *keys.Ring
	db        *postgres.DB // the seeding handle, for checks
	meetingID string
	passcode  string
}

// seed opens the store at dsn and makes an account (its guess budget the
// largest allowed, so that the tests' failed joins do not spend it), a
// host and one open meeting.
func seed(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	ring, _, err := keys.Load(filepath.Join(t.TempDir(), "admit.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SetAuditKey(ctx, ring.AuditKey()); err != nil {
		t.Fatal(err)
	}
	signer, err := jwt.NewSigner(ring.AdmissionKey())
	if err != nil {
		t.Fatal(err)
	}
	svc := &app.Service{Store: db, Keys: ring, Signer: signer, Clock: clock.NewFixedClock(t0), Rand: rand.Reader, Logger: quiet(), BaseURL: "http://127.0.0.1"}
	acct, _, err := svc.EnsureDefaultAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	acct.Security.GuessBudget = admit.MaxGuessBudget
	if err := db.UpdateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, acct.ID, "host@example.com", "Host", admit.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	kind, dur := admit.KindScheduled, 24*60
	v, err := svc.CreateMeeting(ctx, &admit.Actor{User: u, Source: "test"}, &admit.MeetingInput{Kind: &kind, Start: &t0, DurationMinutes: &dur})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dsn: dsn, ring: ring, db: db, meetingID: v.MeetingID, passcode: v.Passcode}
}

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// node is one admit node serving the fixture's store over HTTP.
type node struct {
	url string
	svc *app.Service
}

// looseLimits never refuses: the restart test measures answers, not limits.
func looseLimits() admit.SourcePolicy {
	p := admit.DefaultSourcePolicy()
	p.MaxFailures, p.FreeFailures = math.MaxInt32, math.MaxInt32
	return p
}

// startNode wires a node as `admit serve --db` does on the store at dsn
// (which may go through a proxy): its own store handle, limits in
// PostgreSQL unless limiter is set, the postgres feed, confirmed joins, the
// join deadline, request IDs.
func startNode(t *testing.T, f *fixture, dsn string, limiter func(*postgres.DB) admit.SourceLimiter) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SetAuditKey(ctx, f.ring.AuditKey()); err != nil {
		t.Fatal(err)
	}
	signer, err := jwt.NewSigner(f.ring.AdmissionKey())
	if err != nil {
		t.Fatal(err)
	}
	svc := &app.Service{Store: db, Keys: f.ring, Signer: signer, Clock: clock.NewFixedClock(t0.Add(time.Minute)), Rand: rand.Reader,
		Logger: quiet(), BaseURL: "http://127.0.0.1", Feed: postgres.NewFeed(db), ConfirmJoins: true}
	if limiter != nil {
		svc.Limiter = limiter(db)
	} else {
		svc.Limiter = postgres.NewLimiter(db.Pool(), looseLimits())
	}
	if err := svc.WarmJoinCache(ctx); err != nil {
		t.Fatal(err)
	}
	go svc.FollowChanges(ctx)
	// Loopback is a trusted proxy: a test names its source in
	// X-Forwarded-For.
	trusted, err := edge.ParseTrustedProxies([]string{"127.0.0.1/32"})
	if err != nil {
		t.Fatal(err)
	}
	srv := &admithttp.Server{Service: svc, Logger: quiet(), TrustedProxies: trusted}
	hs := httptest.NewServer(edge.RequestIDs(edge.JoinDeadline(srv.Handler(), 3*time.Second), nil))
	t.Cleanup(hs.Close)
	return &node{url: hs.URL, svc: svc}
}

// answer is one join's answer.
type answer struct {
	status      int
	retryAfter  string
	participant string // the admitted participant's ID
	err         error  // transport error
}

var client = &http.Client{Timeout: 20 * time.Second}

// join posts a join to n from 127.0.0.1.
func join(n *node, meetingID, passcode, name string) answer {
	return joinFrom(n, "", meetingID, passcode, name)
}

// joinFrom posts a join to n from source (X-Forwarded-For; "" for none).
func joinFrom(n *node, source, meetingID, passcode, name string) answer {
	b, _ := json.Marshal(map[string]string{"meeting_id": meetingID, "passcode": passcode, "name": name})
	req, err := http.NewRequest(http.MethodPost, n.url+"/api/v1/join", bytes.NewReader(b))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if source != "" {
		req.Header.Set("X-Forwarded-For", source)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	var body struct {
		Participant struct {
			ID string `json:"id"`
		} `json:"participant"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			a.err = fmt.Errorf("decode: %w", err)
		}
		a.participant = body.Participant.ID
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	return a
}

// wrongPasscode returns p with its last character changed.
func wrongPasscode(p string) string {
	b := []byte(p)
	if b[len(b)-1] == '0' {
		b[len(b)-1] = '1'
	} else {
		b[len(b)-1] = '0'
	}
	return string(b)
}

// eventually calls ok every 100 ms until it returns true or limit passes.
func eventually(limit time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if ok() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
