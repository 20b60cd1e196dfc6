package mail_test

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

var settings = &admit.SMTPSettings{Host: "127.0.0.1", Port: 25, Security: admit.SMTPNone,
	From: "meetings@admit.example", FromName: "admit", ReplyToHost: true}

func compose(t *testing.T, l *admit.Letter, id string) *parsedMessage {
	t.Helper()
	m, err := mail.Compose(l, id, settings, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	return parseMessage(t, b.Bytes())
}

func TestComposeLayoutAndHeaders(t *testing.T) {
	l := letterFor(1)
	p := compose(t, l, "abc123@admit.example")
	const want = "multipart/mixed[multipart/alternative[text/plain,text/html,text/calendar],application/ics]"
	if p.Layout != want {
		t.Errorf("layout\n got %s\nwant %s", p.Layout, want)
	}
	for h, want := range map[string]string{
		"Message-Id": "<abc123@admit.example>",
		"To":         `"Invitee 1" <invitee1@example.com>`,
		"From":       `"admit" <meetings@admit.example>`,
		"Reply-To":   `"Ada Host" <ada@example.com>`,
	} {
		if got := p.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	cal := p.part(t, "text/calendar")
	if cal.Params["method"] != "REQUEST" {
		t.Errorf("text/calendar method = %q, want REQUEST", cal.Params["method"])
	}
	att := p.part(t, "application/ics")
	if att.Disposition != "attachment" || att.Filename != "invite.ics" {
		t.Errorf("attachment %q %q, want attachment invite.ics", att.Disposition, att.Filename)
	}
	if !bytes.Equal(att.Body, cal.Body) {
		t.Errorf("the attachment and the inline calendar differ")
	}
	ev := parseICS(t, att.Body).Events()[0]
	if uid, _ := ev.Props.Text("UID"); uid != l.UID {
		t.Errorf("UID = %q, want %q", uid, l.UID)
	}
	if a := ev.Props.Values("ATTENDEE"); len(a) != 1 || a[0].Value != "mailto:invitee1@example.com" {
		t.Errorf("ATTENDEE %v, want the invitee only", a)
	}
	text := string(p.part(t, "text/plain").Body)
	html := string(p.part(t, "text/html").Body)
	for _, s := range secretsOf(l)[:5] {
		if !strings.Contains(text, s) {
			t.Errorf("the text lacks %q:\n%s", s, text)
		}
		if !strings.Contains(html, strings.ReplaceAll(s, "&", "&amp;")) {
			t.Errorf("the HTML lacks %q", s)
		}
	}
	if !strings.Contains(text, "123 4567 8901") || !strings.Contains(text, "Monday, 23 March 2026, 09:30–10:15 CET (Europe/Zurich)") {
		t.Errorf("the text lacks the meeting ID or the time in the meeting's zone:\n%s", text)
	}
}

func TestComposeLeavesOutWhatTheMeetingDoesNotUse(t *testing.T) {
	l := letterFor(2)
	l.PIN, l.PhonePasscode, l.Passcode, l.DialIn = "", "", "", nil
	text := string(compose(t, l, "x@y").part(t, "text/plain").Body)
	for _, label := range []string{"PIN", "Passcode", "Phone passcode", "Dial in"} {
		if strings.Contains(text, label+":") {
			t.Errorf("the text has %q without a value:\n%s", label, text)
		}
	}
}

func TestComposeCancelHasNoCredentials(t *testing.T) {
	l := letterFor(3)
	l.Kind, l.Sequence = admit.OutboxCancel, 4
	p := compose(t, l, "c@y")
	if got := p.part(t, "text/calendar").Params["method"]; got != "CANCEL" {
		t.Errorf("method = %q, want CANCEL", got)
	}
	for _, pt := range p.Parts {
		for _, s := range secretsOf(l)[:5] {
			if strings.Contains(string(pt.Body), s) {
				t.Errorf("the %s part of a cancel holds %q", pt.ContentType, s)
			}
		}
	}
	if !strings.HasPrefix(p.Header.Get("Subject"), "Cancelled: ") {
		t.Errorf("Subject = %q", p.Header.Get("Subject"))
	}
}

func TestComposeReminderHasNoCalendar(t *testing.T) {
	l := letterFor(1)
	l.Kind = admit.OutboxReminder
	p := compose(t, l, "r@y")
	if p.Layout != "multipart/alternative[text/plain,text/html]" {
		t.Errorf("layout %s", p.Layout)
	}
}

// injectionNames are names and topics that try to add headers or break the
// calendar.
var injectionNames = []string{
	"Eve\r\nBcc: victim@example.com",
	"Eve\nX-Evil: 1",
	"Eve\rSubject: hi",
	"Eve; \"quoted\", <tag>: \\",
	strings.Repeat("Zoë 😀 長い名前 ", 30),
}

func TestComposeNamesCannotInjectHeaders(t *testing.T) {
	for _, name := range injectionNames {
		l := letterFor(1)
		l.Invitee.Name, l.Organizer.Name, l.Topic = name, name, name
		p := compose(t, l, "i@y")
		var keys []string
		for k := range p.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []string{"Auto-Submitted", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Reply-To", "Subject", "To", "X-Auto-Response-Suppress"}
		if !slices.Equal(keys, want) {
			t.Errorf("name %q: headers %v, want %v", name, keys, want)
		}
		to, err := p.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != "invitee1@example.com" {
			t.Errorf("name %q: To %v %v", name, to, err)
		}
		if strings.Contains(to[0].Name, "\n") || strings.Contains(to[0].Name, "\r") {
			t.Errorf("name %q: To name keeps a line break", name)
		}
		ev := parseICS(t, p.part(t, "application/ics").Body).Events()[0]
		if len(ev.Props.Values("ATTENDEE")) != 1 {
			t.Errorf("name %q: %d attendees", name, len(ev.Props.Values("ATTENDEE")))
		}
	}
}

func TestComposeRefusesBadRecipient(t *testing.T) {
	for _, addr := range []string{"a@b.c\r\nBcc: x@y.z", "not-an-address", "\"quoted local\"@example.com", "a@b"} {
		l := letterFor(1)
		l.Invitee.Email = addr
		if _, err := mail.Compose(l, "x@y", settings, time.Now()); err == nil {
			t.Errorf("Compose accepted %q", addr)
		} else if admit.ErrorField(err) != "invitee.email" {
			t.Errorf("%q: error %v does not name invitee.email", addr, err)
		}
	}
}

func TestSealedLetterRoundTripsAndIsBound(t *testing.T) {
	ring := mustRing(t)
	l := letterFor(1)
	m, err := mail.NewOutboxMessage(strings.NewReader(strings.Repeat("r", 64)), ring, "admit.example", l, "mABC", "i1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.MessageID, "@admit.example") || len(m.MessageID) != 32+len("@admit.example") {
		t.Errorf("MessageID %q", m.MessageID)
	}
	if bytes.Contains(m.Payload, []byte(l.PIN)) || bytes.Contains(m.Payload, []byte(l.JoinURL)) {
		t.Errorf("the payload holds a credential in plaintext")
	}
	got, err := mail.OpenLetter(ring, m)
	if err != nil {
		t.Fatal(err)
	}
	if got.PIN != l.PIN || got.JoinURL != l.JoinURL || !got.Start.Equal(l.Start) {
		t.Errorf("the letter did not round-trip: %+v", got)
	}
	other := *m
	other.MessageID = "other@admit.example"
	if _, err := mail.OpenLetter(ring, &other); err == nil {
		t.Errorf("a payload opened under another Message-ID")
	}
}

// FuzzComposeHeaders: no name or topic adds a header, changes a recipient or
// breaks the calendar.
func FuzzComposeHeaders(f *testing.F) {
	for _, n := range injectionNames {
		f.Add(n, n)
	}
	f.Fuzz(func(t *testing.T, name, topic string) {
		l := letterFor(1)
		l.Invitee.Name, l.Organizer.Name, l.Topic = name, name, topic
		p := compose(t, l, "f@y")
		var keys []string
		for k := range p.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []string{"Auto-Submitted", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Reply-To", "Subject", "To", "X-Auto-Response-Suppress"}
		if !slices.Equal(keys, want) {
			t.Fatalf("headers %v, want %v", keys, want)
		}
		to, err := p.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != "invitee1@example.com" {
			t.Fatalf("To %v %v", to, err)
		}
		ev := parseICS(t, p.part(t, "application/ics").Body).Events()[0]
		if a := ev.Props.Values("ATTENDEE"); len(a) != 1 || a[0].Value != "mailto:invitee1@example.com" {
			t.Fatalf("attendees %v", a)
		}
	})
}

// TestCalendarPartKeepsCRLF: the inline calendar arrives byte for byte as
// ical wrote it (CRLF, folding), equal to the attachment.
func TestCalendarPartKeepsCRLF(t *testing.T) {
	l := letterFor(1)
	l.Topic = strings.Repeat("Ein sehr langes Thema mit Umlauten äöü ", 8)
	p := compose(t, l, "crlf@y")
	want, err := mail.ICS(l)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.part(t, "text/calendar").Body; !bytes.Equal(got, want) {
		t.Errorf("the inline calendar differs from the file ical wrote")
	}
}
