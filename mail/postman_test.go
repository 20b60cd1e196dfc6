package mail_test

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

func TestPostman(t *testing.T) {
	ring := mustRing(t)
	p := &mail.Postman{Random: rand.Reader, Sealer: ring, FromDomain: "admit.example", UIDDomain: "admit.example"}
	v := seriesView()
	c := admit.MailChange{Kind: admit.OutboxInvitation, Organizer: admit.Addressee{Name: "Ada", Email: "ada@example.com"}, Now: v.Occurrences[0].Start}
	msgs, err := p.Messages(v, 7, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	ids := map[string]bool{}
	for i, m := range msgs {
		if m.AccountID != 7 || m.MeetingID != v.ID || m.InviteeID != v.Invitees[i].ID || m.To != v.Invitees[i].Email || ids[m.MessageID] {
			t.Errorf("message %d: %+v", i, m)
		}
		ids[m.MessageID] = true
		l, err := mail.OpenLetter(ring, m)
		if err != nil || l.PIN != v.Invitees[i].PIN {
			t.Errorf("message %d: letter %v %v", i, l, err)
		}
	}
	c.InviteeIDs = []string{"i2"}
	c.Kind = admit.OutboxCancel
	msgs, err = p.Messages(v, 7, c)
	if err != nil || len(msgs) != 1 || msgs[0].InviteeID != "i2" || msgs[0].Kind != admit.OutboxCancel {
		t.Fatalf("cancel for i2: %v %v", msgs, err)
	}
	rem, err := p.Messages(v, 7, admit.MailChange{Kind: admit.OutboxReminder, Occurrence: 3, InviteeIDs: []string{"i3"}, Now: v.Occurrences[2].Start})
	if err != nil || len(rem) != 1 || rem[0].Occurrence != 3 || rem[0].InviteeID != "i3" {
		t.Fatalf("reminder: %v %v", rem, err)
	}
	if l, _ := mail.OpenLetter(ring, rem[0]); l.AccessCode != "OCC3CODE" || l.PIN != "PIN3" {
		t.Errorf("reminder letter %+v", l)
	}

	text, err := p.InvitationText(v, "i1", admit.MailChange{Now: v.Occurrences[0].Start})
	if err != nil || !strings.Contains(text, "PIN1") || strings.Contains(text, "PIN2") {
		t.Errorf("i1's text: %v\n%s", err, text)
	}
	text, err = p.InvitationText(v, "", admit.MailChange{Now: v.Occurrences[0].Start})
	if err != nil || !strings.Contains(text, "SHAREDPASS") || strings.Contains(text, "PIN1") {
		t.Errorf("shared text: %v\n%s", err, text)
	}
	phone, err := p.InvitationText(v, "i4", admit.MailChange{Now: v.Occurrences[0].Start})
	if err != nil || !strings.Contains(phone, "OCC1CODE") {
		t.Errorf("phone-only invitee's text: %v\n%s", err, phone)
	}
	ics, err := p.ICS(v, "i2", admit.MailChange{Now: v.Occurrences[0].Start})
	if err != nil {
		t.Fatal(err)
	}
	if a := parseICS(t, ics).Events()[0].Props.Values("ATTENDEE"); len(a) != 1 || a[0].Value != "mailto:guest2@example.com" {
		t.Errorf("i2's file: attendees %v", a)
	}
	if _, err := p.ICS(v, "nobody", admit.MailChange{}); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("unknown invitee: %v, want ENOTFOUND", err)
	}
}
