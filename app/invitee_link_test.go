package app_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

func TestInviteeLink(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	p := admit.DefaultSourcePolicy()
	p.MaxFailures, p.FreeFailures = 3, 3
	svc.Limiter = memory.NewLimiter(p)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Topic: ptr("Design review"), Start: ptr(t0),
		Invitees: []*admit.InviteeInput{{Name: "Grace Hopper"}}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.9", linkToken(m.Invitees[0].Link))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Name != "Grace Hopper" || inv.Topic != "Design review" || inv.MeetingID != m.MeetingID {
		t.Errorf("invitation %+v, want Grace Hopper to Design review (%s)", inv, m.MeetingID)
	}
	// Looking at an invitation does not join.
	roster, err := svc.Roster(ctx, host, m.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(roster.Participants) != 0 {
		t.Errorf("roster after looking at the invitation: %+v, want empty", roster.Participants)
	}

	// Unknown tokens get the uniform refusal and count as the source's
	// failures, each a different identifier tried: the third is the last
	// one allowed, and a fourth token, even a valid one, waits.
	for i := 0; i < 3; i++ {
		_, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.10", "AAAAAAAAAAAAAAAAAAAAA"+string(rune('A'+i)))
		if admit.ErrorCode(err) != admit.EREFUSED || admit.ErrorMessage(err) != admit.RefusalMessage {
			t.Fatalf("unknown token %d: %v, want the uniform refusal", i, err)
		}
	}
	if _, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.10", linkToken(m.Invitees[0].Link)); admit.ErrorCode(err) != admit.ERATELIMITED {
		t.Errorf("after three unknown tokens: %v, want rate limited", err)
	}
	if _, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.11", string(make([]byte, 65))); admit.ErrorCode(err) != admit.EINVALID || admit.ErrorField(err) != "token" {
		t.Errorf("long token: %v, want EINVALID naming token", err)
	}
}
