package sourcelimit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/sourcelimit"
)

var t0 = time.Date(2027, time.January, 4, 8, 0, 0, 0, time.UTC)

func newLimiter() *sourcelimit.Limiter {
	p := sourcelimit.DefaultPolicy()
	return sourcelimit.New(memory.NewLimiter(p.Distinct), memory.NewLimiter(p.Repeat), time.Hour)
}

// try makes one attempt at identifier that fails or not; it returns the
// wait the limiter asked for (0 when evaluated).
func try(t *testing.T, l *sourcelimit.Limiter, source, identifier string, failed bool, now time.Time) time.Duration {
	t.Helper()
	rsv, err := l.Reserve(context.Background(), source, []byte(identifier), now)
	if admit.ErrorCode(err) == admit.ERATELIMITED {
		e := err.(*admit.Error)
		return time.Duration(e.Detail["retry_after"].(int)) * time.Second
	} else if err != nil {
		t.Fatal(err)
	}
	rsv.Done(failed)
	return 0
}

// TestOfficeMistypesDoNotWait: 300 people behind one address, one in ten
// mistyping once, at one meeting: nobody waits.
func TestOfficeMistypesDoNotWait(t *testing.T) {
	l := newLimiter()
	now := t0
	for i := range 300 {
		now = now.Add(400 * time.Millisecond)
		if i%10 == 3 {
			if w := try(t, l, "198.51.100.7", "meeting-1", true, now); w != 0 {
				t.Fatalf("person %d's typo had to wait %v", i, w)
			}
		}
		if w := try(t, l, "198.51.100.7", "meeting-1", false, now); w != 0 {
			t.Fatalf("person %d had to wait %v", i, w)
		}
	}
}

// TestWarDiallerStoppedWithin20: an address trying 1,000 identifiers,
// waiting whenever told to up to a minute, has at most 20 evaluated in the
// hour.
func TestWarDiallerStoppedWithin20(t *testing.T) {
	l := newLimiter()
	now := t0
	evaluated := 0
	for i := range 1000 {
		id := fmt.Sprintf("id-%d", i)
		w := try(t, l, "203.0.113.9", id, true, now)
		for w > 0 && w <= time.Minute {
			now = now.Add(w)
			w = try(t, l, "203.0.113.9", id, true, now)
		}
		if w > 0 {
			break
		}
		evaluated++
	}
	if evaluated > 20 {
		t.Errorf("%d identifiers evaluated; want at most 20", evaluated)
	}
	if evaluated < 20 {
		t.Errorf("only %d identifiers evaluated before the stop; the policy allows 20", evaluated)
	}
	// The same source retrying an identifier it tried is not held by the
	// distinct count (its repeats have their own limit).
	if w := try(t, l, "203.0.113.9", "id-0", true, now); w != 0 {
		t.Errorf("a repeat of a tried identifier waits %v", w)
	}
	// Another source is not held back.
	if w := try(t, l, "203.0.113.10", "id-5000", true, now); w != 0 {
		t.Errorf("another source waits %v", w)
	}
}

