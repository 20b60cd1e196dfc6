package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/mail"
	"github.com/admit-project/admit/mail/mailtest"
	"github.com/admit-project/admit/sqlite"
)

const smtpSecret = "smtp-secret-7f3a"

// mailAccounts is a service whose deployment has no SMTP server, with an
// owner, an admin and a host in the default account.
func mailAccounts(t *testing.T) (*app.Service, *sqlite.DB, *keys.Ring, *clock.FixedClock, map[admit.Role]*admit.Actor) {
	t.Helper()
	clk := clock.NewFixedClock(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	svc, db := admittest.Service(t, admittest.Options{Clock: clk})
	ring, err := keys.New(make([]byte, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: ring, FromDomain: "admit.test", UIDDomain: "admit.test"}
	owner := admittest.Owner(t, svc, "owner@example.com", "Owner")
	actors := map[admit.Role]*admit.Actor{admit.RoleOwner: {User: owner, Source: "test"}}
	for _, role := range []admit.Role{admit.RoleAdmin, admit.RoleHost} {
		u, err := svc.CreateUser(context.Background(), owner.AccountID, string(role)+"@example.com", string(role), role)
		if err != nil {
			t.Fatal(err)
		}
		actors[role] = &admit.Actor{User: u, Source: "test"}
	}
	return svc, db, ring, clk, actors
}

func smtpInput(host string, password *string) *admit.AccountSMTPInput {
	return &admit.AccountSMTPInput{Host: host, Security: admit.SMTPStartTLS, Username: "mailer", Password: password,
		From: "meetings@acme.example", FromName: "Acme meetings"}
}

func wantErr(t *testing.T, err error, code, field, what string) {
	t.Helper()
	if admit.ErrorCode(err) != code {
		t.Errorf("%s: error %v, want %s", what, err, code)
		return
	}
	if field != "" {
		var e *admit.Error
		if !asError(err, &e) || e.Field != field {
			t.Errorf("%s: error %v names field %q, want %q", what, err, fieldOf(err), field)
		}
	}
}

func asError(err error, e **admit.Error) bool {
	x, ok := err.(*admit.Error)
	if ok {
		*e = x
	}
	return ok
}

func fieldOf(err error) string {
	if e, ok := err.(*admit.Error); ok {
		return e.Field
	}
	return ""
}

// TestAccountSMTPSettings: owners and admins set the account's own SMTP
// server; the password is sealed in the store, never returned nor written
// to the audit trail, and is kept only for the same host and user.
func TestAccountSMTPSettings(t *testing.T) {
	svc, db, _, _, as := mailAccounts(t)
	ctx := context.Background()
	owner, admin, host := as[admit.RoleOwner], as[admit.RoleAdmin], as[admit.RoleHost]
	pw := smtpSecret

	// A host may neither read nor change them; nor may a read-only token.
	_, err := svc.AccountMail(ctx, host)
	wantErr(t, err, admit.EFORBIDDEN, "", "host reads")
	_, err = svc.SetAccountSMTP(ctx, host, smtpInput("smtp.acme.example", &pw))
	wantErr(t, err, admit.EFORBIDDEN, "", "host sets")
	wantErr(t, svc.DeleteAccountSMTP(ctx, host), admit.EFORBIDDEN, "", "host removes")
	lead := 10
	_, err = svc.UpdateAccountMail(ctx, host, &admit.AccountMailInput{ReminderLeadMinutes: &lead})
	wantErr(t, err, admit.EFORBIDDEN, "", "host sets the reminder lead")
	readOnly := &admit.Actor{User: owner.User, Token: &admit.APIToken{Scopes: []string{admit.ScopeRead}}, Source: "test"}
	_, err = svc.SetAccountSMTP(ctx, readOnly, smtpInput("smtp.acme.example", &pw))
	wantErr(t, err, admit.EFORBIDDEN, "", "read-only token sets")

	// Bad input names the field.
	bad := []struct {
		in    *admit.AccountSMTPInput
		field string
	}{
		{&admit.AccountSMTPInput{Host: "", From: "a@acme.example"}, "smtp.host"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example\r\nX: y", From: "a@acme.example"}, "smtp.host"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example", From: "not an address"}, "smtp.from"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example", Security: "ssl", From: "a@acme.example"}, "smtp.security"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example", Security: admit.SMTPNone, From: "a@acme.example"}, "smtp.security"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example", Port: 70000, From: "a@acme.example"}, "smtp.port"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example", Username: "u", From: "a@acme.example"}, "smtp.password"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example", Password: &pw, From: "a@acme.example"}, "smtp.username"},
		{&admit.AccountSMTPInput{Host: "smtp.acme.example", From: "a@acme.example", FromName: "A\r\nBcc: x@evil.example"}, "smtp.from_name"},
	}
	for _, b := range bad {
		_, err := svc.SetAccountSMTP(ctx, owner, b.in)
		wantErr(t, err, admit.EINVALID, b.field, "set "+b.field)
	}

	// The owner sets it: the view says a password is set, never which.
	v, err := svc.SetAccountSMTP(ctx, owner, smtpInput("smtp.acme.example", &pw))
	if err != nil {
		t.Fatal(err)
	}
	if v.SMTP == nil || v.SMTP.Host != "smtp.acme.example" || v.SMTP.Port != 587 || !v.PasswordSet || !v.SMTP.ReplyToHost {
		t.Errorf("view %+v (SMTP %+v)", v, v.SMTP)
	}
	for _, who := range []*admit.Actor{owner, admin} {
		got, err := svc.AccountMail(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(got)
		if bytes.Contains(b, []byte(smtpSecret)) || !bytes.Contains(b, []byte(`"password_set":true`)) {
			t.Errorf("the view shows %s", b)
		}
	}
	stored, err := db.FindAccountMail(ctx, owner.User.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.PasswordSealed) == 0 || bytes.Contains(stored.PasswordSealed, []byte(smtpSecret)) {
		t.Errorf("stored password %q is not sealed", stored.PasswordSealed)
	}
	if opened, err := svc.AccountSMTP(ctx, owner.User.AccountID); err != nil || opened == nil || opened.Password != smtpSecret {
		t.Errorf("AccountSMTP = %+v, %v; want the password opened", opened, err)
	}

	// Key rotation seals it again, and it still opens.
	st, err := svc.Reseal(ctx, func([]byte) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if resealed, _ := db.FindAccountMail(ctx, owner.User.AccountID); st.Resealed == 0 || bytes.Equal(resealed.PasswordSealed, stored.PasswordSealed) {
		t.Errorf("reseal %+v left the SMTP password as it was", st)
	}
	if opened, err := svc.AccountSMTP(ctx, owner.User.AccountID); err != nil || opened == nil || opened.Password != smtpSecret {
		t.Errorf("after reseal AccountSMTP = %+v, %v", opened, err)
	}

	// Left out, the password is kept for the same host and user only.
	if _, err := svc.SetAccountSMTP(ctx, admin, smtpInput("smtp.acme.example", nil)); err != nil {
		t.Errorf("same host, no password: %v", err)
	}
	if opened, _ := svc.AccountSMTP(ctx, owner.User.AccountID); opened == nil || opened.Password != smtpSecret {
		t.Errorf("password not kept: %+v", opened)
	}
	_, err = svc.SetAccountSMTP(ctx, admin, smtpInput("smtp.elsewhere.example", nil))
	wantErr(t, err, admit.EINVALID, "smtp.password", "another host with the stored password")
	other := smtpInput("smtp.acme.example", nil)
	other.Username = "someone-else"
	_, err = svc.SetAccountSMTP(ctx, admin, other)
	wantErr(t, err, admit.EINVALID, "smtp.password", "another user with the stored password")
	// No TLS is for a relay on this machine only.
	local := &admit.AccountSMTPInput{Host: "127.0.0.1", Security: admit.SMTPNone, From: "m@acme.example"}
	if _, err := svc.SetAccountSMTP(ctx, owner, local); err != nil {
		t.Errorf("security none on 127.0.0.1: %v", err)
	}
	if got, _ := db.FindAccountMail(ctx, owner.User.AccountID); got == nil || got.PasswordSealed != nil {
		t.Errorf("a server without a user kept the password: %+v", got)
	}

	// The audit trail says who changed what, never the password.
	evs, err := db.FindEvents(ctx, admit.EventFilter{AccountID: owner.User.AccountID, Action: "mail."})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) < 3 {
		t.Errorf("%d mail events, want 3", len(evs))
	}
	for _, e := range evs {
		if strings.Contains(e.Detail, smtpSecret) {
			t.Errorf("event %s holds the password: %q", e.Action, e.Detail)
		}
	}

	// Removing it returns the account to the deployment's server.
	if err := svc.DeleteAccountSMTP(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if opened, err := svc.AccountSMTP(ctx, owner.User.AccountID); err != nil || opened != nil {
		t.Errorf("after removal AccountSMTP = %+v, %v", opened, err)
	}
	wantErr(t, svc.DeleteAccountSMTP(ctx, admin), admit.ENOTFOUND, "", "remove twice")
}

// TestAccountSMTPTurnsMailOn: on a deployment without SMTP, an account with
// its own server sends (its changes enqueue messages); another does not.
func TestAccountSMTPTurnsMailOn(t *testing.T) {
	svc, db, _, clk, as := mailAccounts(t)
	ctx := context.Background()
	owner := as[admit.RoleOwner]
	schedule := func() string {
		t.Helper()
		start := clk.Now().Add(48 * time.Hour)
		v, err := svc.CreateMeeting(ctx, owner, &admit.MeetingInput{Topic: ptr("Plans"), Start: &start,
			Invitees: []*admit.InviteeInput{{Name: "A", Email: "a@example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		return v.ID
	}
	if st := svc.MailStatus(ctx, owner); st.Enabled || st.AccountSMTP {
		t.Errorf("mail status %+v before the account has a server", st)
	}
	id := schedule()
	if msgs, _ := db.FindOutbox(ctx, admit.OutboxFilter{AccountID: owner.User.AccountID, MeetingID: id}); len(msgs) != 0 {
		t.Errorf("%d messages with mail off", len(msgs))
	}
	pw := smtpSecret
	if _, err := svc.SetAccountSMTP(ctx, owner, smtpInput("smtp.acme.example", &pw)); err != nil {
		t.Fatal(err)
	}
	if st := svc.MailStatus(ctx, owner); !st.Enabled || !st.AccountSMTP {
		t.Errorf("mail status %+v with the account's server", st)
	}
	id = schedule()
	if msgs, _ := db.FindOutbox(ctx, admit.OutboxFilter{AccountID: owner.User.AccountID, MeetingID: id}); len(msgs) != 1 {
		t.Errorf("%d messages with the account's server, want 1", len(msgs))
	}
}

// TestAccountSMTPSendsThroughItsOwnServer: two real SMTP servers (Mailpit).
// The deployment's takes the default account's mail; a second account
// with its own server (STARTTLS, authentication with the sealed password)
// sends through that one, from its own From, and nothing crosses.
func TestAccountSMTPSendsThroughItsOwnServer(t *testing.T) {
	deployment := mailtest.Start(t)
	own := mailtest.StartWith(t, mailtest.Options{STARTTLS: true, Auth: true})
	clk := clock.NewFixedClock(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	svc, db := admittest.Service(t, admittest.Options{Clock: clk})
	ring, err := keys.New(make([]byte, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: ring, FromDomain: "admit.test", UIDDomain: "admit.test"}
	svc.SendMail = true
	ctx := context.Background()

	first := &admit.Actor{User: admittest.Owner(t, svc, "first@example.com", "First host"), Source: "test"}
	acct := &admit.Account{Name: "Acme", Plan: admit.PlanFree}
	if err := db.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, acct.ID, "second@acme.example", "Second host", admit.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	second := &admit.Actor{User: u, Source: "test"}
	pw := mailtest.Password
	if _, err := svc.SetAccountSMTP(ctx, second, &admit.AccountSMTPInput{Host: own.SMTPHost, Port: own.SMTPPort,
		Security: admit.SMTPStartTLS, Username: mailtest.Username, Password: &pw, From: "meetings@acme.example", FromName: "Acme"}); err != nil {
		t.Fatal(err)
	}

	start := clk.Now().Add(48 * time.Hour)
	for _, x := range []struct {
		a  *admit.Actor
		to string
	}{{first, "guest-one@example.com"}, {second, "guest-two@example.com"}} {
		if _, err := svc.CreateMeeting(ctx, x.a, &admit.MeetingInput{Topic: ptr("Plans"), Start: &start,
			Invitees: []*admit.InviteeInput{{Name: "Guest", Email: x.to}}}); err != nil {
			t.Fatal(err)
		}
	}

	set := &admit.SMTPSettings{Host: deployment.SMTPHost, Port: deployment.SMTPPort, Security: admit.SMTPNone,
		From: "meetings@admit.test", FromName: "admit", ReplyToHost: true}
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	loop := &mail.Loop{Store: db, Deliverer: &mail.SMTPSender{Settings: *set, Timeout: 5 * time.Second}, Sealer: ring,
		Settings: set, Accounts: svc, Clock: clk, Node: "n",
		Dial: func(s admit.SMTPSettings) mail.Deliverer {
			return &mail.SMTPSender{Settings: s, Timeout: 5 * time.Second,
				TLSConfig: &tls.Config{RootCAs: own.RootCAs, ServerName: s.Host, MinVersion: tls.VersionTLS12}}
		}}
	sent, failed, err := loop.RunOnce(ctx)
	if err != nil || sent != 2 || failed != 0 {
		all, _ := db.FindOutbox(ctx, admit.OutboxFilter{})
		for _, m := range all {
			t.Logf("outbox %d to %s: %s %q", m.ID, m.To, m.State, m.LastError)
		}
		t.Fatalf("RunOnce = %d sent, %d failed, %v; want 2 sent", sent, failed, err)
	}
	check := func(pit *mailtest.Mailpit, to, from, replyTo string) {
		t.Helper()
		msgs := pit.WaitMessages(t, 1)
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0].Address != to || msgs[0].From.Address != from {
			t.Fatalf("server got %+v, want one message from %s to %s", msgs, from, to)
		}
		raw := pit.Raw(t, msgs[0].ID)
		if !bytes.Contains(raw, []byte("Reply-To: \"")) || !bytes.Contains(raw, []byte(replyTo)) {
			t.Errorf("message to %s has no Reply-To %s", to, replyTo)
		}
		if bytes.Contains(raw, []byte(mailtest.Password)) {
			t.Errorf("message to %s holds the SMTP password", to)
		}
	}
	check(deployment, "guest-one@example.com", "meetings@admit.test", "first@example.com")
	check(own, "guest-two@example.com", "meetings@acme.example", "second@acme.example")
}

// TestReminderLeads: a meeting's own lead, else the account's, else the
// deployment's hour decides when its reminders go out; bad leads name the
// field.
func TestReminderLeads(t *testing.T) {
	r, host := mailService(t)
	svc := r.svc.(*app.Service)
	ctx := context.Background()
	acct := host.User.AccountID
	schedule := func(lead *int, after time.Duration) *admit.MeetingView {
		t.Helper()
		start := r.clock.Now().Add(after)
		v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Topic: ptr("Plans"), Start: &start, ReminderLeadMinutes: lead,
			Invitees: []*admit.InviteeInput{{Name: "A", Email: "a@example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	reminders := func(v *admit.MeetingView) int {
		t.Helper()
		if _, err := svc.EnqueueReminders(ctx); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range r.outbox(t, acct, v.ID) {
			if m.Kind == admit.OutboxReminder {
				n++
			}
		}
		return n
	}
	for _, bad := range []int{-1, admit.MaxReminderLeadMinutes + 1} {
		start := r.clock.Now().Add(time.Hour)
		_, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Start: &start, ReminderLeadMinutes: &bad})
		wantErr(t, err, admit.EINVALID, "reminder_lead_minutes", "a lead of "+strconv.Itoa(bad))
	}

	// The meeting's own three hours: due at once, two hours ahead.
	three := 180
	own := schedule(&three, 2*time.Hour)
	if own.ReminderLeadMinutes != 180 {
		t.Errorf("the view shows lead %d, want 180", own.ReminderLeadMinutes)
	}
	plain := schedule(nil, 90*time.Minute)
	if n := reminders(own); n != 1 {
		t.Errorf("%d reminders of the meeting with a 3-hour lead two hours ahead, want 1", n)
	}
	if n := reminders(plain); n != 0 {
		t.Errorf("%d reminders 90 minutes ahead with the deployment's hour, want 0", n)
	}
	// The account's two hours reach the plain meeting.
	two := 120
	if _, err := svc.UpdateAccountMail(ctx, host, &admit.AccountMailInput{ReminderLeadMinutes: &two}); err != nil {
		t.Fatal(err)
	}
	if n := reminders(plain); n != 1 {
		t.Errorf("%d reminders 90 minutes ahead with the account's 2 hours, want 1", n)
	}
	// A meeting's shorter lead beats the account's; changing it sends no
	// update to invitees.
	half := 30
	short := schedule(&half, 45*time.Minute)
	before := len(r.outbox(t, acct, short.ID))
	if n := reminders(short); n != 0 {
		t.Errorf("%d reminders 45 minutes ahead with a 30-minute lead, want 0", n)
	}
	fifty := 50
	v, err := svc.UpdateMeeting(ctx, host, short.ID, &admit.MeetingInput{ReminderLeadMinutes: &fifty})
	if err != nil {
		t.Fatal(err)
	}
	if v.ReminderLeadMinutes != 50 || len(r.outbox(t, acct, short.ID)) != before {
		t.Errorf("after changing the lead: view lead %d, %d messages (was %d)", v.ReminderLeadMinutes, len(r.outbox(t, acct, short.ID)), before)
	}
	if n := reminders(short); n != 1 {
		t.Errorf("%d reminders 45 minutes ahead with a 50-minute lead, want 1", n)
	}
}
