package logtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

// Harness is a store under test and the hands an attacker has on it.
type Harness struct {
	Store translog.Store
	// Append writes entries as the application's writers do (with no place
	// in the tree).
	Append func(ctx context.Context, events ...*admit.Event) error
	// Attacker changes the store's database directly.
	Attacker Attacker
}

// Attacker changes a store's database directly, as someone with write
// access to it (and without the checkpoint signing key) can.
type Attacker interface {
	// SetDetail changes the Detail of entry seq, and nothing else.
	SetDetail(ctx context.Context, seq int64, detail string) error
	// SetHash changes the recorded leaf hash of entry seq.
	SetHash(ctx context.Context, seq int64, hash []byte) error
	// Delete deletes the entries from through through.
	Delete(ctx context.Context, from, through int64) error
	// Renumber adds delta to the Seq of every entry from seq on.
	Renumber(ctx context.Context, from, delta int64) error
	// Swap exchanges the places (Seq) of entries a and b.
	Swap(ctx context.Context, a, b int64) error
	// Insert inserts an entry with its Seq and Hash as given.
	Insert(ctx context.Context, e *admit.Event) error
	// RollBack saves state as the tree and deletes the checkpoints larger
	// than it.
	RollBack(ctx context.Context, state translog.TreeState) error
	// Wipe empties the log: entries, nodes, tree state and checkpoints.
	Wipe(ctx context.Context) error
	// AddCheckpoint stores a checkpoint (one the attacker forged).
	AddCheckpoint(ctx context.Context, cp translog.Checkpoint) error
}

// NewHarness returns a fresh, empty store under test.
type NewHarness func(t *testing.T) Harness

// Event returns a distinct audit entry for i.
func Event(i int) *admit.Event {
	return &admit.Event{At: time.Date(2026, 12, 2, 10, 0, 0, i*1000, time.UTC), AccountID: int64(1 + i%3),
		Actor: fmt.Sprintf("participant:p%d", i), Action: "join.admitted", Target: fmt.Sprintf("meeting:%d", 100+i%7),
		Source: "ip:192.0.2.1", Outcome: "ok", Detail: "passcode"}
}

// clock is a test clock: each reading is one second after the last.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// Log is a store under test with its signer, file witness and integrator.
type Log struct {
	H       Harness
	Signer  *translog.Signer
	Witness *translog.FileWitness
	In      *translog.Integrator
	Clock   func() time.Time
	logs    *strings.Builder
	mu      sync.Mutex
}

// NewLog makes an empty log on a new harness, whose integrator publishes to
// a file witness in t.TempDir().
func NewLog(t *testing.T, newHarness NewHarness) *Log {
	t.Helper()
	skey, err := translog.GenerateSignerKey(rand.Reader, "admit-audit-test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := translog.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	w, err := translog.OpenFileWitness(filepath.Join(t.TempDir(), "witness.jsonl"), s.Verifier(), c.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	l := &Log{H: newHarness(t), Signer: s, Witness: w, Clock: c.Now, logs: &strings.Builder{}}
	l.In = l.Integrator()
	return l
}

// Write implements io.Writer for the integrator's log.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logs.Write(p)
}

// Logged returns what the integrators logged.
func (l *Log) Logged() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.logs.String()
}

var _ io.Writer = (*Log)(nil)

// Integrator returns a new integrator on the log (as after a restart).
func (l *Log) Integrator() *translog.Integrator {
	return &translog.Integrator{Store: l.H.Store, Signer: l.Signer, Witnesses: []translog.Witness{l.Witness},
		Now: l.Clock, Log: slog.New(slog.NewTextHandler(l, nil))}
}

