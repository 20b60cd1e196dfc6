package e2e_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/admit-project/admit/mail/mailtest"
)

// startMailServer starts admit serve sending mail to pit.
func startMailServer(t *testing.T, data string, pit *mailtest.Mailpit) *server {
	t.Helper()
	return startServer(t, data, "--smtp-host", pit.SMTPHost, "--smtp-port", strconv.Itoa(pit.SMTPPort),
		"--smtp-security", "none", "--smtp-from", "meetings@admit.test", "--smtp-from-name", "admit", "--mail-interval", "100ms")
}

// calendarOf parses the invite.ics of a message with go-ical.
func calendarOf(t *testing.T, pit *mailtest.Mailpit, id string) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(pit.Attachment(t, id, "invite.ics"))).Decode()
	if err != nil {
		t.Fatalf("invite.ics of %s: %v", id, err)
	}
	return cal
}

func inviteesBody(start time.Time, extra map[string]any) map[string]any {
	b := map[string]any{"topic": "Quarterly plans; budget, hiring", "start": start.Format(time.RFC3339), "duration_minutes": 45,
		"timezone": "Europe/Zurich", "security": map[string]any{"passcode": "unique", "access_code": true},
		"invitees": []map[string]any{
			{"name": "Grace Hopper", "email": "grace@example.com"},
			{"name": "Alan Turing", "email": "alan@example.com"},
			{"name": "Ada \"Countess\" Lovelace", "email": "ada@example.com"},
		}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// TestMailInvitationsUpdateCancel: a new meeting with three invitees sends
// three messages, each with only its invitee's credentials; an update keeps
// the calendar UID and raises SEQUENCE; a delete sends METHOD:CANCEL.
func TestMailInvitationsUpdateCancel(t *testing.T) {
	pit := mailtest.Start(t)
	s := startMailServer(t, "", pit)
	tok := s.host("host@example.com", "Host Person")
	start := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	m := s.schedule(tok, inviteesBody(start, nil))
	if len(m.Invitees) != 3 {
		t.Fatalf("%d invitees", len(m.Invitees))
	}
	got := pit.WaitMessages(t, 3)
	if len(got) != 3 {
		t.Fatalf("%d messages, want 3", len(got))
	}
	uid := ""
	for _, msg := range got {
		if len(msg.To) != 1 {
			t.Fatalf("message to %v", msg.To)
		}
		to := msg.To[0].Address
		d := pit.Message(t, msg.ID)
		raw := string(pit.Raw(t, msg.ID))
		for _, inv := range m.Invitees {
			own := inv.Email == to
			for _, secret := range []string{inv.Link, inv.PIN, inv.Passcode} {
				if secret == "" {
					t.Fatalf("invitee %s has an empty credential", inv.Email)
				}
				if strings.Contains(d.Text, secret) != own {
					t.Errorf("message to %s: holds %s's credential %q: %v", to, inv.Email, secret, !own)
				}
				if !own && strings.Contains(raw, secret) {
					t.Errorf("message to %s: its source holds %s's %q", to, inv.Email, secret)
				}
			}
		}
		if code := m.Occurrences[0].AccessCode; code == "" || !strings.Contains(d.Text, code) {
			t.Errorf("message to %s lacks the access code %q", to, code)
		}
		if !strings.Contains(d.Text, "Europe/Zurich") || !strings.Contains(d.Text, m.MeetingID[:3]) {
			t.Errorf("message to %s lacks the time zone or meeting ID:\n%s", to, d.Text)
		}
		cal := calendarOf(t, pit, msg.ID)
		if cal.Props.Get("METHOD").Value != "REQUEST" {
			t.Errorf("METHOD %s", cal.Props.Get("METHOD").Value)
		}
		ev := cal.Events()[0]
		u, _ := ev.Props.Text("UID")
		if uid == "" {
			uid = u
		} else if u != uid {
			t.Errorf("UIDs %q and %q for one meeting", u, uid)
		}
		if seq := ev.Props.Get("SEQUENCE").Value; seq != "0" {
			t.Errorf("SEQUENCE %s, want 0", seq)
		}
		if a := ev.Props.Values("ATTENDEE"); len(a) != 1 || a[0].Value != "mailto:"+to {
			t.Errorf("message to %s: attendees %v", to, a)
		}
	}

	// Move it an hour later, a minute after scheduling.
	s.advance(time.Minute)
	s.do("PATCH", "/api/v1/meetings/"+m.ID, tok, map[string]any{"start": start.Add(time.Hour).Format(time.RFC3339)}).must(t, 200)
	got = pit.WaitMessages(t, 6)
	for _, msg := range got[:3] {
		if !strings.HasPrefix(msg.Subject, "Updated invitation: ") {
			t.Errorf("subject %q, want an update", msg.Subject)
		}
		ev := calendarOf(t, pit, msg.ID).Events()[0]
		u, _ := ev.Props.Text("UID")
		seq, _ := strconv.Atoi(ev.Props.Get("SEQUENCE").Value)
		st, _ := ev.Props.DateTime("DTSTART", nil)
		if u != uid || seq < 60 || !st.Equal(start.Add(time.Hour)) {
			t.Errorf("update to %s: UID %q SEQUENCE %d start %v, want %q, at least 60, %v", msg.To[0].Address, u, seq, st, uid, start.Add(time.Hour))
		}
	}

	s.advance(time.Minute)
	s.do("DELETE", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 204)
	got = pit.WaitMessages(t, 9)
	for _, msg := range got[:3] {
		cal := calendarOf(t, pit, msg.ID)
		ev := cal.Events()[0]
		u, _ := ev.Props.Text("UID")
		st, _ := ev.Props.Text("STATUS")
		if cal.Props.Get("METHOD").Value != "CANCEL" || u != uid || st != "CANCELLED" {
			t.Errorf("cancel to %s: METHOD %s UID %q STATUS %s", msg.To[0].Address, cal.Props.Get("METHOD").Value, u, st)
		}
	}
}

// TestMailSurvivesKill: the SMTP server is down when the meeting is
// scheduled, admit is killed with SIGKILL after the commit, and after both
// come back each invitee gets the invitation exactly once.
func TestMailSurvivesKill(t *testing.T) {
	pit := mailtest.Start(t)
	data := t.TempDir()
	s := startMailServer(t, data, pit)
	tok := s.host("host@example.com", "Host Person")
	pit.Stop()
	m := s.schedule(tok, inviteesBody(time.Now().UTC().Add(72*time.Hour).Truncate(time.Hour), nil))
	time.Sleep(500 * time.Millisecond) // attempts fail while SMTP is down
	s.kill()
	pit.Restart()
	if n := len(pit.Messages(t)); n != 0 {
		t.Fatalf("%d messages arrived while SMTP was down", n)
	}
	s2 := startMailServer(t, data, pit)
	s2.advance(3 * time.Minute) // past the backoff and any lease of the killed node
	got := pit.WaitMessages(t, 3)
	time.Sleep(time.Second) // nothing more arrives
	got = pit.Messages(t)
	ids := map[string]int{}
	to := map[string]int{}
	for _, msg := range got {
		ids[msg.MessageID]++
		to[msg.To[0].Address]++
	}
	if len(got) != 3 || len(ids) != 3 {
		t.Errorf("%d messages with %d Message-IDs, want 3 and 3: %v", len(got), len(ids), to)
	}
	for _, inv := range m.Invitees {
		if to[inv.Email] != 1 {
			t.Errorf("%s got %d messages, want 1", inv.Email, to[inv.Email])
		}
	}
}

// TestMailWaitsForSMTP: with the SMTP server down for a while, the
// invitations wait and are delivered once it is back.
func TestMailWaitsForSMTP(t *testing.T) {
	pit := mailtest.Start(t)
	s := startMailServer(t, "", pit)
	tok := s.host("host@example.com", "Host Person")
	pit.Stop()
	s.schedule(tok, inviteesBody(time.Now().UTC().Add(72*time.Hour).Truncate(time.Hour), nil))
	time.Sleep(time.Second)
	s.advance(time.Minute) // a minute down: retries fail
	time.Sleep(500 * time.Millisecond)
	pit.Restart()
	s.advance(10 * time.Minute) // past the next retry
	if got := pit.WaitMessages(t, 3); len(got) != 3 {
		t.Errorf("%d messages, want 3", len(got))
	}
}

// TestMailRemindersPerOccurrence: each occurrence of a series gets a
// reminder an hour before, with that occurrence's access code only.
func TestMailRemindersPerOccurrence(t *testing.T) {
	pit := mailtest.Start(t)
	s := startMailServer(t, "", pit)
	tok := s.host("host@example.com", "Host Person")
	base := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	s.setClock(base.Add(-24 * time.Hour))
	m := s.schedule(tok, map[string]any{"topic": "Daily", "kind": "recurring", "start": base.Format(time.RFC3339),
		"duration_minutes": 30, "timezone": "UTC", "security": map[string]any{"access_code": true},
		"recurrence": map[string]any{"freq": "daily", "count": 3},
		"invitees":   []map[string]any{{"name": "Grace", "email": "grace@example.com"}, {"name": "Alan", "email": "alan@example.com"}}})
	pit.WaitMessages(t, 2) // the invitations
	pit.DeleteAll(t)
	for i, o := range m.Occurrences {
		s.setClock(o.Start.Add(-59 * time.Minute))
		got := pit.WaitMessages(t, 2*(i+1))
		time.Sleep(300 * time.Millisecond)
		if n := len(pit.Messages(t)); n != 2*(i+1) {
			t.Fatalf("occurrence %d: %d reminders in all, want %d", i+1, n, 2*(i+1))
		}
		for _, msg := range got[:2] {
			d := pit.Message(t, msg.ID)
			if !strings.HasPrefix(d.Subject, "Reminder: ") {
				t.Errorf("subject %q", d.Subject)
			}
			for j, other := range m.Occurrences {
				if strings.Contains(d.Text, other.AccessCode) != (j == i) {
					t.Errorf("reminder of occurrence %d to %s: holds occurrence %d's code: %v", i+1, msg.To[0].Address, j+1, j != i)
				}
			}
		}
	}
}

// TestMailAccountSMTP: a deployment without --smtp-host; the account's
// owner sets its own SMTP server (authentication, password sealed) through
// the API, and its meetings' invitations go through it from its own From.
// Removing one invitee sends a cancellation to them alone. The password is
// in no answer and not in the server's log.
func TestMailAccountSMTP(t *testing.T) {
	pit := mailtest.StartWith(t, mailtest.Options{Auth: true})
	s := startServer(t, "", "--mail-interval", "100ms")
	tok := s.host("owner@example.com", "Owner Person")
	mail := s.do("GET", "/api/v1/mail", tok, nil).must(t, 200)
	if !strings.Contains(string(mail.raw), `"enabled":false`) {
		t.Fatalf("mail status before the account's server: %s", mail.raw)
	}
	set := s.do("PUT", "/api/v1/account/mail/smtp", tok, map[string]any{"host": pit.SMTPHost, "port": pit.SMTPPort,
		"security": "none", "username": mailtest.Username, "password": mailtest.Password,
		"from": "meetings@acme.example", "from_name": "Acme"}).must(t, 200)
	if strings.Contains(string(set.raw), mailtest.Password) {
		t.Errorf("the answer holds the password: %s", set.raw)
	}
	if got := s.do("GET", "/api/v1/mail", tok, nil).must(t, 200); !strings.Contains(string(got.raw), `"enabled":true`) {
		t.Errorf("mail status with the account's server: %s", got.raw)
	}
	start := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	m := s.schedule(tok, inviteesBody(start, nil))
	got := pit.WaitMessages(t, 3)
	for _, msg := range got {
		if msg.From.Address != "meetings@acme.example" {
			t.Errorf("message to %v from %s, want the account's From", msg.To, msg.From.Address)
		}
	}
	s.advance(time.Minute)
	s.do("DELETE", "/api/v1/meetings/"+m.ID+"/invitees/"+m.Invitees[1].ID, tok, nil).must(t, 200)
	got = pit.WaitMessages(t, 4)
	cancel := got[0]
	if len(cancel.To) != 1 || cancel.To[0].Address != m.Invitees[1].Email {
		t.Fatalf("after removing %s the newest message is to %v", m.Invitees[1].Email, cancel.To)
	}
	if cal := calendarOf(t, pit, cancel.ID); cal.Props.Get("METHOD").Value != "CANCEL" {
		t.Errorf("METHOD %s, want CANCEL", cal.Props.Get("METHOD").Value)
	}
	// The others get nothing more: the outbox holds the three invitations
	// and the one cancellation (messages are written with their change).
	ds := s.do("GET", "/api/v1/meetings/"+m.ID+"/deliveries", tok, nil).must(t, 200)
	if list, _ := ds.body["deliveries"].([]any); len(list) != 4 {
		t.Errorf("%d deliveries, want 4 (three invitations, one cancellation): %s", len(list), ds.raw)
	}
	if strings.Contains(s.logs.String(), mailtest.Password) {
		t.Error("the server's log holds the SMTP password")
	}
}
