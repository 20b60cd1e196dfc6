package mail_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

// seriesView is a revealed view of a weekly series of four with three
// invitees, unique passcodes and an access code per occurrence.
func seriesView() *admit.MeetingView {
	start := time.Date(2026, 3, 23, 8, 30, 0, 0, time.UTC)
	v := &admit.MeetingView{ID: "mSERIES", MeetingID: "12345678901", Topic: "Weekly", Kind: admit.KindRecurring,
		JoinURL: "https://admit.example/j/12345678901?pwd=shared", Start: &start, DurationMinutes: 45,
		Timezone: "Europe/Zurich", Recurrence: &admit.Recurrence{Freq: "weekly", Interval: 1, Count: 4},
		Passcode: "SHAREDPASS", PhonePasscode: "777000"}
	starts, err := v.Recurrence.Starts(start, zurich)
	if err != nil {
		panic(err)
	}
	for i, s := range starts {
		v.Occurrences = append(v.Occurrences, &admit.OccurrenceView{Index: i + 1, Start: s, End: s.Add(45 * time.Minute),
			OpensAt: s.Add(-15 * time.Minute), ClosesAt: s.Add(60 * time.Minute), AccessCode: fmt.Sprintf("OCC%dCODE", i+1)})
	}
	for i := 1; i <= 3; i++ {
		v.Invitees = append(v.Invitees, &admit.InviteeView{ID: fmt.Sprintf("i%d", i), Name: fmt.Sprintf("Guest %d", i),
			Email: fmt.Sprintf("guest%d@example.com", i), Link: fmt.Sprintf("https://admit.example/i/TOKEN%d", i),
			PIN: fmt.Sprintf("PIN%d", i), Passcode: fmt.Sprintf("UNIQUE%d", i), PhonePasscode: fmt.Sprintf("PHONE%d", i)})
	}
	v.Invitees = append(v.Invitees, &admit.InviteeView{ID: "i4", Name: "Phone only", Phone: "+41 44 000 00 00"})
	return v
}

func allText(t *testing.T, l *admit.Letter) string {
	t.Helper()
	p := compose(t, l, "x@admit.example")
	var b strings.Builder
	for _, pt := range p.Parts {
		b.Write(pt.Body)
	}
	return b.String()
}

