package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// refusalText is the participant pages' one message for credentials that
// let no one in.
const refusalText = "Invalid meeting ID or passcode. Check the invitation, and copy and paste it exactly."

// pidOf returns the participant ID in a status page's URL.
func pidOf(t *testing.T, tb *tab) string {
	t.Helper()
	u, err := url.Parse(tb.location())
	if err != nil || !strings.HasPrefix(u.Path, "/p/") {
		t.Fatalf("not on a participant's page: %s", tb.location())
	}
	return strings.TrimPrefix(u.Path, "/p/")
}

// TestBrowserJoinByMeetingID joins at phone width through /j (a grouped
// meeting ID, a wrong passcode first), leaves, joins with an access code,
// and checks a malformed meeting ID's message.
func TestBrowserJoinByMeetingID(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(time.Hour), nil))
	s.setClock(monday.Add(50 * time.Minute))
	b := newBrowser(t)
	p := b.tab(s, phoneWidth)

	if st := p.open("/j"); st != 200 {
		t.Fatalf("/j: %d", st)
	}
	p.check("join-meeting-id")
	p.fill("#meeting_id", m.MeetingID[:3]+"-"+m.MeetingID[3:7]+" "+m.MeetingID[7:])
	if st := p.click("#join-form button[type=submit]"); st != 200 {
		t.Fatalf("meeting ID submitted: %d", st)
	}
	if u, _ := url.Parse(p.location()); u == nil || u.Path != "/j/"+m.MeetingID {
		t.Fatalf("after the meeting ID: %s, want /j/%s", p.location(), m.MeetingID)
	}
	p.check("join-passcode")

	p.fill("#passcode", "not-the-passcode")
	p.fill("#name", "Alan Turing")
	if st := p.click("#passcode-form button[type=submit]"); st != 403 {
		t.Errorf("wrong passcode: %d, want 403", st)
	}
	if got := p.text(`.error[role="alert"]`); got != refusalText {
		t.Errorf("wrong passcode's message %q, want %q", got, refusalText)
	}
	var typed string
	p.eval(`document.querySelector("#passcode").value`, &typed)
	if typed != "" {
		t.Errorf("the passcode field holds %q after a refusal, want it empty", typed)
	}
	p.check("join-refused")

	p.fill("#passcode", m.Passcode)
	p.click("#passcode-form button[type=submit]")
	p.waitText("#status", "You are in the meeting")
	if got := p.text("#status"); !strings.Contains(got, "Weekly sync") || !strings.Contains(got, "Alan Turing") {
		t.Errorf("joined page %q lacks the topic or the name", got)
	}
	p.check("joined")
	p.click("#leave")
	p.waitText("#status", "You left the meeting")
	p.check("left")

	p.open("/code")
	p.check("join-access-code")
	p.fill("#access_code", m.Occurrences[0].AccessCode)
	p.fill("#passcode", m.Passcode)
	p.fill("#name", "Bob")
	p.click("#code-form button[type=submit]")
	p.waitText("#status", "You are in the meeting")

	p.open("/j")
	p.fill("#meeting_id", "12345")
	if st := p.click("#join-form button[type=submit]"); st != 400 {
		t.Errorf("malformed meeting ID: %d, want 400", st)
	}
	if got := p.text("#meeting_id-error"); got != "Meeting ID has 10 or 11 digits, not 5." {
		t.Errorf("malformed meeting ID's message %q", got)
	}
	var described string
	p.eval(`document.querySelector("#meeting_id").getAttribute("aria-describedby")`, &described)
	if !strings.Contains(described, "meeting_id-error") {
		t.Errorf("the meeting ID's error is not tied to its input: aria-describedby=%q", described)
	}
	p.check("join-malformed")
}

// TestBrowserJoinURL follows a join URL: no passcode prompt.
func TestBrowserJoinURL(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(10*time.Minute), nil))
	b := newBrowser(t)
	p := b.tab(s, phoneWidth)
	u, err := url.Parse(m.JoinURL)
	if err != nil {
		t.Fatal(err)
	}
	p.open(u.RequestURI())
	if p.has("#passcode") {
		t.Errorf("the join URL's page asks for the passcode")
	}
	p.check("join-url")
	p.fill("#name", "Carol")
	p.click("#passcode-form button[type=submit]")
	p.waitText("#status", "You are in the meeting")
}
