package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestBrowserEndReachesParticipants: End asks first (saying how many
// leave), and once confirmed every participant's page says, at once and
// after a reload, that the host ended the meeting; one who left before
// keeps "You left the meeting".
func TestBrowserEndReachesParticipants(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, desktopWidth)
	signUpOwner(t, s, host, false)
	tok := strings.TrimSpace(s.cli("token", "create", "--email", "ada@example.com"))
	m := s.schedule(tok, scheduledAt(time.Now().UTC().Add(5*time.Minute).Truncate(time.Minute), map[string]any{
		"security": map[string]any{"passcode": "unique", "waiting_room": false},
		"invitees": []map[string]any{{"name": "Grace Hopper"}, {"name": "Alan Turing"}},
	}))
	path := func(link string) string {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	grace := b.tab(s, phoneWidth)
	grace.open(path(m.Invitees[0].Link))
	grace.click("#join-button")
	grace.waitText("#status", "You are in the meeting")
	alan := b.tab(s, desktopWidth)
	alan.open(path(m.Invitees[1].Link))
	alan.click("#join-button")
	alan.waitText("#status", "You are in the meeting")
	alan.click("#leave")
	alan.waitText("#status", "You left the meeting")

	host.open("/meetings/" + m.ID)
	if st := host.click("#end"); st != 200 {
		t.Fatalf("End: %d, want a confirmation page", st)
	}
	if got := host.text("#end-count"); !strings.Contains(got, "1 in the meeting") {
		t.Errorf("the confirmation says %q, want 1 in the meeting", got)
	}
	host.check("host-end")
	grace.waitText("#status", "You are in the meeting") // nothing ended yet
	host.click("#end-form button[type=submit]")
	grace.waitText("#status", "The host ended the meeting")
	grace.check("ended")
	grace.open(grace.location())
	if got := grace.text("#status h1"); got != "The host ended the meeting" {
		t.Errorf("after a reload Grace's page says %q, want The host ended the meeting", got)
	}
	alan.open(alan.location())
	if got := alan.text("#status h1"); got != "You left the meeting" {
		t.Errorf("Alan, who left before the end, reads %q", got)
	}
}
