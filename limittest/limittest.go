package limittest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// Backend is what the suite needs of a limiter implementation.
type Backend struct {
	// Open returns n limiters enforcing p that share one budget, as n nodes
	// of one service would: for a shared backend, n limiters on n clients;
	// for an in-process limiter, the same limiter n times. Every call
	// starts from an empty budget (a fresh key prefix or table).
	Open func(tb testing.TB, p admit.SourcePolicy, n int) []admit.SourceLimiter
	// Hold is how long a reservation that is never done keeps its slot
	// (a node that died mid-attempt); 0 means for as long as the limiter
	// lives, as for an in-process limiter, which dies with the attempt.
	Hold time.Duration
}

// T0 is the suite's reference time.
var T0 = time.Date(2027, time.January, 4, 8, 0, 0, 0, time.UTC)

// Run runs the conformance suite against b.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"SuccessDoesNotCount", testSuccessDoesNotCount},
		{"FreeFailuresThenDoubling", testFreeFailuresThenDoubling},
		{"MaxFailuresSlidingWindow", testMaxFailuresSlidingWindow},
		{"HourlyBudget", testHourlyBudget},
		{"Burst", testBurst},
		{"InFlightCounts", testInFlightCounts},
		{"SourcesIndependent", testSourcesIndependent},
		{"DoneTwice", testDoneTwice},
		{"SharedBudget", testSharedBudget},
		{"HoldExpires", testHoldExpires},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, b) })
	}
}

// noDelays is a policy whose only limit is MaxFailures max.
func noDelays(max int) admit.SourcePolicy {
	return admit.SourcePolicy{MaxFailures: max, Window: time.Hour, FreeFailures: 1 << 20, BaseDelay: time.Second, MaxDelay: time.Minute}
}

// reserve reserves on l at now and fails the test on anything but a
// reservation.
func reserve(tb testing.TB, l admit.SourceLimiter, key string, now time.Time) admit.Reservation {
	tb.Helper()
	r, err := l.Reserve(context.Background(), key, now)
	if err != nil {
		tb.Fatalf("Reserve(%q) at %v: %v, want a reservation", key, now.Sub(T0), err)
	}
	return r
}

// refused checks that l refuses key at now with ERATELIMITED and returns
// its retry_after in seconds.
func refused(tb testing.TB, l admit.SourceLimiter, key string, now time.Time) int {
	tb.Helper()
	r, err := l.Reserve(context.Background(), key, now)
	if err == nil {
		r.Done(false)
		tb.Fatalf("Reserve(%q) at %v: a reservation, want ERATELIMITED", key, now.Sub(T0))
	}
	if admit.ErrorCode(err) != admit.ERATELIMITED {
		tb.Fatalf("Reserve(%q) at %v: %v, want ERATELIMITED", key, now.Sub(T0), err)
	}
	return retryAfter(tb, err)
}

func retryAfter(tb testing.TB, err error) int {
	tb.Helper()
	e, ok := err.(*admit.Error)
	if !ok {
		tb.Fatalf("%v is not an *admit.Error", err)
	}
	secs, ok := e.Detail["retry_after"].(int)
	if !ok || secs < 1 {
		tb.Fatalf("retry_after %v (%T), want whole seconds ≥ 1", e.Detail["retry_after"], e.Detail["retry_after"])
	}
	return secs
}

// fail makes one failed attempt on l at now.
func fail(tb testing.TB, l admit.SourceLimiter, key string, now time.Time) {
	tb.Helper()
	reserve(tb, l, key, now).Done(true)
}

func testSuccessDoesNotCount(t *testing.T, b Backend) {
	ls := b.Open(t, admit.DefaultSourcePolicy(), 2)
	for i := 0; i < 100; i++ {
		reserve(t, ls[i%2], "203.0.113.5", T0).Done(false)
	}
}

