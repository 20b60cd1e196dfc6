package storetest

import (
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
	m := &admit.AccountMail{AccountID: f.account.ID, SMTP: &admit.SMTPSettings{Host: "smtp.example.com", Port: 587,
		Security: admit.SMTPStartTLS, Username: "u", From: "meetings@example.com", FromName: "Meetings", ReplyToHost: false},
		PasswordSealed: []byte("sealed-1"), ReminderLead: 30 * time.Minute}
	must(t, ms.PutAccountMail(f.ctx, m))
	if m.UpdatedAt.IsZero() {
		t.Error("UpdatedAt not set")
	}
	got, err := ms.FindAccountMail(f.ctx, f.account.ID)
	must(t, err)
	want := *m.SMTP
	if got.SMTP == nil || *got.SMTP != want || string(got.PasswordSealed) != "sealed-1" || got.ReminderLead != 30*time.Minute {
		t.Errorf("FindAccountMail = %+v (SMTP %+v), want %+v", got, got.SMTP, want)
	}
	// Back to the deployment's server: the settings and the password go,
	// the reminder lead stays.
	m.SMTP, m.PasswordSealed = nil, nil
	must(t, ms.PutAccountMail(f.ctx, m))
	got, err = ms.FindAccountMail(f.ctx, f.account.ID)
	must(t, err)
	if got.SMTP != nil || got.PasswordSealed != nil || got.ReminderLead != 30*time.Minute {
		t.Errorf("after removing the server: %+v (SMTP %+v)", got, got.SMTP)
	}
	// A server without a password.
	m.SMTP = &admit.SMTPSettings{Host: "127.0.0.1", Port: 25, Security: admit.SMTPNone, From: "a@example.com", ReplyToHost: true}
	m.ReminderLead = 0
	must(t, ms.PutAccountMail(f.ctx, m))
	got, err = ms.FindAccountMail(f.ctx, f.account.ID)
	must(t, err)
	if got.SMTP == nil || *got.SMTP != *m.SMTP || len(got.PasswordSealed) != 0 || got.ReminderLead != 0 {
		t.Errorf("without a password: %+v (SMTP %+v)", got, got.SMTP)
	}
}

// testAccountMailSealedPassword: key rotation finds the sealed SMTP
// password and replaces it only while the row still holds it.
func testAccountMailSealedPassword(t *testing.T, f *fixture, ms admit.AccountMailStore) {
	m := &admit.AccountMail{AccountID: f.account.ID, SMTP: &admit.SMTPSettings{Host: "smtp.example.com", Port: 465,
		Security: admit.SMTPImplicitTLS, Username: "u", From: "m@example.com"}, PasswordSealed: []byte("sealed-old")}
	must(t, ms.PutAccountMail(f.ctx, m))
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
