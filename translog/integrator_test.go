package translog_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit/translog"
)

// ticker drives an integrator's waits: waiting receives a signal each time
// the integrator starts to wait, tick ends one wait.
type ticker struct {
	waiting chan struct{}
	tick    chan time.Time
}

func newTicker() *ticker {
	return &ticker{waiting: make(chan struct{}, 1000), tick: make(chan time.Time)}
}

func (tk *ticker) After(time.Duration) <-chan time.Time {
	tk.waiting <- struct{}{}
	return tk.tick
}

// runIntegrator runs in until the test ends or stop is called.
func runIntegrator(t *testing.T, in *translog.Integrator) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.Run(ctx)
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

func latestSize(t *testing.T, f *fixture) uint64 {
	t.Helper()
	cp, ok, err := f.store.LatestCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return 0
	}
	return cp.Size
}

// TestRunCoversEntriesWithinOneInterval: entries that arrive while the
// integrator waits are all covered by a signed checkpoint at the end of
// that one wait (the longest an entry waits is one Interval plus a pass).
func TestRunCoversEntriesWithinOneInterval(t *testing.T) {
	f := newFixture(t)
	tk := newTicker()
	f.in.After = tk.After
	runIntegrator(t, f.in)
	<-tk.waiting // led, made a pass over nothing, waits
	for round := 1; round <= 3; round++ {
		for i := range 7 {
			f.store.Append(context.Background(), event(round*10+i))
		}
		if got := latestSize(t, f); got != uint64(7*(round-1)) {
			t.Fatalf("before the tick: size %d", got)
		}
		tk.tick <- time.Now()
		<-tk.waiting // one pass made
		if got := latestSize(t, f); got != uint64(7*round) {
			t.Fatalf("after one interval the latest checkpoint covers %d entries, want %d", got, 7*round)
		}
	}
	if got, _ := f.witness.Latest(); got.Size != 21 {
		t.Errorf("the witness holds size %d, want 21", got.Size)
	}
}

// TestRunFailsOver: a second integrator waits while the first leads, and
// takes over once the first stops.
func TestRunFailsOver(t *testing.T) {
	f := newFixture(t)
	ta, tb := newTicker(), newTicker()
	a, b := f.integrator(), f.integrator()
	a.After, b.After = ta.After, tb.After
	stopA := runIntegrator(t, a)
	<-ta.waiting // a leads
	runIntegrator(t, b)
	<-tb.waiting // b could not lead
	f.store.Append(context.Background(), event(1))
	tb.tick <- time.Now()
	<-tb.waiting
	if got := latestSize(t, f); got != 0 {
		t.Fatalf("the follower integrated: size %d", got)
	}
	ta.tick <- time.Now()
	<-ta.waiting
	if got := latestSize(t, f); got != 1 {
		t.Fatalf("the leader did not integrate: size %d", got)
	}
	stopA()
	f.store.Append(context.Background(), event(2))
	tb.tick <- time.Now() // b tries again, leads, makes a pass
	<-tb.waiting
	if got := latestSize(t, f); got != 2 {
		t.Fatalf("after the leader stopped, size %d, want 2", got)
	}
	if rep := f.verify(t, f.witnessed(t)); rep.Problem != nil {
		t.Fatal(rep.Problem)
	}
}

// TestIntegrateRefusesAStaleTree: a batch built on a tree another
// integrator has moved changes nothing.
func TestIntegrateRefusesAStaleTree(t *testing.T) {
	f := newFixture(t)
	f.build(t, 1, 5)
	ctx := context.Background()
	stale := translog.TreeState{}
	b := &translog.Batch{State: translog.TreeState{Size: 1}}
	if err := f.store.Integrate(ctx, stale, b); !errors.Is(err, translog.ErrTreeMoved) {
		t.Errorf("a stale tree: %v, want ErrTreeMoved", err)
	}
}

// TestConcurrentWritersAndIntegrator: writers append while the integrator
// runs; every entry ends up in the tree once and the log verifies.
func TestConcurrentWritersAndIntegrator(t *testing.T) {
	f := newFixture(t)
	f.in.Interval = 5 * time.Millisecond
	f.in.BatchLimit = 300
	stop := runIntegrator(t, f.in)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				f.store.Append(context.Background(), event(w*1000+i))
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for latestSize(t, f) < 4000 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if got := latestSize(t, f); got != 4000 {
		t.Fatalf("covered %d of 4000 entries", got)
	}
	rep := f.verify(t, f.witnessed(t))
	if rep.Problem != nil || rep.Entries != 4000 || rep.Uncovered != 0 {
		t.Fatalf("verify: %+v, %v", rep, rep.Problem)
	}
}