// testFreeFailuresThenDoubling plays an attacker who tries again the moment
// the delay is over: the first FreeFailures+1 failures pass at once, then
// the waits double from BaseDelay up to MaxDelay, and retry_after says each
// wait exactly (rounded up to whole seconds).
func testFreeFailuresThenDoubling(t *testing.T, b Backend) {
	p := admit.SourcePolicy{MaxFailures: 14, Window: 24 * time.Hour, FreeFailures: 3, BaseDelay: time.Second, MaxDelay: 100 * time.Second}
	ls := b.Open(t, p, 2)
	const key = "192.0.2.10"
	now := T0
	for n := 0; n < p.MaxFailures; n++ {
		fail(t, ls[n%2], key, now)
		// n+1 failures now: the wait before the next attempt.
		want := time.Duration(0)
		if n+1 > p.FreeFailures {
			want = min(p.BaseDelay<<(n+1-p.FreeFailures-1), p.MaxDelay)
		}
		if n+1 == p.MaxFailures {
			break
		}
		if want == 0 {
			continue
		}
		if got := refused(t, ls[(n+1)%2], key, now); got != int(want/time.Second) {
			t.Errorf("after %d failures: retry_after %d, want %d", n+1, got, int(want/time.Second))
		}
		if got := refused(t, ls[n%2], key, now.Add(want-time.Millisecond)); got != 1 {
			t.Errorf("after %d failures, 1 ms before the wait ends: retry_after %d, want 1", n+1, got)
		}
		now = now.Add(want)
	}
	// The last wait was capped.
	if d := p.Delay(p.MaxFailures - 1); d != p.MaxDelay {
		t.Fatalf("test policy does not reach MaxDelay: %v", d)
	}
}

// testMaxFailuresSlidingWindow checks that MaxFailures failures refuse the
// source until the oldest leaves the window, and retry_after says when.
func testMaxFailuresSlidingWindow(t *testing.T, b Backend) {
	p := noDelays(5)
	ls := b.Open(t, p, 2)
	const key = "192.0.2.11"
	for i := 0; i < p.MaxFailures; i++ {
		fail(t, ls[i%2], key, T0.Add(time.Duration(i)*time.Minute))
	}
	now := T0.Add(10 * time.Minute)
	if got, want := refused(t, ls[0], key, now), 50*60; got != want {
		t.Errorf("after %d failures: retry_after %d, want %d (the first failure leaves the window)", p.MaxFailures, got, want)
	}
	if got := refused(t, ls[1], key, T0.Add(time.Hour-time.Millisecond)); got != 1 {
		t.Errorf("1 ms before the first failure leaves the window: retry_after %d, want 1", got)
	}
	// The first failure has left the window: one more attempt.
	fail(t, ls[1], key, T0.Add(time.Hour))
	if got, want := refused(t, ls[0], key, T0.Add(time.Hour)), 60; got != want {
		t.Errorf("after refilling one: retry_after %d, want %d", got, want)
	}
	// Two windows later everything is forgotten.
	for i := 0; i < p.MaxFailures; i++ {
		fail(t, ls[i%2], key, T0.Add(3*time.Hour))
	}
}

// testHourlyBudget plays a patient attacker who always waits out
// retry_after, spread over the nodes: in any hour at most MaxFailures
// failures are evaluated.
func testHourlyBudget(t *testing.T, b Backend) {
	p := admit.DefaultSourcePolicy()
	ls := b.Open(t, p, 3)
	now := T0
	var fails []time.Time
	limited := 0
	for i := 0; now.Before(T0.Add(3 * time.Hour)); i++ {
		r, err := ls[i%len(ls)].Reserve(context.Background(), "198.51.100.9", now)
		if err != nil {
			limited++
			now = now.Add(time.Duration(retryAfter(t, err)) * time.Second)
			continue
		}
		r.Done(true)
		fails = append(fails, now)
		now = now.Add(time.Millisecond)
	}
	for i := range fails {
		n := 0
		for j := i; j < len(fails) && fails[j].Sub(fails[i]) < time.Hour; j++ {
			n++
		}
		if n > p.MaxFailures {
			t.Fatalf("%d failures within an hour from %v, want at most %d", n, fails[i].Sub(T0), p.MaxFailures)
		}
	}
	if len(fails) < 2*p.MaxFailures || limited == 0 {
		t.Errorf("over three hours: %d failures, %d refusals; want the limit to be reached and refilled", len(fails), limited)
	}
	if g5, g6 := fails[4].Sub(fails[3]), fails[5].Sub(fails[4]); g6 <= g5 {
		t.Errorf("gaps %v then %v: the delay does not grow", g5, g6)
	}
}

// testBurst sends 200 concurrent attempts from one source, spread over the
// nodes: no more may be evaluated than FreeFailures+1 (then one at a time,
// and after those the delay).
func testBurst(t *testing.T, b Backend) {
	p := admit.DefaultSourcePolicy()
	ls := b.Open(t, p, 3)
	var evaluated atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := ls[i%len(ls)].Reserve(context.Background(), "192.0.2.1", T0)
			if err != nil {
				if admit.ErrorCode(err) != admit.ERATELIMITED {
					t.Errorf("Reserve: %v", err)
				}
				return
			}
			evaluated.Add(1)
			time.Sleep(time.Millisecond) // hold the reservation, as a lookup would
			r.Done(true)
		}()
	}
	close(start)
	wg.Wait()
	if n := evaluated.Load(); n < 1 || n > int32(p.FreeFailures+1) {
		t.Errorf("a burst of 200 had %d attempts evaluated, want 1 to %d (%d free failures, then one at a time)", n, p.FreeFailures+1, p.FreeFailures)
	}
}