// Add appends entries numbered from to from+n-1 and integrates them in one
// pass.
func (l *Log) Add(t testing.TB, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		if err := l.H.Append(ctx, Event(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.In.Step(ctx); err != nil {
		t.Fatalf("integrate: %v", err)
	}
}

// Witnessed returns the witness's latest checkpoint.
func (l *Log) Witnessed(t testing.TB) *translog.Checkpoint {
	t.Helper()
	cp, ok := l.Witness.Latest()
	if !ok {
		t.Fatal("the witness holds no checkpoint")
	}
	return &cp
}

// Verify verifies the log against trusted (nil: the store's latest).
func (l *Log) Verify(t testing.TB, trusted *translog.Checkpoint) *translog.Report {
	t.Helper()
	rep, err := translog.Verify(context.Background(), l.H.Store, translog.VerifyOptions{Verifier: l.Signer.Verifier(), Trusted: trusted, PageSize: 7})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

// entry reads entry seq.
func entry(ctx context.Context, s translog.Store, seq int64) (*admit.Event, error) {
	es, err := s.Entries(ctx, seq-1, 1)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 || es[0].Seq != seq {
		return nil, fmt.Errorf("no entry %d", seq)
	}
	return es[0], nil
}

// rehashFrom gives every entry from seq on a recorded hash matching its
// contents, as an attacker can: the hash is public.
func rehashFrom(ctx context.Context, h Harness, from int64) error {
	for seq := from; ; seq++ {
		e, err := entry(ctx, h.Store, seq)
		if err != nil {
			return nil // past the end
		}
		if err := h.Attacker.SetHash(ctx, seq, translog.LeafHash(e)); err != nil {
			return err
		}
	}
}

// rollBackTo sets the saved tree back to its first size entries, computed
// from the entries (anyone can), and drops the later checkpoints.
func rollBackTo(ctx context.Context, h Harness, size int64) error {
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for seq := int64(1); seq <= size; seq++ {
		e, err := entry(ctx, h.Store, seq)
		if err != nil {
			return err
		}
		if err := r.Append(translog.LeafHash(e), nil); err != nil {
			return err
		}
	}
	return h.Attacker.RollBack(ctx, translog.TreeState{Size: r.End(), Hashes: r.Hashes()})
}

// want is what verify must report.
type want struct {
	seq        int64  // the entry named, or
	checkpoint uint64 // the checkpoint failed, with
	from, thru int64  // the range of the first bad entry
}

// attack is one way to rewrite the log.
type attack struct {
	name   string
	tamper func(ctx context.Context, h Harness) error
	// restart: then a new integrator (as after the attacker restarts the
	// service) adds this many entries, and the witness must refuse the
	// resulting checkpoint.
	restart int
	want    want
}

// Attacks each start from a log of 100 entries integrated in ten passes
// (checkpoints of size 10, 20, …, 100), all witnessed.
var attacks = []attack{
	{name: "edit an entry", tamper: func(ctx context.Context, h Harness) error {
		return h.Attacker.SetDetail(ctx, 37, "sso")
	}, want: want{seq: 37}},
	{name: "edit an entry and its recorded hash", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.SetDetail(ctx, 37, "sso"); err != nil {
			return err
		}
		return rehashFrom(ctx, h, 37)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "delete an entry", tamper: func(ctx context.Context, h Harness) error {
		return h.Attacker.Delete(ctx, 37, 37)
	}, want: want{seq: 37}},
	{name: "delete an entry, renumber and rehash the rest", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.Delete(ctx, 37, 37); err != nil {
			return err
		}
		if err := h.Attacker.Renumber(ctx, 38, -1); err != nil {
			return err
		}
		return rehashFrom(ctx, h, 37)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "reorder two entries", tamper: func(ctx context.Context, h Harness) error {
		return h.Attacker.Swap(ctx, 37, 38)
	}, want: want{seq: 37}},
	{name: "reorder two entries and rehash", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.Swap(ctx, 37, 38); err != nil {
			return err
		}
		return rehashFrom(ctx, h, 37)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "truncate the tail", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.Delete(ctx, 91, 100); err != nil {
			return err
		}
		return rollBackTo(ctx, h, 90)
	}, want: want{checkpoint: 100, from: 91, thru: 100}},
	{name: "truncate the tail and append more", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.Delete(ctx, 91, 100); err != nil {
			return err
		}
		return rollBackTo(ctx, h, 90)
	}, restart: 20, want: want{checkpoint: 100, from: 91, thru: 100}},
	{name: "truncate the tail and append less", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.Delete(ctx, 91, 100); err != nil {
			return err
		}
		return rollBackTo(ctx, h, 90)
	}, restart: 5, want: want{checkpoint: 100, from: 91, thru: 100}},
	{name: "insert with a forged hash past the tree", tamper: func(ctx context.Context, h Harness) error {
		e := Event(999)
		e.Seq, e.Hash = 101, make([]byte, 32)
		return h.Attacker.Insert(ctx, e)
	}, want: want{seq: 101}},
	{name: "insert with a correct hash past the tree", tamper: func(ctx context.Context, h Harness) error {
		e := Event(999)
		e.Seq = 101
		e.Hash = translog.LeafHash(e)
		return h.Attacker.Insert(ctx, e)
	}, want: want{seq: 101}},
	{name: "insert in the middle with a forged hash", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.Renumber(ctx, 37, 1); err != nil {
			return err
		}
		e := Event(999)
		e.Seq, e.Hash = 37, make([]byte, 32)
		return h.Attacker.Insert(ctx, e)
	}, want: want{seq: 37}},
	{name: "insert in the middle and rehash", tamper: func(ctx context.Context, h Harness) error {
		if err := h.Attacker.Renumber(ctx, 37, 1); err != nil {
			return err
		}
		e := Event(999)
		e.Seq = 37
		e.Hash = translog.LeafHash(e)
		if err := h.Attacker.Insert(ctx, e); err != nil {
			return err
		}
		return rehashFrom(ctx, h, 38)
	}, want: want{checkpoint: 40, from: 31, thru: 40}},
	{name: "wipe and restart", tamper: func(ctx context.Context, h Harness) error {
		return h.Attacker.Wipe(ctx)
	}, restart: 10, want: want{checkpoint: 100, from: 1, thru: 100}},
	{name: "wipe and restart with more entries than before", tamper: func(ctx context.Context, h Harness) error {
		return h.Attacker.Wipe(ctx)
	}, restart: 150, want: want{checkpoint: 100, from: 1, thru: 100}},
}

