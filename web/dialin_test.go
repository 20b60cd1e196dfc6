package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

// TestInvitationDialIn: the invitation on the meeting page names the
// deployment's dial-in numbers, with the one-tap form of each.
func TestInvitationDialIn(t *testing.T) {
	f := newFixture(t)
	f.app.DialIn = []admit.DialInNumber{
		{Number: "+15551234567", Country: "US", TollFree: true},
		{Number: "+442079460000", Country: "GB"},
		{Number: "+15550000002", Country: "US", AccountID: 999}, // another account's
	}
	c := f.mustSetup(t)
	start := f.clock.Now().Add(24 * 60 * 60 * 1e9)
	m, err := f.svc.CreateMeeting(context.Background(), f.owner(t), &admit.MeetingInput{Start: &start})
	if err != nil {
		t.Fatal(err)
	}
	r := c.get("/meetings/" + m.ID)
	wantStatus(t, r, http.StatusOK, "meeting page")
	body := strings.ReplaceAll(r.body, "&#43;", "+")
	for _, want := range []string{
		"By phone: dial +15551234567, enter the meeting ID",
		"+15551234567 (US, toll-free), one tap: +15551234567,," + m.MeetingID + "#",
		"+442079460000 (GB), one tap: +442079460000,," + m.MeetingID + "#",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("meeting page lacks %q", want)
		}
	}
	if strings.Contains(body, "+15550000002") {
		t.Error("meeting page lists another account's number")
	}
}

// TestJoinPagesDialIn: the join page of a meeting ID lists the numbers of
// no account with the one-tap form of that ID, whether or not the meeting
// exists (it tells nothing of it); the invitee's page lists the numbers
// that reach the meeting's account, and no other account's.
func TestJoinPagesDialIn(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	own := f.owner(t).User.AccountID
	f.app.DialIn = []admit.DialInNumber{
		{Number: "+15551234567", Country: "US", TollFree: true},
		{Number: "+15550000001", Country: "US", AccountID: own},
		{Number: "+15550000002", Country: "US", AccountID: own + 1},
	}
	f.svc.DialIn = f.app.DialIn
	start := f.clock.Now().Add(24 * 60 * 60 * 1e9)
	m, err := f.svc.CreateMeeting(context.Background(), f.owner(t), &admit.MeetingInput{Start: &start,
		Invitees: []*admit.InviteeInput{{Name: "Grace"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{m.MeetingID, "97531864200"} {
		r := c.get("/j/" + id)
		wantStatus(t, r, http.StatusOK, "join page")
		body := strings.ReplaceAll(r.body, "&#43;", "+")
		if want := `href="tel:+15551234567,,` + id + `#"`; !strings.Contains(body, want) {
			t.Errorf("join page of %s lacks %s", id, want)
		}
		if strings.Contains(body, "+15550000001") || strings.Contains(body, "+15550000002") {
			t.Errorf("join page of %s lists an account's number", id)
		}
	}
	link := m.Invitees[0].Link
	r := c.get(link[strings.Index(link, "/i/"):])
	wantStatus(t, r, http.StatusOK, "invitee page")
	body := strings.ReplaceAll(r.body, "&#43;", "+")
	for _, want := range []string{"+15551234567,," + m.MeetingID + "#", "+15550000001,," + m.MeetingID + "#"} {
		if !strings.Contains(body, want) {
			t.Errorf("invitee page lacks %s", want)
		}
	}
	if strings.Contains(body, "+15550000002") {
		t.Error("invitee page lists another account's number")
	}
}
