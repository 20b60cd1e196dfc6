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
}
