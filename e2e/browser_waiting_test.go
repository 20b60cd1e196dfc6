package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// rosterNames returns the display names in a meeting's roster (API):
// those in the meeting and those waiting.
func rosterNames(t *testing.T, s *server, tok, id string) (in, waiting []string) {
	t.Helper()
	r := s.do("GET", "/api/v1/meetings/"+id+"/participants", tok, nil).must(t, 200)
	names := func(key string) []string {
		var out []string
		rows, _ := r.body[key].([]any)
		for _, row := range rows {
			p, _ := row.(map[string]any)
			n, _ := p["display_name"].(string)
			out = append(out, n)
		}
		return out
	}
	return names("participants"), names("waiting")
}

// TestBrowserInviteesWaitForTheHost has two invitees join on their unique
// links, one of them twice (a shared link: "Name (2)"), into a waiting
// room; the host (through the API) admits one and denies another, and each
// participant's page follows by itself.
func TestBrowserInviteesWaitForTheHost(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(10*time.Minute), map[string]any{
		"security": map[string]any{"passcode": "unique", "waiting_room": true},
		"invitees": []map[string]any{{"name": "Grace Hopper", "email": "grace@example.com"}, {"name": "Alan Turing"}},
	}))
	if len(m.Invitees) != 2 {
		t.Fatalf("invitees %+v", m.Invitees)
	}
	b := newBrowser(t)
	path := func(link string) string {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}

	grace := b.tab(s, phoneWidth)
	if st := grace.open(path(m.Invitees[0].Link)); st != 200 {
		t.Fatalf("Grace's link: %d", st)
	}
	if got := grace.text("#greeting"); got != "Welcome, Grace Hopper" {
		t.Errorf("greeting %q, want Welcome, Grace Hopper", got)
	}
	grace.check("invitation")
	grace.click("#join-button")
	grace.waitText("#status", "Waiting for the host to let you in")
	if grace.has(`meta[http-equiv="refresh"]`) {
		t.Errorf("with JavaScript the waiting page refreshes itself: it should follow the events only")
	}
	grace.check("waiting")

	alan := b.tab(s, desktopWidth)
	alan.open(path(m.Invitees[1].Link))
	alan.click("#join-button")
	alan.waitText("#status", "Waiting for the host to let you in")

	// Grace's link once more, on another device: a shared credential.
	grace2 := b.tab(s, desktopWidth)
	grace2.open(path(m.Invitees[0].Link))
	grace2.click("#join-button")
	grace2.waitText("#status", "Waiting for the host to let you in")
	grace2.waitText("#status", "Grace Hopper (2)")

	_, waiting := rosterNames(t, s, tok, m.ID)
	if len(waiting) != 3 {
		t.Fatalf("waiting room %q, want three", waiting)
	}

	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+s.handle(tok, m.ID, "Grace Hopper")+"/admit", tok, nil).must(t, 200)
	grace.waitText("#status", "You are in the meeting")
	grace.check("admitted")
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+s.handle(tok, m.ID, "Grace Hopper (2)")+"/deny", tok, nil).must(t, 200)
	grace2.waitText("#status", "The host did not let you in")
	grace2.check("denied")
	alan.click("#leave")
	alan.waitText("#status", "You left the meeting")
	if in, waiting := rosterNames(t, s, tok, m.ID); len(in) != 1 || in[0] != "Grace Hopper" || len(waiting) != 0 {
		t.Errorf("roster %q waiting %q, want Grace Hopper in and none waiting", in, waiting)
	}
	// Participant IDs are capabilities: never in the server's log.
	for _, p := range []*tab{grace, grace2, alan} {
		if pid := pidOf(t, p); strings.Contains(s.logs.String(), pid) {
			t.Errorf("participant ID %s is in the server's log", pid)
		}
	}
}

// TestBrowserWithoutJavaScript joins through /j with JavaScript off: plain
// forms all the way, and the waiting page refreshes itself until the host
// lets the participant in.
func TestBrowserWithoutJavaScript(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(10*time.Minute), map[string]any{"security": map[string]any{"waiting_room": true},
		"invitees": []map[string]any{{"name": "Grace Hopper"}}}))
	b := newBrowser(t)
	p := b.tab(s, phoneWidth)
	p.noScript()

	p.open("/j")
	p.fill("#meeting_id", m.MeetingID)
	p.click("#join-form button[type=submit]")
	p.fill("#passcode", "wrong")
	p.click("#passcode-form button[type=submit]")
	if got := p.text(`.error[role="alert"]`); got != refusalText {
		t.Errorf("without JS, wrong passcode's message %q", got)
	}
	p.fill("#passcode", m.Passcode)
	p.fill("#name", "Nora NoScript")
	p.click("#passcode-form button[type=submit]")
	p.waitText("#status", "Waiting for the host to let you in")
	// With scripting off, the <noscript> refresh is a real element.
	if !p.has(`meta[http-equiv="refresh"]`) {
		t.Fatalf("the waiting page has no refresh for a browser without JavaScript")
	}
	// The page refreshes itself every few seconds: a screenshot, but no
	// accessibility run that a refresh could cut short (the same page with
	// JavaScript is checked in TestBrowserInviteesWaitForTheHost).
	p.screenshot("waiting-no-js")
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+s.handle(tok, m.ID, "Nora NoScript")+"/admit", tok, nil).must(t, 200)
	p.waitText("#status", "You are in the meeting")
	p.click("#leave")
	p.waitText("#status", "You left the meeting")

	// An invitee's link, and leaving the waiting room, without JavaScript.
	link, err := url.Parse(m.Invitees[0].Link)
	if err != nil {
		t.Fatal(err)
	}
	p.open(link.Path)
	if got := p.text("#greeting"); got != "Welcome, Grace Hopper" {
		t.Errorf("without JS, greeting %q", got)
	}
	p.click("#join-button")
	p.waitText("#status", "Waiting for the host to let you in")
	p.click("#leave")
	p.waitText("#status", "You left the meeting")
}
