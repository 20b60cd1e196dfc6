package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/mail"
	"github.com/admit-project/admit/mail/mailtest"
)

// TestRemoveInvitee: removing one invitee takes their link away at once and
// enqueues one cancellation, to them; a host of another meeting may not.
func TestRemoveInvitee(t *testing.T) {
	r, host := mailService(t)
	svc := r.svc.(interface {
		CreateMeeting(context.Context, *admit.Actor, *admit.MeetingInput) (*admit.MeetingView, error)
		RemoveInvitee(context.Context, *admit.Actor, string, string) (*admit.MeetingView, error)
		InviteeLink(context.Context, admit.Channel, string, string) (*admit.InviteeLink, error)
		CreateUser(context.Context, int64, string, string, admit.Role) (*admit.User, error)
	})
	ctx := context.Background()
	start := r.clock.Now().Add(48 * time.Hour)
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Topic: ptr("Plans"), Start: &start, Invitees: []*admit.InviteeInput{
		{Name: "A", Email: "a@example.com"}, {Name: "B", Email: "b@example.com"}, {Name: "C", Phone: "+41 44 000 00 00"}}})
	if err != nil {
		t.Fatal(err)
	}
	acct := host.User.AccountID
	b := v.Invitees[1]
	other, err := svc.CreateUser(ctx, acct, "other@example.com", "Other", admit.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.RemoveInvitee(ctx, &admit.Actor{User: other, Source: "test"}, v.ID, b.ID)
	wantErr(t, err, admit.ENOTFOUND, "", "another host removes an invitee (the meeting is not theirs to see)")
	_, err = svc.RemoveInvitee(ctx, host, v.ID, "inosuch")
	wantErr(t, err, admit.ENOTFOUND, "", "an unknown invitee")

	before := len(r.outbox(t, acct, v.ID))
	r.clock.Advance(time.Minute)
	after, err := svc.RemoveInvitee(ctx, host, v.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Invitees) != 2 || after.Invitees[0].ID != v.Invitees[0].ID || after.Invitees[1].ID != v.Invitees[2].ID {
		t.Errorf("invitees after removing B: %+v", after.Invitees)
	}
	if _, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.7", linkToken(b.Link)); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("the removed invitee's link: %v, want EREFUSED", err)
	}
	if _, err := svc.InviteeLink(ctx, admit.ChannelWeb, "192.0.2.7", linkToken(v.Invitees[0].Link)); err != nil {
		t.Errorf("another invitee's link: %v", err)
	}
	got := r.outbox(t, acct, v.ID)
	if len(got) != before+1 {
		t.Fatalf("%d messages after removing B, want %d (one cancellation)", len(got), before+1)
	}
	m := got[0]
	l, err := mail.OpenLetter(r.ring, m)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != admit.OutboxCancel || m.To != "b@example.com" || m.InviteeID != b.ID || l.JoinURL != "" || l.PIN != "" || l.Passcode != "" {
		t.Errorf("the cancellation %+v, letter %+v", m, l)
	}
	// Removing the phone-only invitee sends nothing.
	if _, err := svc.RemoveInvitee(ctx, host, v.ID, v.Invitees[2].ID); err != nil {
		t.Fatal(err)
	}
	if n := len(r.outbox(t, acct, v.ID)); n != before+1 {
		t.Errorf("%d messages after removing a phone-only invitee, want %d", n, before+1)
	}
}

