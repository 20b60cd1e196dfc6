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
