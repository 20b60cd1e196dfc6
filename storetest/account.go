package storetest

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

func testAccounts(t *testing.T, f *fixture) {
	got, err := f.s.FindAccountByID(f.ctx, f.account.ID)
	must(t, err)
	if got.Name != "Acme" || got.Plan != admit.PlanPro || got.CreatedAt.IsZero() {
		t.Errorf("FindAccountByID = %+v, want Acme on pro with CreatedAt", got)
	}
	if got.Security.AccessCodeLength != admit.DefaultAccessCodeLength {
		t.Errorf("Security.AccessCodeLength = %d, want %d", got.Security.AccessCodeLength, admit.DefaultAccessCodeLength)
	}
	second := &admit.Account{Name: "Second", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	must(t, f.s.CreateAccount(f.ctx, second))
	if def, err := f.s.FindDefaultAccount(f.ctx); err != nil || def.ID != f.account.ID {
		t.Errorf("FindDefaultAccount = %v, %v; want the first account %d", def, err, f.account.ID)
	}

	got.Name, got.Plan = "Acme Corp", admit.PlanFree
	got.Security.Locked = []string{"waiting_room"}
	got.Security.WaitingRoom = true
	must(t, f.s.UpdateAccount(f.ctx, got))
	again, err := f.s.FindAccountByID(f.ctx, f.account.ID)
	must(t, err)
	if again.Name != "Acme Corp" || again.Plan != admit.PlanFree || !again.Security.WaitingRoom || !again.Security.IsLocked("waiting_room") {
		t.Errorf("after UpdateAccount = %+v", again)
	}

	_, err = f.s.FindAccountByID(f.ctx, 9999)
	wantCode(t, err, admit.ENOTFOUND, "")
	wantCode(t, f.s.UpdateAccount(f.ctx, &admit.Account{ID: 9999, Name: "x"}), admit.ENOTFOUND, "")
}

func testUsers(t *testing.T, f *fixture) {
	u := f.user(t, "ann@example.com")
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser did not set ID and CreatedAt: %+v", u)
	}
	other := &admit.Account{Name: "Other", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	must(t, f.s.CreateAccount(f.ctx, other))
	dup := &admit.User{AccountID: other.ID, Email: "ann@example.com", Name: "Ann", Role: admit.RoleHost, Timezone: "UTC"}
	wantCode(t, f.s.CreateUser(f.ctx, dup), admit.ECONFLICT, "email")

	got, err := f.s.FindUserByID(f.ctx, u.ID)
	must(t, err)
	if got.Email != "ann@example.com" || got.AccountID != f.account.ID || got.Role != admit.RoleOwner {
		t.Errorf("FindUserByID = %+v", got)
	}
	if got, err := f.s.FindUserByEmail(f.ctx, "ann@example.com"); err != nil || got.ID != u.ID {
		t.Errorf("FindUserByEmail = %v, %v; want user %d", got, err, u.ID)
	}
	_, err = f.s.FindUserByEmail(f.ctx, "nobody@example.com")
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindUserByID(f.ctx, 9999)
	wantCode(t, err, admit.ENOTFOUND, "")

	users, err := f.s.FindUsers(f.ctx, f.account.ID)
	must(t, err)
	if len(users) != 2 || users[0].ID != f.host.ID || users[1].ID != u.ID {
		t.Errorf("FindUsers = %d users, want host then ann", len(users))
	}
}

func testAPITokens(t *testing.T, f *fixture) {
	tok := &admit.APIToken{UserID: f.host.ID, Index: []byte("token-index"), Scopes: []string{admit.ScopeManage}}
	must(t, f.s.CreateAPIToken(f.ctx, tok))
	if tok.ID == 0 || tok.CreatedAt.IsZero() {
		t.Fatalf("CreateAPIToken did not set ID and CreatedAt: %+v", tok)
	}
	got, err := f.s.FindAPIToken(f.ctx, []byte("token-index"))
	must(t, err)
	if got.ID != tok.ID || got.UserID != f.host.ID || !got.HasScope(admit.ScopeRead) {
		t.Errorf("FindAPIToken = %+v", got)
	}
	_, err = f.s.FindAPIToken(f.ctx, []byte("other"))
	wantCode(t, err, admit.ENOTFOUND, "")
}

func testContacts(t *testing.T, f *fixture) {
	bob := &admit.Contact{AccountID: f.account.ID, Name: "Bob", Email: "bob@example.com"}
	ann := &admit.Contact{AccountID: f.account.ID, Name: "Ann", Phone: "+33 1 23 45 67 89"}
	must(t, f.s.CreateContact(f.ctx, bob))
	must(t, f.s.CreateContact(f.ctx, ann))
	if bob.ID == 0 || bob.CreatedAt.IsZero() {
		t.Fatalf("CreateContact did not set ID and CreatedAt: %+v", bob)
	}
	list, err := f.s.FindContacts(f.ctx, f.account.ID)
	must(t, err)
	if len(list) != 2 || list[0].Name != "Ann" || list[1].Name != "Bob" {
		t.Errorf("FindContacts = %v, want Ann then Bob", list)
	}

	other := &admit.Account{Name: "Other", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	must(t, f.s.CreateAccount(f.ctx, other))
	_, err = f.s.FindContactByID(f.ctx, other.ID, bob.ID)
	wantCode(t, err, admit.ENOTFOUND, "")

	bob.Name, bob.Phone = "Robert", "+1 555 0100"
	must(t, f.s.UpdateContact(f.ctx, bob))
	got, err := f.s.FindContactByID(f.ctx, f.account.ID, bob.ID)
	must(t, err)
	if got.Name != "Robert" || got.Phone != "+1 555 0100" || got.Email != "bob@example.com" {
		t.Errorf("after UpdateContact = %+v", got)
	}
	wantCode(t, f.s.UpdateContact(f.ctx, &admit.Contact{ID: bob.ID, AccountID: other.ID, Name: "x"}), admit.ENOTFOUND, "")

	must(t, f.s.DeleteContact(f.ctx, f.account.ID, bob.ID))
	wantCode(t, f.s.DeleteContact(f.ctx, f.account.ID, bob.ID), admit.ENOTFOUND, "")
	_, err = f.s.FindContactByID(f.ctx, f.account.ID, bob.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
}

func testEvents(t *testing.T, f *fixture) {
	at := T0
	e1 := &admit.Event{At: at, AccountID: f.account.ID, Actor: "user:1", Action: "meeting.create", Target: "meeting:m1", Outcome: "ok"}
	e2 := &admit.Event{At: at.Add(time.Second), AccountID: f.account.ID, Actor: "cli", Action: "code.view", Target: "meeting:m2", Outcome: "ok"}
	e3 := &admit.Event{At: at.Add(2 * time.Second), AccountID: 77, Actor: "system", Action: "meeting.delete", Target: "meeting:m1", Outcome: "ok", Detail: "x"}
	must(t, f.s.AppendEvents(f.ctx, e1, e2, e3))
	if !(e1.ID > 0 && e2.ID > e1.ID && e3.ID > e2.ID) {
		t.Fatalf("AppendEvents IDs = %d, %d, %d; want increasing", e1.ID, e2.ID, e3.ID)
	}
	all, err := f.s.FindEvents(f.ctx, admit.EventFilter{})
	must(t, err)
	if len(all) != 3 || all[0].ID != e1.ID || all[2].Detail != "x" || !all[1].At.Equal(e2.At) {
		t.Errorf("FindEvents = %d events, want 3 in order", len(all))
	}
	acct, err := f.s.FindEvents(f.ctx, admit.EventFilter{AccountID: f.account.ID})
	must(t, err)
	if len(acct) != 2 {
		t.Errorf("FindEvents by account = %d, want 2", len(acct))
	}
	target, err := f.s.FindEvents(f.ctx, admit.EventFilter{Target: "meeting:m1", AfterID: e1.ID})
	must(t, err)
	if len(target) != 1 || target[0].ID != e3.ID {
		t.Errorf("FindEvents by target after e1 = %v, want e3", target)
	}
	limited, err := f.s.FindEvents(f.ctx, admit.EventFilter{Limit: 2})
	must(t, err)
	if len(limited) != 2 || limited[1].ID != e2.ID {
		t.Errorf("FindEvents limit 2 = %d events", len(limited))
	}
}
