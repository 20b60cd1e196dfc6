package translog_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/translog/memstore"
)

// clock is a test clock: each reading is one second after the last.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// fixture is a log in memory with a file witness.
type fixture struct {
	store   *memstore.Store
	signer  *translog.Signer
	clock   *clock
	witness *translog.FileWitness
	wpath   string
	in      *translog.Integrator
	logs    *syncBuffer
	log     *slog.Logger
}

// syncBuffer collects log output.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mustSigner returns a new checkpoint signer.
func mustSigner(tb testing.TB) *translog.Signer {
	tb.Helper()
	skey, err := translog.GenerateSignerKey(rand.Reader, "admit-audit-test")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := translog.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// newFixture returns an empty log whose integrator publishes to a file
// witness.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{store: memstore.New(), signer: mustSigner(tb), clock: newClock()}
	f.logs = &syncBuffer{}
	f.log = slog.New(slog.NewTextHandler(f.logs, nil))
	f.wpath = filepath.Join(tb.TempDir(), "witness.jsonl")
	w, err := translog.OpenFileWitness(f.wpath, f.signer.Verifier(), f.clock.Now)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close() })
	f.witness = w
	f.in = f.integrator()
	return f
}

// integrator returns a new integrator on the fixture's store (as after a
// restart).
func (f *fixture) integrator() *translog.Integrator {
	return &translog.Integrator{Store: f.store, Signer: f.signer, Witnesses: []translog.Witness{f.witness}, Now: f.clock.Now, Log: f.log}
}

// event returns a distinct audit entry.
func event(i int) *admit.Event {
	return &admit.Event{At: time.Date(2026, 12, 2, 10, 0, 0, i*1000, time.UTC), AccountID: int64(1 + i%3),
		Actor: fmt.Sprintf("participant:p%d", i), Action: "join.admitted", Target: fmt.Sprintf("meeting:%d", 100+i%7),
		Source: "ip:192.0.2.1", Outcome: "ok", Detail: "passcode"}
}

// add appends n entries, numbered from *next, and integrates them in one
// pass.
func (f *fixture) add(tb testing.TB, from, n int) {
	tb.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		if err := f.store.Append(ctx, event(i)); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := f.in.Step(ctx); err != nil {
		tb.Fatalf("integrate: %v", err)
	}
}

// build makes a log of batches*per entries, one checkpoint per batch.
func (f *fixture) build(tb testing.TB, batches, per int) {
	tb.Helper()
	for b := range batches {
		f.add(tb, b*per, per)
	}
}

// witnessed returns the witness's latest checkpoint.
func (f *fixture) witnessed(tb testing.TB) *translog.Checkpoint {
	tb.Helper()
	cp, ok := f.witness.Latest()
	if !ok {
		tb.Fatal("the witness holds no checkpoint")
	}
	return &cp
}

// verify verifies the log against the witnessed checkpoint.
func (f *fixture) verify(tb testing.TB, trusted *translog.Checkpoint) *translog.Report {
	tb.Helper()
	rep, err := translog.Verify(context.Background(), f.store, translog.VerifyOptions{Verifier: f.signer.Verifier(), Trusted: trusted, PageSize: 7})
	if err != nil {
		tb.Fatalf("verify: %v", err)
	}
	return rep
}
