package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/clock"
)

// TestJoinRightAfterTheServiceWrites: a meeting this service has just made
// is found by its number at once, and a code it has just drawn works at
// once, without waiting for the join cache's next read of the change log
// (the cache's clock stands still here, so that read never comes).
func TestJoinRightAfterTheServiceWrites(t *testing.T) {
	svc, host, _ := mustService(t, nil)
	svc.CacheClock = clock.NewFixedClock(time.Now())
	ctx := context.Background()
	schedule := func(topic string) *admit.MeetingView {
		t.Helper()
		start := t0.Add(5 * time.Minute)
		m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Topic: &topic, Start: &start})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	join := func(req *admit.JoinRequest, what string) {
		t.Helper()
		req.Channel, req.Source, req.Name = admit.ChannelWeb, "192.0.2.7", "Ann"
		if res, err := svc.Join(ctx, req); err != nil || res.Status == "" {
			t.Errorf("%s: %v", what, err)
		}
	}
	first := schedule("First")
	join(&admit.JoinRequest{MeetingID: first.MeetingID, Passcode: first.Passcode}, "join the first meeting (the cache loads)")
	second := schedule("Second")
	join(&admit.JoinRequest{MeetingID: second.MeetingID, Passcode: second.Passcode}, "join a meeting made after the cache loaded")
	m, err := svc.Regenerate(ctx, host, second.ID, "access_code", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	join(&admit.JoinRequest{AccessCode: m.Occurrences[0].AccessCode, Passcode: second.Passcode}, "join with an access code drawn a moment ago")
}