// TestRemovedInviteeGetsCancelOthersNothing: over a real SMTP server
// (Mailpit), the removed invitee gets one message, a METHOD:CANCEL for the
// UID of their invitation with a higher SEQUENCE naming them as attendee;
// the other invitees get nothing new (their entries name only themselves,
// so nothing in them changed).
func TestRemovedInviteeGetsCancelOthersNothing(t *testing.T) {
	pit := mailtest.Start(t)
	clk := clock.NewFixedClock(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	svc, db := admittest.Service(t, admittest.Options{Clock: clk})
	ring, err := keys.New(make([]byte, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: ring, FromDomain: "admit.test", UIDDomain: "admit.test"}
	svc.SendMail = true
	host := &admit.Actor{User: admittest.Owner(t, svc, "host@example.com", "Host"), Source: "test"}
	set := &admit.SMTPSettings{Host: pit.SMTPHost, Port: pit.SMTPPort, Security: admit.SMTPNone, From: "meetings@admit.test", ReplyToHost: true}
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	loop := &mail.Loop{Store: db, Deliverer: &mail.SMTPSender{Settings: *set, Timeout: 5 * time.Second}, Sealer: ring,
		Settings: set, Clock: clk, Node: "n"}
	ctx := context.Background()
	deliver := func(want int) {
		t.Helper()
		sent, failed, err := loop.RunOnce(ctx)
		if err != nil || sent != want || failed != 0 {
			t.Fatalf("RunOnce = %d sent, %d failed, %v; want %d sent", sent, failed, err, want)
		}
	}
	start := clk.Now().Add(48 * time.Hour)
	v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Topic: ptr("Plans"), Start: &start, Invitees: []*admit.InviteeInput{
		{Name: "Ann", Email: "ann@example.com"}, {Name: "Bob", Email: "bob@example.com"}, {Name: "Cy", Email: "cy@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	deliver(3)
	invitations := pit.WaitMessages(t, 3)
	var bobInvite *goical.Event
	for _, s := range invitations {
		if s.To[0].Address == "bob@example.com" {
			bobInvite = event(t, pit.Attachment(t, s.ID, "invite.ics"), "REQUEST")
		}
	}
	if bobInvite == nil {
		t.Fatal("Bob got no invitation")
	}
	pit.DeleteAll(t)

	clk.Advance(time.Minute)
	if _, err := svc.RemoveInvitee(ctx, host, v.ID, v.Invitees[1].ID); err != nil {
		t.Fatal(err)
	}
	deliver(1)
	got := pit.WaitMessages(t, 1)
	// Another pass finds nothing more to send: the others get nothing.
	deliver(0)
	if got = pit.Messages(t); len(got) != 1 || len(got[0].To) != 1 || got[0].To[0].Address != "bob@example.com" {
		t.Fatalf("after removing Bob the server got %+v, want one message to Bob", got)
	}
	raw := pit.Raw(t, got[0].ID)
	if !bytes.Contains(raw, []byte("method=CANCEL")) {
		t.Errorf("the message has no text/calendar; method=CANCEL part:\n%s", raw)
	}
	cancel := event(t, pit.Attachment(t, got[0].ID, "invite.ics"), "CANCEL")
	uid := func(e *goical.Event) string { return e.Props.Get(goical.PropUID).Value }
	seq := func(e *goical.Event) int {
		t.Helper()
		p := e.Props.Get(goical.PropSequence)
		if p == nil {
			return 0
		}
		n, err := strconv.Atoi(p.Value)
		if err != nil {
			t.Errorf("SEQUENCE %q: %v", p.Value, err)
		}
		return n
	}
	if uid(cancel) != uid(bobInvite) {
		t.Errorf("the cancellation's UID %q, the invitation's %q", uid(cancel), uid(bobInvite))
	}
	if seq(cancel) <= seq(bobInvite) {
		t.Errorf("the cancellation's SEQUENCE %d is not above the invitation's %d", seq(cancel), seq(bobInvite))
	}
	if st := cancel.Props.Get(goical.PropStatus); st == nil || st.Value != "CANCELLED" {
		t.Errorf("the cancellation's STATUS is %v, want CANCELLED", st)
	}
	att := cancel.Props.Values(goical.PropAttendee)
	if len(att) != 1 || !strings.EqualFold(att[0].Value, "mailto:bob@example.com") {
		t.Errorf("the cancellation's attendees %+v, want Bob only", att)
	}
	if bytes.Contains(raw, []byte("ann@example.com")) || bytes.Contains(raw, []byte("cy@example.com")) {
		t.Error("the cancellation names another invitee")
	}
}

// event parses a calendar file with an independent parser (go-ical) and
// returns its one event, checking the METHOD.
func event(t *testing.T, ics []byte, method string) *goical.Event {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot parse the calendar: %v\n%s", err, ics)
	}
	if m := cal.Props.Get(goical.PropMethod); m == nil || m.Value != method {
		t.Errorf("METHOD %v, want %s", m, method)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events in the calendar, want 1:\n%s", len(evs), ics)
	}
	return &evs[0]
}