// RunAttacks runs every attack on a fresh store from newHarness, and wants
// Verify against the witnessed checkpoint to name the first bad entry or
// the checkpoint the log fails, and the witness to refuse a rewritten log's
// new checkpoint.
func RunAttacks(t *testing.T, newHarness NewHarness) {
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			ctx := context.Background()
			l := NewLog(t, newHarness)
			for b := range 10 {
				l.Add(t, b*10, 10)
			}
			trusted := l.Witnessed(t)
			if trusted.Size != 100 {
				t.Fatalf("witnessed size %d, want 100", trusted.Size)
			}
			if rep := l.Verify(t, trusted); rep.Problem != nil || rep.Entries != 100 || rep.Checkpoints != 11 {
				t.Fatalf("before the attack: %+v (problem %v)", rep, rep.Problem)
			}
			if err := a.tamper(ctx, l.H); err != nil {
				t.Fatalf("attack: %v", err)
			}
			if a.restart > 0 {
				l.In = l.Integrator()
				l.Add(t, 1000, a.restart)
				if got := l.Witnessed(t); got.Size != 100 || string(got.Root) != string(trusted.Root) {
					t.Errorf("the witness accepted the rewritten log's checkpoint of size %d", got.Size)
				}
				if !strings.Contains(l.Logged(), "REFUSED") {
					t.Errorf("the integrator did not log the witness's refusal; log:\n%s", l.Logged())
				}
				cp, _, err := l.H.Store.LatestCheckpoint(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var refused *translog.RefusedError
				if err := l.Witness.Add(ctx, cp, translog.ConsistencyProver(l.H.Store, cp.Size)); !errors.As(err, &refused) {
					t.Errorf("the witness did not refuse the rewritten log's checkpoint (size %d): %v", cp.Size, err)
				}
			}
			rep := l.Verify(t, trusted)
			p := rep.Problem
			if p == nil {
				t.Fatalf("verify found nothing wrong (%d entries, %d checkpoints)", rep.Entries, rep.Checkpoints)
			}
			t.Logf("verify: %s", p)
			if a.want.seq != 0 {
				if p.Seq != a.want.seq || !strings.HasPrefix(p.String(), fmt.Sprintf("entry %d:", a.want.seq)) {
					t.Errorf("reported %q, want entry %d named", p, a.want.seq)
				}
				return
			}
			if p.Seq != 0 || p.Checkpoint != a.want.checkpoint || p.From != a.want.from || p.Through != a.want.thru {
				t.Errorf("got seq %d checkpoint %d range %d-%d (%s), want checkpoint %d range %d-%d",
					p.Seq, p.Checkpoint, p.From, p.Through, p, a.want.checkpoint, a.want.from, a.want.thru)
			}
			if !strings.HasPrefix(p.String(), fmt.Sprintf("checkpoint of size %d ", a.want.checkpoint)) {
				t.Errorf("the report %q does not name the checkpoint", p)
			}
		})
	}
	t.Run("forged checkpoint", func(t *testing.T) {
		ctx := context.Background()
		l := NewLog(t, newHarness)
		for b := range 3 {
			l.Add(t, b*10, 10)
		}
		skey, err := translog.GenerateSignerKey(rand.Reader, l.Signer.Origin())
		if err != nil {
			t.Fatal(err)
		}
		other, err := translog.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		forged, err := other.Sign(30, make([]byte, 32), l.Clock())
		if err != nil {
			t.Fatal(err)
		}
		if err := l.H.Attacker.AddCheckpoint(ctx, forged); err != nil {
			t.Fatal(err)
		}
		rep := l.Verify(t, l.Witnessed(t))
		if rep.Problem == nil || rep.Problem.Checkpoint != 30 || !strings.Contains(rep.Problem.Reason, "forged") {
			t.Fatalf("got %v, want the forged checkpoint of size 30 named", rep.Problem)
		}
	})
	t.Run("rolled back under a running integrator", func(t *testing.T) {
		ctx := context.Background()
		l := NewLog(t, newHarness)
		for b := range 10 {
			l.Add(t, b*10, 10)
		}
		if err := l.H.Attacker.Delete(ctx, 91, 100); err != nil {
			t.Fatal(err)
		}
		if err := rollBackTo(ctx, l.H, 90); err != nil {
			t.Fatal(err)
		}
		l.H.Append(ctx, Event(1000))
		if _, err := l.In.Step(ctx); !errors.Is(err, translog.ErrStateMismatch) {
			t.Errorf("step after a roll-back: %v, want ErrStateMismatch", err)
		}
	})
}