// testInFlightCounts checks that reservations not yet done count against
// MaxFailures on every node, and free their slot when done.
func testInFlightCounts(t *testing.T, b Backend) {
	p := noDelays(3)
	ls := b.Open(t, p, 3)
	const key = "192.0.2.12"
	var held []admit.Reservation
	for i := 0; i < p.MaxFailures; i++ {
		held = append(held, reserve(t, ls[i], key, T0))
	}
	for i := range ls {
		if got := refused(t, ls[i], key, T0); got != 1 {
			t.Errorf("with %d attempts in flight: retry_after %d, want 1", p.MaxFailures, got)
		}
	}
	held[0].Done(false) // a success frees its slot
	held = held[1:]
	held = append(held, reserve(t, ls[1], key, T0))
	held[0].Done(true) // a failure keeps it
	refused(t, ls[2], key, T0)
	for _, r := range held[1:] {
		r.Done(false)
	}
	reserve(t, ls[0], key, T0).Done(false)
	reserve(t, ls[0], key, T0).Done(true)
	// Two failures and a limit of three: one attempt in flight is the third.
	last := reserve(t, ls[2], key, T0)
	refused(t, ls[1], key, T0)
	last.Done(false)
	reserve(t, ls[1], key, T0).Done(false)
}

func testSourcesIndependent(t *testing.T, b Backend) {
	p := noDelays(2)
	ls := b.Open(t, p, 2)
	fail(t, ls[0], "192.0.2.20", T0)
	fail(t, ls[1], "192.0.2.20", T0)
	refused(t, ls[0], "192.0.2.20", T0)
	for i, key := range []string{"192.0.2.21", "2001:db8:1:2::/64", "tel:+44 20 7946 0000", "tel:{odd}:key*"} {
		fail(t, ls[i%2], key, T0)
		fail(t, ls[(i+1)%2], key, T0)
		refused(t, ls[i%2], key, T0)
	}
}

// testDoneTwice checks that a second Done of one reservation changes
// nothing.
func testDoneTwice(t *testing.T, b Backend) {
	p := noDelays(3)
	ls := b.Open(t, p, 2)
	const key = "192.0.2.13"
	r := reserve(t, ls[0], key, T0)
	r.Done(true)
	r.Done(true)
	r.Done(false)
	fail(t, ls[1], key, T0)
	fail(t, ls[0], key, T0)
	refused(t, ls[1], key, T0)
}

// testSharedBudget checks that failures on one node count on the others.
func testSharedBudget(t *testing.T, b Backend) {
	p := noDelays(6)
	ls := b.Open(t, p, 3)
	const key = "192.0.2.14"
	for i := 0; i < p.MaxFailures; i++ {
		fail(t, ls[i%3], key, T0.Add(time.Duration(i)*time.Second))
	}
	for i := range ls {
		if got, want := refused(t, ls[i], key, T0.Add(10*time.Second)), 3600-10; got != want {
			t.Errorf("node %d after %d failures spread over %d nodes: retry_after %d, want %d", i, p.MaxFailures, len(ls), got, want)
		}
	}
}

// testHoldExpires checks that a reservation never done (its node died)
// stops holding its slot after Hold.
func testHoldExpires(t *testing.T, b Backend) {
	if b.Hold == 0 {
		t.Skip("an in-process limiter's reservations die with their process")
	}
	p := noDelays(1)
	ls := b.Open(t, p, 2)
	const key = "192.0.2.15"
	lost := reserve(t, ls[0], key, T0) // never done in time
	refused(t, ls[1], key, T0)
	refused(t, ls[1], key, T0.Add(b.Hold-time.Millisecond))
	r := reserve(t, ls[1], key, T0.Add(b.Hold))
	lost.Done(false) // late: must not free the new holder's slot
	refused(t, ls[0], key, T0.Add(b.Hold))
	r.Done(false)
	reserve(t, ls[0], key, T0.Add(b.Hold)).Done(false)
}

// Prefix returns a key prefix unique to the test, for backends that share
// one database between tests.
func Prefix(tb testing.TB, base string) string {
	tb.Helper()
	return fmt.Sprintf("%s%s:%d:", base, tb.Name(), time.Now().UnixNano())
}