func TestLettersHoldEachInviteesOwnCredentials(t *testing.T) {
	v := seriesView()
	now := v.Occurrences[0].Start.Add(-48 * time.Hour)
	letters, err := mail.Letters(v, mail.LetterOptions{Kind: admit.OutboxInvitation, Organizer: admit.Addressee{Name: "Ada", Email: "ada@example.com"},
		UIDDomain: "admit.example", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(letters) != 3 {
		t.Fatalf("%d letters, want 3 (the phone-only invitee gets none)", len(letters))
	}
	for i, l := range letters {
		inv := v.Invitees[i]
		text := allText(t, l)
		for _, own := range []string{inv.Link, inv.PIN, inv.Passcode, inv.PhonePasscode, "OCC1CODE"} {
			if !strings.Contains(text, own) {
				t.Errorf("%s: lacks %q", inv.Email, own)
			}
		}
		var others []string
		for j, o := range v.Invitees[:3] {
			if j != i {
				others = append(others, o.Link, o.PIN, o.Passcode, o.PhonePasscode, o.Email)
			}
		}
		// A unique passcode replaces the shared one, and the invitation
		// carries the next occurrence's code only.
		others = append(others, "SHAREDPASS", "777000", "pwd=shared", "OCC2CODE", "OCC3CODE", "OCC4CODE")
		for _, s := range others {
			if strings.Contains(text, s) {
				t.Errorf("%s: holds %q", inv.Email, s)
			}
		}
		if l.UID != "mSERIES@admit.example" {
			t.Errorf("UID %q", l.UID)
		}
	}
}

func TestLettersSharedPasscode(t *testing.T) {
	v := seriesView()
	for _, inv := range v.Invitees {
		inv.Passcode, inv.PhonePasscode = "", ""
	}
	letters, err := mail.Letters(v, mail.LetterOptions{Kind: admit.OutboxInvitation, UIDDomain: "x", Now: v.Occurrences[0].Start})
	if err != nil {
		t.Fatal(err)
	}
	if letters[0].Passcode != "SHAREDPASS" || letters[0].PhonePasscode != "777000" {
		t.Errorf("passcode %q %q, want the shared one", letters[0].Passcode, letters[0].PhonePasscode)
	}
}

func TestInvitationCarriesTheNextOccurrencesCode(t *testing.T) {
	v := seriesView()
	// After the first occurrence's window closed, the next one is the second.
	now := v.Occurrences[0].ClosesAt
	l, err := mail.LetterFor(v, v.Invitees[0], mail.LetterOptions{Kind: admit.OutboxUpdate, UIDDomain: "x", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if l.AccessCode != "OCC2CODE" || l.Occurrence.Index != 2 {
		t.Errorf("code %q occurrence %d, want the second's", l.AccessCode, l.Occurrence.Index)
	}
}

func TestRemindersPerOccurrence(t *testing.T) {
	v := seriesView()
	lead := mail.DefaultReminderLead
	for i, o := range v.Occurrences {
		if got := mail.DueReminders(v, o.Start.Add(-lead-time.Second), lead); len(got) != 0 {
			t.Errorf("occurrence %d: due %v before the lead", i+1, got)
		}
		got := mail.DueReminders(v, o.Start.Add(-lead), lead)
		if !slices.Equal(got, []int{i + 1}) {
			t.Errorf("at the lead of occurrence %d: due %v", i+1, got)
		}
		if got := mail.DueReminders(v, o.Start, lead); len(got) != 0 {
			t.Errorf("occurrence %d: due %v at its start", i+1, got)
		}
		letters, err := mail.ReminderLetters(v, o.Index, mail.LetterOptions{UIDDomain: "x", Now: o.Start.Add(-lead)})
		if err != nil {
			t.Fatal(err)
		}
		if len(letters) != 3 {
			t.Fatalf("%d reminders, want 3", len(letters))
		}
		for _, l := range letters {
			text := allText(t, l)
			for j := range v.Occurrences {
				code := fmt.Sprintf("OCC%dCODE", j+1)
				if strings.Contains(text, code) != (j == i) {
					t.Errorf("reminder of occurrence %d to %s: holds %s = %v", i+1, l.Invitee.Email, code, j != i)
				}
			}
			if !strings.HasPrefix(mail.Subject(l, zurich), "Reminder: ") {
				t.Errorf("subject %q", mail.Subject(l, zurich))
			}
		}
	}
	ended := time.Now()
	v.Occurrences[1].EndedAt = &ended
	if got := mail.DueReminders(v, v.Occurrences[1].Start.Add(-time.Minute), lead); len(got) != 0 {
		t.Errorf("a reminder for an ended occurrence: %v", got)
	}
	if _, err := mail.ReminderLetters(v, 9, mail.LetterOptions{}); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("reminder of a missing occurrence: %v", err)
	}
}

func TestCancelLetterHasNoCredentials(t *testing.T) {
	v := seriesView()
	l, err := mail.LetterFor(v, v.Invitees[0], mail.LetterOptions{Kind: admit.OutboxCancel, UIDDomain: "x", Now: v.Occurrences[0].Start})
	if err != nil {
		t.Fatal(err)
	}
	if l.JoinURL != "" || l.PIN != "" || l.Passcode != "" || l.AccessCode != "" {
		t.Errorf("a cancel letter holds credentials: %+v", l)
	}
}

func TestSharedLetterForCopyAndDownload(t *testing.T) {
	v := seriesView()
	l, err := mail.SharedLetter(v, mail.LetterOptions{UIDDomain: "admit.example", Now: v.Occurrences[0].Start,
		Organizer: admit.Addressee{Name: "Ada", Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	text := mail.PlainText(l, zurich)
	for _, s := range []string{v.JoinURL, "SHAREDPASS", "777000", "OCC1CODE", "123 4567 8901"} {
		if !strings.Contains(text, s) {
			t.Errorf("the shared invitation lacks %q:\n%s", s, text)
		}
	}
	for _, inv := range v.Invitees {
		for _, s := range []string{inv.Link, inv.PIN, inv.Passcode} {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("the shared invitation holds %q", s)
			}
		}
	}
	ics, err := mail.ICS(l)
	if err != nil {
		t.Fatal(err)
	}
	cal := parseICS(t, ics)
	if m := cal.Props.Get("METHOD").Value; m != "PUBLISH" {
		t.Errorf("METHOD %s, want PUBLISH", m)
	}
	if a := cal.Events()[0].Props.Values("ATTENDEE"); len(a) != 0 {
		t.Errorf("the host's file has attendees %v", a)
	}
}

// TestLettersListTheMeetingsDialIn: an invitation lists the dial-in
// numbers of the meeting's view, each with its one-tap form.
func TestLettersListTheMeetingsDialIn(t *testing.T) {
	v := seriesView()
	v.DialIn = admit.DialInOptions([]admit.DialInNumber{{Number: "+15551234567", Country: "US", TollFree: true}}, 1, v.MeetingID, v.PhonePasscode)
	letters, err := mail.Letters(v, mail.LetterOptions{Kind: admit.OutboxInvitation, UIDDomain: "x", Now: v.Occurrences[0].Start})
	if err != nil {
		t.Fatal(err)
	}
	want := "+15551234567 (US, toll-free), one tap: +15551234567,,12345678901#,,777000#"
	if !slices.Contains(letters[0].DialIn, want) {
		t.Errorf("letter dial-in %q, want %q", letters[0].DialIn, want)
	}
	if text := allText(t, letters[0]); !strings.Contains(text, "+15551234567,,12345678901#") {
		t.Errorf("the letter's text lacks the one-tap form:\n%s", text)
	}
}