// RunConformance checks a store's side of the contract: places given once
// and in order, pages, nodes, checkpoints in order, one leader at a time,
// and a stale batch refused.
func RunConformance(t *testing.T, newHarness NewHarness) {
	ctx := context.Background()
	t.Run("integrate and read back", func(t *testing.T) {
		l := NewLog(t, newHarness)
		l.Add(t, 0, 40)
		l.Add(t, 40, 3)
		es, err := l.H.Store.Entries(ctx, 10, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 5 || es[0].Seq != 11 || es[4].Seq != 15 {
			t.Fatalf("entries after 10: %d, first %v", len(es), es)
		}
		want := Event(10)
		want.Seq = 11
		if got := es[0]; got.Actor != want.Actor || !got.At.Equal(want.At) || string(got.Hash) != string(translog.LeafHash(want)) {
			t.Errorf("entry 11: %+v, want %+v with its leaf hash", got, want)
		}
		if p, _ := l.H.Store.Unsequenced(ctx, 10); len(p) != 0 {
			t.Errorf("%d entries still without a place", len(p))
		}
		cps, err := l.H.Store.Checkpoints(ctx, 0, 0, 10)
		if err != nil || len(cps) != 2 || cps[0].Size != 40 || cps[1].Size != 43 || cps[0].ID >= cps[1].ID {
			t.Fatalf("checkpoints: %+v, %v", cps, err)
		}
		if more, _ := l.H.Store.Checkpoints(ctx, cps[0].Size, cps[0].ID, 10); len(more) != 1 || more[0].Size != 43 {
			t.Errorf("checkpoints after the first: %+v", more)
		}
		latest, ok, err := translog.LatestCheckpoint(ctx, l.H.Store, l.Signer.Verifier())
		if err != nil || !ok || latest.Size != 43 || latest.WitnessedAt.IsZero() {
			t.Errorf("latest: %+v %v %v", latest, ok, err)
		}
		hs, err := l.H.Store.Nodes(ctx, []compact.NodeID{compact.NewNodeID(4, 0), compact.NewNodeID(5, 0), compact.NewNodeID(5, 1)})
		if err != nil || len(hs[0]) != 32 || len(hs[1]) != 32 || hs[2] != nil {
			t.Errorf("nodes: %x, %v", hs, err)
		}
		for seq := int64(1); seq <= 43; seq += 6 {
			in, err := translog.InclusionProof(ctx, l.H.Store, seq, latest)
			if err != nil {
				t.Fatalf("inclusion %d: %v", seq, err)
			}
			if err := translog.VerifyInclusion(in); err != nil {
				t.Fatal(err)
			}
		}
		older, err := translog.ParseCheckpoint(cps[0].Note, l.Signer.Verifier())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := translog.ConsistencyProof(ctx, l.H.Store, older, latest); err != nil {
			t.Error(err)
		}
		if rep := l.Verify(t, l.Witnessed(t)); rep.Problem != nil || rep.Entries != 43 {
			t.Errorf("verify: %+v %v", rep, rep.Problem)
		}
	})
	t.Run("one leader", func(t *testing.T) {
		h := newHarness(t)
		release, ok, err := h.Store.TryLead(ctx)
		if err != nil || !ok {
			t.Fatalf("first: %v %v", ok, err)
		}
		if _, ok, err := h.Store.TryLead(ctx); err != nil || ok {
			t.Fatalf("second while the first leads: %v %v", ok, err)
		}
		release()
		release2, ok, err := h.Store.TryLead(ctx)
		if err != nil || !ok {
			t.Fatalf("after release: %v %v", ok, err)
		}
		release2()
	})
	t.Run("stale batch", func(t *testing.T) {
		l := NewLog(t, newHarness)
		l.Add(t, 0, 5)
		l.H.Append(ctx, Event(5))
		p, err := l.H.Store.Unsequenced(ctx, 10)
		if err != nil || len(p) != 1 {
			t.Fatalf("unsequenced: %d %v", len(p), err)
		}
		p[0].Seq, p[0].Hash = 6, translog.LeafHash(p[0])
		cp, _ := l.Signer.Sign(6, make([]byte, 32), l.Clock())
		b := &translog.Batch{Entries: p, State: translog.TreeState{Size: 6, Hashes: [][]byte{make([]byte, 32)}}, Checkpoint: cp}
		if err := l.H.Store.Integrate(ctx, translog.TreeState{}, b); !errors.Is(err, translog.ErrTreeMoved) {
			t.Errorf("a batch on a stale tree: %v, want ErrTreeMoved", err)
		}
		if rep := l.Verify(t, l.Witnessed(t)); rep.Problem != nil || rep.Entries != 5 {
			t.Errorf("after the refused batch: %+v %v", rep, rep.Problem)
		}
	})
}