// TestRepeatBounded: one source hammering one identifier is stopped by the
// repeat limit.
func TestRepeatBounded(t *testing.T) {
	l := newLimiter()
	now := t0
	limited := false
	for range 200 {
		if w := try(t, l, "203.0.113.9", "meeting-1", true, now); w > 0 {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("200 failures at one identifier from one source were never limited")
	}
}

// TestConcurrentFirstAttemptsShareOneDistinct: a burst of first attempts at
// one identifier counts it once.
func TestConcurrentFirstAttemptsShareOneDistinct(t *testing.T) {
	l := newLimiter()
	var rs []admit.Reservation
	for i := range 40 {
		r, err := l.Reserve(context.Background(), "198.51.100.7", []byte("meeting-1"), t0)
		if err != nil {
			t.Fatalf("attempt %d of a burst at one meeting: %v", i, err)
		}
		rs = append(rs, r)
	}
	for _, r := range rs {
		r.Done(true)
	}
	if s, ids := l.Tracked(); s != 1 || ids != 1 {
		t.Errorf("tracked %d sources, %d identifiers; want 1 and 1", s, ids)
	}
}

// TestForgetsAfterWindow: memory follows active sources.
func TestForgetsAfterWindow(t *testing.T) {
	l := newLimiter()
	for i := range 10 {
		try(t, l, fmt.Sprintf("203.0.113.%d", i), "x", true, t0)
	}
	try(t, l, "203.0.113.200", "y", true, t0.Add(2*time.Hour))
	if s, _ := l.Tracked(); s != 1 {
		t.Errorf("%d sources tracked two hours later; want 1", s)
	}
}

// gated is a SourceLimiter whose Reserve waits for release, as a limiter
// across the network takes its time.
type gated struct {
	admit.SourceLimiter
	entered chan struct{}
	release chan struct{}
}

func (g *gated) Reserve(ctx context.Context, key string, now time.Time) (admit.Reservation, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.SourceLimiter.Reserve(ctx, key, now)
}

// TestConcurrentNewIdentifierAtLimit: a source at its Distinct limit sends
// two attempts at a new identifier at once, the second while the first is
// still with the Distinct limiter: neither is evaluated (the second does not
// pass as a repeat of the first).
func TestConcurrentNewIdentifierAtLimit(t *testing.T) {
	p := sourcelimit.DefaultPolicy()
	g := &gated{SourceLimiter: memory.NewLimiter(p.Distinct), entered: make(chan struct{}, 64), release: make(chan struct{})}
	l := sourcelimit.New(g, memory.NewLimiter(p.Repeat), time.Hour)
	waiting := make(chan struct{}, 1)
	sourcelimit.SetWaiting(l, func() { waiting <- struct{}{} })
	now := t0
	close(g.release)
	for i := range 20 {
		for {
			w := try(t, l, "203.0.113.9", fmt.Sprintf("id-%d", i), true, now)
			if w == 0 {
				break
			}
			now = now.Add(w)
		}
	}
	for len(g.entered) > 0 {
		<-g.entered
	}
	g.release = make(chan struct{})
	answers := make(chan error, 2)
	attempt := func() {
		rsv, err := l.Reserve(context.Background(), "203.0.113.9", []byte("new-id"), now)
		if err == nil {
			rsv.Done(true)
		}
		answers <- err
	}
	go attempt()
	<-g.entered // the first attempt is with the Distinct limiter
	go attempt()
	pending := 2
	select {
	case <-waiting: // the second waits for the first's decision
	case err := <-answers: // the second was decided while the first was not
		pending--
		if admit.ErrorCode(err) != admit.ERATELIMITED {
			t.Errorf("the second attempt at a new identifier, during the first: %v; want rate limited", err)
		}
	}
	close(g.release)
	for range pending {
		if err := <-answers; admit.ErrorCode(err) != admit.ERATELIMITED {
			t.Errorf("an attempt at a new identifier from a source at its limit: %v; want rate limited", err)
		}
	}
}

// TestFullLimiterCountsAsDistinct: past MaxEntries, attempts of sources
// not remembered count as distinct (stricter, never looser).
func TestFullLimiterCountsAsDistinct(t *testing.T) {
	p := sourcelimit.DefaultPolicy()
	l := sourcelimit.New(memory.NewLimiter(p.Distinct), memory.NewLimiter(p.Repeat), time.Hour)
	l.MaxEntries = 3
	for i := range 3 {
		try(t, l, fmt.Sprintf("203.0.113.%d", i), "x", false, t0)
	}
	evaluated := 0
	for range 40 {
		if try(t, l, "198.51.100.1", "meeting-1", true, t0) == 0 {
			evaluated++
		}
	}
	if evaluated > 20 {
		t.Errorf("%d failures at one identifier evaluated from a source the full limiter cannot remember; want at most the Distinct limit, 20", evaluated)
	}
	if s, ids := l.Tracked(); s != 3 || ids != 3 {
		t.Errorf("tracked %d sources, %d identifiers; want 3 and 3", s, ids)
	}
}
