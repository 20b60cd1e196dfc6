package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

// TestRateLimitAudit checks that rate-limited attempts reach the audit
// trail as one "engaged" entry per source per minute, at once, and one
// summary of the rest once the minute is over.
func TestRateLimitAudit(t *testing.T) {
	svc, _, clock := mustService(t, rand.Reader)
	svc.Limiter = memory.NewLimiter(admit.SourcePolicy{MaxFailures: 1, Window: time.Hour, FreeFailures: 1, BaseDelay: time.Second, MaxDelay: time.Minute})
	ctx := context.Background()
	clock.Set(t0.Add(30 * time.Second))
	n := 0
	try := func(src string) error { // each at another meeting ID
		n++
		_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: fmt.Sprintf("987654321%02d", n), Passcode: "Guess12345", Source: src})
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
