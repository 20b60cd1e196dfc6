package app_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/mail"
)

// mailService is a service with mail on, over SQLite, at a fixed time.
func mailService(t *testing.T) (*mailRig, *admit.Actor) {
	t.Helper()
	clk := clock.NewFixedClock(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	svc, db := admittest.Service(t, admittest.Options{Clock: clk})
	ring, err := keys.New(make([]byte, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: ring, FromDomain: "admit.test", UIDDomain: "admit.test"}
	svc.SendMail = true
	u := admittest.Owner(t, svc, "host@example.com", "Host")
	return &mailRig{db: db, ring: ring, clock: clk, svc: svc}, &admit.Actor{User: u, Source: "test"}
}

type mailRig struct {
	db    interface{ admit.OutboxStore }
	ring  *keys.Ring
	clock *clock.FixedClock
	svc   interface {
		EnqueueReminders(ctx context.Context) (int, error)
	}
}

func (r *mailRig) outbox(t *testing.T, accountID int64, meetingID string) []*admit.OutboxMessage {
	t.Helper()
	got, err := r.db.FindOutbox(context.Background(), admit.OutboxFilter{AccountID: accountID, MeetingID: meetingID})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestChangesEnqueueMail(t *testing.T) {
	r, host := mailService(t)
	svc := r.svc.(interface {
		CreateMeeting(context.Context, *admit.Actor, *admit.MeetingInput) (*admit.MeetingView, error)
		UpdateMeeting(context.Context, *admit.Actor, string, *admit.MeetingInput) (*admit.MeetingView, error)
		Regenerate(context.Context, *admit.Actor, string, string, int, string) (*admit.MeetingView, error)
		DeleteMeeting(context.Context, *admit.Actor, string) error
	})
	ctx := context.Background()
	start := r.clock.Now().Add(48 * time.Hour)
	in := &admit.MeetingInput{Topic: ptr("Plans"), Start: &start, Invitees: []*admit.InviteeInput{
		{Name: "A", Email: "a@example.com"}, {Name: "B", Email: "b@example.com"}, {Name: "C", Phone: "+41 44 000 00 00"}}}
	v, err := svc.CreateMeeting(ctx, host, in)
	if err != nil {
		t.Fatal(err)
	}
	acct := host.User.AccountID
	msgs := r.outbox(t, acct, v.ID)
	if len(msgs) != 2 {
		t.Fatalf("%d messages after scheduling, want 2 (the phone-only invitee gets none)", len(msgs))
	}
	for _, m := range msgs {
		l, err := mail.OpenLetter(r.ring, m)
		if err != nil {
			t.Fatal(err)
		}
		var inv *admit.InviteeView
		for _, x := range v.Invitees {
			if x.ID == m.InviteeID {
				inv = x
			}
		}
		if m.Kind != admit.OutboxInvitation || inv == nil || l.JoinURL != inv.Link || l.Invitee.Email != inv.Email || l.Sequence != 0 {
			t.Errorf("message %+v letter %+v", m, l)
		}
	}

	// Only adding an invitee invites them alone.
	r.clock.Advance(time.Minute)
	if _, err := svc.UpdateMeeting(ctx, host, v.ID, &admit.MeetingInput{Invitees: []*admit.InviteeInput{{Name: "D", Email: "d@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	if got := r.outbox(t, acct, v.ID); len(got) != 3 || got[0].To != "d@example.com" || got[0].Kind != admit.OutboxInvitation {
		t.Fatalf("after adding D: %d messages, newest %+v", len(got), got[0])
	}
	// Moving the meeting updates the three with an address.
	r.clock.Advance(time.Minute)
	moved := start.Add(time.Hour)
	if _, err := svc.UpdateMeeting(ctx, host, v.ID, &admit.MeetingInput{Start: &moved}); err != nil {
		t.Fatal(err)
	}
	got := r.outbox(t, acct, v.ID)
	if len(got) != 6 {
		t.Fatalf("%d messages after the move, want 6", len(got))
	}
	for _, m := range got[:3] {
		l, _ := mail.OpenLetter(r.ring, m)
		if m.Kind != admit.OutboxUpdate || l.Sequence != 120 || !l.Start.Equal(moved) {
			t.Errorf("update %s: kind %s sequence %d start %v", m.To, m.Kind, l.Sequence, l.Start)
		}
	}
	// A regenerated passcode reaches everyone.
	r.clock.Advance(time.Minute)
	rv, err := svc.Regenerate(ctx, host, v.ID, "passcode", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	got = r.outbox(t, acct, v.ID)
	if len(got) != 9 {
		t.Fatalf("%d messages after regenerating, want 9", len(got))
	}
	if l, _ := mail.OpenLetter(r.ring, got[0]); rv.Passcode != "" && l.Passcode != rv.Passcode {
		t.Errorf("the update holds passcode %q, want the regenerated %q", l.Passcode, rv.Passcode)
	}
	// Deleting cancels for everyone, with no credential.
	r.clock.Advance(time.Minute)
	if err := svc.DeleteMeeting(ctx, host, v.ID); err != nil {
		t.Fatal(err)
	}
	got = r.outbox(t, acct, v.ID)
	if len(got) != 12 {
		t.Fatalf("%d messages after deleting, want 12", len(got))
	}
	for _, m := range got[:3] {
		l, _ := mail.OpenLetter(r.ring, m)
		if m.Kind != admit.OutboxCancel || l.JoinURL != "" || l.PIN != "" || l.Passcode != "" {
			t.Errorf("cancel %s: %+v", m.To, l)
		}
	}
}

func TestRemindersPerOccurrence(t *testing.T) {
	r, host := mailService(t)
	svc := r.svc.(interface {
		CreateMeeting(context.Context, *admit.Actor, *admit.MeetingInput) (*admit.MeetingView, error)
		EnqueueReminders(ctx context.Context) (int, error)
	})
	ctx := context.Background()
	start := r.clock.Now().Add(24 * time.Hour)
	kind := admit.KindRecurring
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Topic: ptr("Daily"), Kind: &kind, Start: &start,
		Recurrence: &admit.Recurrence{Freq: "daily", Count: 3},
		Invitees:   []*admit.InviteeInput{{Name: "A", Email: "a@example.com"}, {Name: "B", Email: "b@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	acct := host.User.AccountID
	base := len(r.outbox(t, acct, v.ID))
	for i, o := range v.Occurrences {
		r.clock.Set(o.Start.Add(-61 * time.Minute))
		if _, err := svc.EnqueueReminders(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(r.outbox(t, acct, v.ID)); n != base+2*i {
			t.Fatalf("occurrence %d: %d messages before its lead, want %d", i+1, n, base+2*i)
		}
		r.clock.Set(o.Start.Add(-59 * time.Minute))
		for k := 0; k < 2; k++ { // twice: enqueued once
			if _, err := svc.EnqueueReminders(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := r.outbox(t, acct, v.ID)
		if len(got) != base+2*(i+1) {
			t.Fatalf("occurrence %d: %d messages, want %d", i+1, len(got), base+2*(i+1))
		}
		for _, m := range got[:2] {
			l, _ := mail.OpenLetter(r.ring, m)
			if m.Kind != admit.OutboxReminder || m.Occurrence != o.Index || l.AccessCode != o.AccessCode {
				t.Errorf("reminder %+v: code %q, want occurrence %d's %q", m, l.AccessCode, o.Index, o.AccessCode)
			}
		}
	}
}

func TestSchedulingChecksAddresses(t *testing.T) {
	r, host := mailService(t)
	svc := r.svc.(interface {
		CreateMeeting(context.Context, *admit.Actor, *admit.MeetingInput) (*admit.MeetingView, error)
	})
	start := r.clock.Now().Add(time.Hour)
	for _, addr := range []string{"grace@localhost", "grace@example..com", "not an address", "grace@example.com\r\nBcc: eve@example.com"} {
		_, err := svc.CreateMeeting(context.Background(), host, &admit.MeetingInput{Start: &start,
			Invitees: []*admit.InviteeInput{{Name: "Alan", Email: "alan@example.com"}, {Name: "Grace", Email: addr}}})
		if admit.ErrorCode(err) != admit.EINVALID || admit.ErrorField(err) != "invitees[1].email" {
			t.Errorf("address %q: %v, want EINVALID naming invitees[1].email", addr, err)
		}
	}
}
