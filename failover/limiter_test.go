package failover_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/failover"
	"github.com/admit-project/admit/memory"
)

// switchable is a limiter that can be made unreachable.
type switchable struct {
	admit.SourceLimiter
	down  bool
	calls int
}

func (s *switchable) Reserve(ctx context.Context, key string, now time.Time) (admit.Reservation, error) {
	s.calls++
	if s.down {
		return nil, errors.Join(errors.New("dial tcp 127.0.0.1:6379"), syscall.ECONNREFUSED)
	}
	return s.SourceLimiter.Reserve(ctx, key, now)
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fail makes n failed attempts from key and returns how many were
// evaluated (not rate limited); any other error fails t.
func fail(t *testing.T, l admit.SourceLimiter, key string, n int) int {
	t.Helper()
	evaluated := 0
	for range n {
		r, err := l.Reserve(context.Background(), key, t0)
		if admit.ErrorCode(err) == admit.ERATELIMITED {
			continue
		}
		if err != nil {
			t.Fatalf("Reserve(%s): %v", key, err)
		}
		evaluated++
		r.Done(true)
	}
	return evaluated
}

// TestFallbackKeepsLimits: with the primary down, the secondary limits;
// with it back, a source that spent its failures during the outage is still
// refused, and a new source is counted in the primary again.
func TestFallbackKeepsLimits(t *testing.T) {
	p := admit.SourcePolicy{MaxFailures: 5, FreeFailures: 5, Window: time.Hour, BaseDelay: time.Second, MaxDelay: time.Minute}
	primary := &switchable{SourceLimiter: memory.NewLimiter(p)}
	secondary := &switchable{SourceLimiter: memory.NewLimiter(p)}
	wall := t0
	l := &failover.Limiter{Primary: primary, Secondary: secondary, Window: p.Window, Now: func() time.Time { return wall }}

	if got := fail(t, l, "a", 8); got != 5 || secondary.calls != 0 {
		t.Errorf("primary up: %d evaluated, secondary called %d times; want 5 and 0", got, secondary.calls)
	}
	primary.down = true
	if got := fail(t, l, "b", 8); got != 5 {
		t.Errorf("primary down: %d evaluated of 8, want 5 (the secondary's limit, not open)", got)
	}
	if primary.calls != 8+1 {
		t.Errorf("primary tried %d times, want 9 (8 for a, 1 for b): left alone for Retry after its failure", primary.calls)
	}
	primary.down = false
	wall = wall.Add(2 * failover.DefaultRetry)
	if got := fail(t, l, "b", 3); got != 0 {
		t.Errorf("primary back: b evaluated %d more times, want 0 (its outage failures still count)", got)
	}
	before := secondary.calls
	if got := fail(t, l, "c", 8); got != 5 {
		t.Errorf("primary back: c evaluated %d, want 5", got)
	}
	if secondary.calls == before {
		t.Error("within the window after an outage the secondary was not consulted")
	}
	wall = wall.Add(2 * p.Window)
	before = secondary.calls
	fail(t, l, "d", 2)
	if secondary.calls != before {
		t.Error("a window after the outage, the secondary is still consulted")
	}
}

// TestBothDown: no limiter answers, so no attempt is evaluated.
func TestBothDown(t *testing.T) {
	p := admit.DefaultSourcePolicy()
	l := &failover.Limiter{Primary: &switchable{SourceLimiter: memory.NewLimiter(p), down: true},
		Secondary: &switchable{SourceLimiter: memory.NewLimiter(p), down: true}, Window: p.Window}
	r, err := l.Reserve(context.Background(), "a", t0)
	if err == nil || r != nil || !admit.Unavailable(err) {
		t.Errorf("Reserve = %v, %v; want no reservation and an unavailable error", r, err)
	}
}
