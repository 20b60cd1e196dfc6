package app_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

// TestInviteeLinkDerived: an invitee's link token is derived, not stored:
// the store keeps its index and generation and no sealed copy; the host
// sees the same link on every reading; regenerating the invitee's
// credentials gives a new link and the old one stops working; another
// meeting's invitee gets another token.
func TestInviteeLinkDerived(t *testing.T) {
	svc, host, _ := mustService(t, rand.Reader)
	ctx := context.Background()
	m, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Invitees: []*admit.InviteeInput{{Name: "Grace"}}})
	if err != nil {
		t.Fatal(err)
	}
	link := m.Invitees[0].Link
	if link == "" {
		t.Fatal("no invitee link")
	}
	stored, err := svc.Store.FindMeetingByID(ctx, host.User.AccountID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	inv := stored.Invitees[0]
	if inv.Token == nil || inv.Token.Index == nil || inv.Token.Sealed != nil || inv.TokenGeneration != 1 {
		t.Fatalf("stored token %+v, generation %d; want an index, nothing sealed, generation 1", inv.Token, inv.TokenGeneration)
	}
	again, err := svc.ShowMeeting(ctx, host, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Invitees[0].Link != link {
		t.Errorf("the link shown again %q, first %q", again.Invitees[0].Link, link)
	}
	token := func(l string) string { return l[strings.LastIndex(l, "/")+1:] }
	if r, err := svc.Join(ctx, &admit.JoinRequest{Token: token(link), Channel: admit.ChannelAPI, Source: "192.0.2.1"}); err != nil || r.Status != admit.StatusAdmitted {
		t.Fatalf("joining by the link: %v, %v", r, err)
	}
	re, err := svc.Regenerate(ctx, host, m.ID, "invitee", 0, m.Invitees[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if re.Invitees[0].Link == link {
		t.Fatal("regenerating the invitee kept the link")
	}
	if _, err := svc.Join(ctx, &admit.JoinRequest{Token: token(link), Channel: admit.ChannelAPI, Source: "192.0.2.2"}); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("the old link after regenerating: %v, want the refusal", err)
	}
	if r, err := svc.Join(ctx, &admit.JoinRequest{Token: token(re.Invitees[0].Link), Channel: admit.ChannelAPI, Source: "192.0.2.3"}); err != nil || r.Status != admit.StatusAdmitted {
		t.Errorf("joining by the new link: %v, %v", r, err)
	}
	other, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0), Invitees: []*admit.InviteeInput{{Name: "Grace"}}})
	if err != nil {
		t.Fatal(err)
	}
	if token(other.Invitees[0].Link) == token(link) || token(other.Invitees[0].Link) == token(re.Invitees[0].Link) {
		t.Error("another meeting's invitee got the same token")
	}
}
