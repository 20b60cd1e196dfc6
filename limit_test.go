package admit_test

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

func TestSourceKey(t *testing.T) {
	tests := []struct {
		ch   admit.Channel
		src  string
		want string
	}{
		{admit.ChannelWeb, "192.0.2.7", "192.0.2.7"},
		{admit.ChannelWeb, "::ffff:192.0.2.7", "192.0.2.7"},
		{admit.ChannelAPI, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{admit.ChannelAPI, "2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{admit.ChannelPhone, "+44 20 7946 0000", "tel:+44 20 7946 0000"},
		{admit.ChannelPhone, "192.0.2.8", "192.0.2.8"},
	}
	for _, tt := range tests {
		if got := admit.SourceKey(tt.ch, tt.src); got != tt.want {
			t.Errorf("SourceKey(%s, %q) = %q, want %q", tt.ch, tt.src, got, tt.want)
		}
	}
}

// TestLimiterHoldsUnderBurst sends 200 concurrent attempts from one source:
// no more may be evaluated than the limit allows before delays begin.
func TestLimiterHoldsUnderBurst(t *testing.T) {
	l := admit.NewMemoryLimiter(admit.DefaultSourcePolicy())
	now := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	var evaluated atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := l.Reserve(context.Background(), "192.0.2.1", now)
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
	if n := evaluated.Load(); n > 4 {
		t.Errorf("a burst of 200 had %d attempts evaluated, want at most 4 (3 free failures, then one at a time)", n)
	}
}

// TestLimiterHourlyBudget plays a patient attacker who always waits out
// Retry-After: in any hour at most MaxFailures failures are evaluated.
func TestLimiterHourlyBudget(t *testing.T) {
	p := admit.DefaultSourcePolicy()
	l := admit.NewMemoryLimiter(p)
	now := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	var fails []time.Time
	limited := 0
	for now.Before(time.Date(2027, 1, 4, 11, 0, 0, 0, time.UTC)) {
		r, err := l.Reserve(context.Background(), "198.51.100.9", now)
		if err != nil {
			e := err.(*admit.Error)
			wait := time.Duration(e.Detail["retry_after"].(int)) * time.Second
			if wait <= 0 {
				t.Fatal("rate limited with no Retry-After")
			}
			limited++
			now = now.Add(wait)
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
			t.Fatalf("%d failures within an hour from %v, want at most %d", n, fails[i], p.MaxFailures)
		}
	}
	if len(fails) < 2*p.MaxFailures || limited == 0 {
		t.Errorf("over three hours: %d failures, %d refusals; want the limit to be reached and refilled", len(fails), limited)
	}
	// Delays grow: the gap before the 6th failure is longer than before the 5th.
	if g5, g6 := fails[4].Sub(fails[3]), fails[5].Sub(fails[4]); g6 <= g5 {
		t.Errorf("gaps %v then %v: the delay does not grow", g5, g6)
	}
}

func TestLimiterSuccessDoesNotCount(t *testing.T) {
	l := admit.NewMemoryLimiter(admit.DefaultSourcePolicy())
	now := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		r, err := l.Reserve(context.Background(), "203.0.113.5", now)
		if err != nil {
			t.Fatalf("attempt %d after only successes: %v", i, err)
		}
		r.Done(false)
	}
}

// TestRateLimitAudit checks that rate-limited attempts reach the audit
// trail as one "engaged" entry per source per minute, at once, and one
// summary of the rest once the minute is over.
func TestRateLimitAudit(t *testing.T) {
	svc, _, clock := mustService(t, rand.Reader)
	svc.Limiter = admit.NewMemoryLimiter(admit.SourcePolicy{MaxFailures: 1, Window: time.Hour, FreeFailures: 1, BaseDelay: time.Second, MaxDelay: time.Minute})
	ctx := context.Background()
	clock.Set(t0.Add(30 * time.Second))
	try := func(src string) error {
		_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: "98765432109", Passcode: "Guess12345", Source: src})
		return err
	}
	for _, src := range []string{"192.0.2.1", "192.0.2.2"} {
		if err := try(src); admit.ErrorCode(err) != admit.EREFUSED {
			t.Fatalf("first attempt from %s: %v", src, err)
		}
	}
	for i := 0; i < 5; i++ {
		if err := try("192.0.2.1"); admit.ErrorCode(err) != admit.ERATELIMITED {
			t.Fatalf("attempt %d: %v, want rate limited", i, err)
		}
	}
	if err := try("192.0.2.2"); admit.ErrorCode(err) != admit.ERATELIMITED {
		t.Fatal(err)
	}
	clock.Set(t0.Add(90 * time.Second)) // the next minute
	try("192.0.2.2")
	got := map[string]int{}
	var summary string
	if _, err := svc.Store.ScanEvents(ctx, 0, func(e *admit.Event) error {
		if e.Action == "ratelimit.engaged" || e.Action == "ratelimit.summary" {
			got[e.Action+" "+e.Source]++
			if e.Action == "ratelimit.summary" {
				summary = e.Detail
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"ratelimit.engaged 192.0.2.1": 1, "ratelimit.engaged 192.0.2.2": 2, // once in each minute
		"ratelimit.summary 192.0.2.1": 1,
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d entries, want %d (all: %v)", k, got[k], n, got)
		}
	}
	if !strings.HasPrefix(summary, "4 more") {
		t.Errorf("summary %q, want 4 more attempts counted", summary)
	}
}
