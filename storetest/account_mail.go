package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// RunAccountMail runs the conformance tests of admit.AccountMailStore on
// the stores open returns (a store that is both an admit.Store and an
// admit.AccountMailStore).
func RunAccountMail(t *testing.T, open func(tb testing.TB) admit.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture, ms admit.AccountMailStore)
	}{
		{"PutFind", testAccountMailPutFind},
		{"SealedPassword", testAccountMailSealedPassword},
		{"ReminderLeads", testAccountMailReminderLeads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, open)
			ms, ok := f.s.(admit.AccountMailStore)
			if !ok {
				t.Fatalf("%T is not an admit.AccountMailStore", f.s)
			}
			tt.fn(t, f, ms)
		})
	}
}

func testAccountMailPutFind(t *testing.T, f *fixture, ms admit.AccountMailStore) {
	_, err := ms.FindAccountMail(f.ctx, f.account.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	set := &admit.SMTPSettings{Host: "smtp.example.com", Port: 587, Security: admit.SMTPStartTLS, Username: "u",
		From: "meetings@example.com", FromName: "Meetings", ReplyToHost: false}
	must(t, ms.PutAccountSMTP(f.ctx, f.account.ID, set, []byte("sealed-1")))
	must(t, ms.PutAccountReminderLead(f.ctx, f.account.ID, 30*time.Minute))
	got, err := ms.FindAccountMail(f.ctx, f.account.ID)
	must(t, err)
	if got.SMTP == nil || *got.SMTP != *set || string(got.PasswordSealed) != "sealed-1" || got.ReminderLead != 30*time.Minute || got.UpdatedAt.IsZero() {
		t.Errorf("FindAccountMail = %+v (SMTP %+v), want %+v", got, got.SMTP, set)
	}
	// Back to the deployment's server: the settings and the password go,
	// the reminder lead stays.
	must(t, ms.PutAccountSMTP(f.ctx, f.account.ID, nil, nil))
	got, err = ms.FindAccountMail(f.ctx, f.account.ID)
	must(t, err)
	if got.SMTP != nil || got.PasswordSealed != nil || got.ReminderLead != 30*time.Minute {
		t.Errorf("after removing the server: %+v (SMTP %+v)", got, got.SMTP)
	}
	// A server without a password; the lead back to the default leaves it.
	local := &admit.SMTPSettings{Host: "127.0.0.1", Port: 25, Security: admit.SMTPNone, From: "a@example.com", ReplyToHost: true}
	must(t, ms.PutAccountSMTP(f.ctx, f.account.ID, local, nil))
	must(t, ms.PutAccountReminderLead(f.ctx, f.account.ID, 0))
	got, err = ms.FindAccountMail(f.ctx, f.account.ID)
	must(t, err)
	if got.SMTP == nil || *got.SMTP != *local || len(got.PasswordSealed) != 0 || got.ReminderLead != 0 {
		t.Errorf("without a password: %+v (SMTP %+v)", got, got.SMTP)
	}
	// A lead set first makes a row without a server.
	acct := &admit.Account{Name: uniq("Other"), Plan: admit.PlanFree}
	must(t, f.s.CreateAccount(f.ctx, acct))
	must(t, ms.PutAccountReminderLead(f.ctx, acct.ID, time.Hour))
	got, err = ms.FindAccountMail(f.ctx, acct.ID)
	must(t, err)
	if got.SMTP != nil || got.ReminderLead != time.Hour {
		t.Errorf("a lead alone: %+v (SMTP %+v)", got, got.SMTP)
	}
}

// testAccountMailSealedPassword: key rotation finds the sealed SMTP
// password and replaces it only while the row still holds it.
func testAccountMailSealedPassword(t *testing.T, f *fixture, ms admit.AccountMailStore) {
	must(t, ms.PutAccountSMTP(f.ctx, f.account.ID, &admit.SMTPSettings{Host: "smtp.example.com", Port: 465,
		Security: admit.SMTPImplicitTLS, Username: "u", From: "m@example.com"}, []byte("sealed-old")))
	find := func() *admit.SealedValue {
		t.Helper()
		var cur admit.SealedCursor
		var found *admit.SealedValue
		for !cur.Done {
			vals, next, err := f.s.FindSealed(f.ctx, cur, 2)
			must(t, err)
			cur = next
			for _, v := range vals {
				if v.Kind == admit.SealedSMTPPassword && v.RowPK == f.account.ID {
					if found != nil {
						t.Errorf("the SMTP password is found twice")
					}
					found = v
				}
			}
		}
		return found
	}
	v := find()
	if v == nil || string(v.Sealed) != "sealed-old" {
		t.Fatalf("FindSealed: SMTP password %+v, want sealed-old", v)
	}
	ok, err := f.s.ReplaceSealed(f.ctx, v, []byte("sealed-new"))
	must(t, err)
	if !ok {
		t.Error("ReplaceSealed did not replace the SMTP password")
	}
	ok, err = f.s.ReplaceSealed(f.ctx, v, []byte("sealed-other"))
	must(t, err)
	if ok {
		t.Error("ReplaceSealed replaced a password changed meanwhile")
	}
	got, err := ms.FindAccountMail(f.ctx, f.account.ID)
	must(t, err)
	if string(got.PasswordSealed) != "sealed-new" {
		t.Errorf("password after rotation %q, want sealed-new", got.PasswordSealed)
	}
}

// testAccountMailReminderLeads: a meeting's reminder lead is kept with it,
// and the store finds an occurrence due when it starts within the lead
// admit.EffectiveReminderLead gives: the meeting's, else the account's,
// else the default.
func testAccountMailReminderLeads(t *testing.T, f *fixture, ms admit.AccountMailStore) {
	rs, ok := f.s.(admit.ReminderStore)
	if !ok {
		t.Fatalf("%T is not an admit.ReminderStore", f.s)
	}
	from := T0.Add(10 * day)
	const def = time.Hour
	plain := f.meeting("81234567901", occ(1, from.Add(30*time.Minute), ""), occ(2, from.Add(90*time.Minute), ""), occ(3, from.Add(150*time.Minute), ""))
	long := f.meeting("81234567902", occ(1, from.Add(150*time.Minute), ""), occ(2, from.Add(200*time.Minute), ""))
	long.ReminderLead = 3 * time.Hour
	short := f.meeting("81234567903", occ(1, from.Add(20*time.Minute), ""), occ(2, from.Add(45*time.Minute), ""))
	short.ReminderLead = 30 * time.Minute
	for _, m := range []*admit.Meeting{plain, long, short} {
		f.save(t, m)
	}
	got, err := f.s.FindMeetingByID(f.ctx, f.account.ID, long.ID)
	must(t, err)
	if got.ReminderLead != 3*time.Hour {
		t.Errorf("the meeting's reminder lead is %v after a save, want 3h", got.ReminderLead)
	}
	due := func(want ...string) {
		t.Helper()
		refs, err := rs.FindStartingOccurrences(f.ctx, from, def, 0)
		must(t, err)
		var names []string
		for _, r := range refs {
			name := map[string]string{plain.ID: "plain", long.ID: "long", short.ID: "short"}[r.MeetingID]
			names = append(names, fmt.Sprintf("%s/%d", name, r.Index))
			lead := admit.EffectiveReminderLead(r.MeetingLead, r.AccountLead, def)
			if !r.Start.Before(from.Add(lead)) {
				t.Errorf("%s/%d at %v is listed, beyond its lead %v", name, r.Index, r.Start, lead)
			}
		}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("due occurrences %v, want %v", names, want)
		}
	}
	// The default hour: plain's first; long's lead is 3 hours, short's half
	// an hour.
	due("short/1", "plain/1", "long/1")
	// The account's two hours apply to plain only.
	must(t, ms.PutAccountReminderLead(f.ctx, f.account.ID, 2*time.Hour))
	due("short/1", "plain/1", "plain/2", "long/1")
}
