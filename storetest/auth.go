package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

func testPasswords(t *testing.T, f *fixture) {
	if h, err := f.s.FindPassword(f.ctx, f.host.ID); err != nil || h != "" {
		t.Errorf("FindPassword of a new user = %q, %v; want \"\", nil", h, err)
	}
	must(t, f.s.SetPassword(f.ctx, f.host.ID, "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA"))
	if h, err := f.s.FindPassword(f.ctx, f.host.ID); err != nil || h != "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA" {
		t.Errorf("FindPassword = %q, %v; want the hash set", h, err)
	}
	must(t, f.s.SetPassword(f.ctx, f.host.ID, ""))
	if h, _ := f.s.FindPassword(f.ctx, f.host.ID); h != "" {
		t.Errorf("FindPassword after removing = %q, want \"\"", h)
	}
	wantCode(t, f.s.SetPassword(f.ctx, 9999, "x"), admit.ENOTFOUND, "")
	_, err := f.s.FindPassword(f.ctx, 9999)
	wantCode(t, err, admit.ENOTFOUND, "")
}

func testUpdateUser(t *testing.T, f *fixture) {
	u := f.user(t, "bob@example.com")
	u.Name, u.Role, u.Timezone = "Bob B", admit.RoleAdmin, "Europe/Berlin"
	must(t, f.s.UpdateUser(f.ctx, u))
	got, err := f.s.FindUserByID(f.ctx, u.ID)
	must(t, err)
	if got.Name != "Bob B" || got.Role != admit.RoleAdmin || got.Timezone != "Europe/Berlin" || got.Email != "bob@example.com" {
		t.Errorf("after UpdateUser = %+v", got)
	}
	wantCode(t, f.s.UpdateUser(f.ctx, &admit.User{ID: 9999, Name: "x", Role: admit.RoleHost}), admit.ENOTFOUND, "")
}

func testDeleteUser(t *testing.T, f *fixture) {
	leaving := f.user(t, "leaving@example.com")
	room := f.meeting("2345678901")
	room.HostID, room.Kind, room.Start, room.Recurrence = leaving.ID, admit.KindPersonal, time.Time{}, nil
	f.save(t, room)
	m := f.meeting("12345678901", occ(1, T0, "111222333"))
	m.HostID = leaving.ID
	f.save(t, m)
	must(t, f.s.CreateAPIToken(f.ctx, &admit.APIToken{UserID: leaving.ID, Index: []byte("tok-leaving"), Scopes: []string{admit.ScopeRead}}))
	must(t, f.s.CreateSession(f.ctx, &admit.Session{Index: []byte("sess-leaving"), UserID: leaving.ID, CSRF: []byte("c"),
		CreatedAt: T0, ExpiresAt: T0.Add(time.Hour), LastSeen: T0}))
	must(t, f.s.CreateOneTimeLink(f.ctx, &admit.OneTimeLink{Index: []byte("link-leaving"), Purpose: admit.LinkInvite, UserID: leaving.ID,
		CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}))

	wantCode(t, f.s.DeleteUser(f.ctx, leaving.ID, leaving.ID, T0), admit.EINVALID, "transfer_to")
	other := &admit.Account{Name: "Other", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	must(t, f.s.CreateAccount(f.ctx, other))
	stranger := &admit.User{AccountID: other.ID, Email: "stranger@example.com", Name: "S", Role: admit.RoleOwner, Timezone: "UTC"}
	must(t, f.s.CreateUser(f.ctx, stranger))
	wantCode(t, f.s.DeleteUser(f.ctx, leaving.ID, stranger.ID, T0), admit.EINVALID, "transfer_to")
	wantCode(t, f.s.DeleteUser(f.ctx, 9999, f.host.ID, T0), admit.ENOTFOUND, "")
	wantCode(t, f.s.DeleteUser(f.ctx, leaving.ID, 9999, T0), admit.ENOTFOUND, "")
	if _, err := f.s.FindUserByID(f.ctx, leaving.ID); err != nil {
		t.Fatalf("a refused DeleteUser removed the user: %v", err)
	}

	must(t, f.s.DeleteUser(f.ctx, leaving.ID, f.host.ID, T0))
	_, err := f.s.FindUserByID(f.ctx, leaving.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	got, err := f.s.FindMeetingByID(f.ctx, f.account.ID, m.ID)
	must(t, err)
	if got.HostID != f.host.ID {
		t.Errorf("meeting host after DeleteUser = %d, want %d", got.HostID, f.host.ID)
	}
	_, err = f.s.FindMeetingByID(f.ctx, f.account.ID, room.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindPersonalRoom(f.ctx, f.host.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindAPIToken(f.ctx, []byte("tok-leaving"))
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.FindSession(f.ctx, []byte("sess-leaving"))
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.UseOneTimeLink(f.ctx, []byte("link-leaving"), admit.LinkInvite, T0)
	wantCode(t, err, admit.ENOTFOUND, "")
	// The email is free again.
	must(t, f.s.CreateUser(f.ctx, &admit.User{AccountID: f.account.ID, Email: "leaving@example.com", Name: "Back", Role: admit.RoleHost, Timezone: "UTC"}))
}

func testSessions(t *testing.T, f *fixture) {
	s := &admit.Session{Index: []byte("sess-1"), UserID: f.host.ID, CSRF: []byte("csrf-secret"),
		CreatedAt: T0, ExpiresAt: T0.Add(12 * time.Hour), LastSeen: T0}
	must(t, f.s.CreateSession(f.ctx, s))
	if s.ID == 0 {
		t.Fatal("CreateSession did not set ID")
	}
	got, err := f.s.FindSession(f.ctx, []byte("sess-1"))
	must(t, err)
	if got.ID != s.ID || got.UserID != f.host.ID || string(got.CSRF) != "csrf-secret" ||
		!sameTime(got.CreatedAt, T0) || !sameTime(got.ExpiresAt, T0.Add(12*time.Hour)) || !sameTime(got.LastSeen, T0) {
		t.Errorf("FindSession = %+v, want %+v", got, s)
	}
	must(t, f.s.TouchSession(f.ctx, s.ID, T0.Add(time.Minute)))
	if got, _ := f.s.FindSession(f.ctx, []byte("sess-1")); got == nil || !sameTime(got.LastSeen, T0.Add(time.Minute)) {
		t.Errorf("LastSeen after TouchSession = %v, want %v", got, T0.Add(time.Minute))
	}
	_, err = f.s.FindSession(f.ctx, []byte("nope"))
	wantCode(t, err, admit.ENOTFOUND, "")
	wantCode(t, f.s.TouchSession(f.ctx, 9999, T0), admit.ENOTFOUND, "")

	dup := &admit.Session{Index: []byte("sess-1"), UserID: f.host.ID, CSRF: []byte("x"), CreatedAt: T0, ExpiresAt: T0, LastSeen: T0}
	if err := f.s.CreateSession(f.ctx, dup); err == nil {
		t.Error("CreateSession with a taken index succeeded")
	}

	must(t, f.s.DeleteSession(f.ctx, s.ID))
	_, err = f.s.FindSession(f.ctx, []byte("sess-1"))
	wantCode(t, err, admit.ENOTFOUND, "")
	wantCode(t, f.s.DeleteSession(f.ctx, s.ID), admit.ENOTFOUND, "")

	for i := range 3 {
		must(t, f.s.CreateSession(f.ctx, &admit.Session{Index: []byte{'s', byte(i)}, UserID: f.host.ID, CSRF: []byte("c"),
			CreatedAt: T0, ExpiresAt: T0.Add(time.Hour), LastSeen: T0}))
	}
	other := f.user(t, "other@example.com")
	must(t, f.s.CreateSession(f.ctx, &admit.Session{Index: []byte("other"), UserID: other.ID, CSRF: []byte("c"),
		CreatedAt: T0, ExpiresAt: T0.Add(time.Hour), LastSeen: T0}))
	if n, err := f.s.DeleteUserSessions(f.ctx, f.host.ID); err != nil || n != 3 {
		t.Errorf("DeleteUserSessions = %d, %v; want 3", n, err)
	}
	if _, err := f.s.FindSession(f.ctx, []byte("other")); err != nil {
		t.Errorf("DeleteUserSessions removed another user's session: %v", err)
	}
}

func testOneTimeLinks(t *testing.T, f *fixture) {
	setup := &admit.OneTimeLink{Index: []byte("setup-1"), Purpose: admit.LinkSetup, CreatedAt: T0, ExpiresAt: T0.Add(24 * time.Hour)}
	must(t, f.s.CreateOneTimeLink(f.ctx, setup))
	if setup.ID == 0 {
		t.Fatal("CreateOneTimeLink did not set ID")
	}
	// Wrong purpose, then expired, then the right use, then a second use.
	_, err := f.s.UseOneTimeLink(f.ctx, []byte("setup-1"), admit.LinkInvite, T0)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.UseOneTimeLink(f.ctx, []byte("setup-1"), admit.LinkSetup, T0.Add(24*time.Hour))
	wantCode(t, err, admit.ENOTFOUND, "")
	got, err := f.s.UseOneTimeLink(f.ctx, []byte("setup-1"), admit.LinkSetup, T0.Add(time.Hour))
	must(t, err)
	if got.ID != setup.ID || got.Purpose != admit.LinkSetup || got.UserID != 0 || !sameTime(got.UsedAt, T0.Add(time.Hour)) ||
		!sameTime(got.ExpiresAt, setup.ExpiresAt) {
		t.Errorf("UseOneTimeLink = %+v", got)
	}
	_, err = f.s.UseOneTimeLink(f.ctx, []byte("setup-1"), admit.LinkSetup, T0.Add(time.Hour))
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = f.s.UseOneTimeLink(f.ctx, []byte("nope"), admit.LinkSetup, T0)
	wantCode(t, err, admit.ENOTFOUND, "")

	invite := &admit.OneTimeLink{Index: []byte("invite-1"), Purpose: admit.LinkInvite, UserID: f.host.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}
	must(t, f.s.CreateOneTimeLink(f.ctx, invite))
	if got, err := f.s.UseOneTimeLink(f.ctx, []byte("invite-1"), admit.LinkInvite, T0); err != nil || got.UserID != f.host.ID {
		t.Errorf("UseOneTimeLink(invite) = %+v, %v; want user %d", got, err, f.host.ID)
	}
}

// testConcurrentOneTimeLink uses one link from many goroutines: exactly one
// succeeds.
func testConcurrentOneTimeLink(t *testing.T, f *fixture) {
	must(t, f.s.CreateOneTimeLink(f.ctx, &admit.OneTimeLink{Index: []byte("race"), Purpose: admit.LinkSetup, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, notFound := 0, 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.s.UseOneTimeLink(f.ctx, []byte("race"), admit.LinkSetup, T0)
			mu.Lock()
			defer mu.Unlock()
			switch admit.ErrorCode(err) {
			case "":
				ok++
			case admit.ENOTFOUND:
				notFound++
			default:
				t.Errorf("UseOneTimeLink: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || notFound != 19 {
		t.Errorf("20 concurrent uses: %d succeeded, %d not found; want 1 and 19", ok, notFound)
	}
}

// testSetupLinksUseEachOther uses two set-up links (two nodes' starts) at
// once, many times over: exactly one use succeeds each round.
func testSetupLinksUseEachOther(t *testing.T, f *fixture) {
	for round := range 10 {
		a, b := []byte(uniq("setup-a")), []byte(uniq("setup-b"))
		for _, idx := range [][]byte{a, b} {
			must(t, f.s.CreateOneTimeLink(f.ctx, &admit.OneTimeLink{Index: idx, Purpose: admit.LinkSetup, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}))
		}
		invite := []byte(uniq("invite"))
		must(t, f.s.CreateOneTimeLink(f.ctx, &admit.OneTimeLink{Index: invite, Purpose: admit.LinkInvite, UserID: f.host.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, idx := range [][]byte{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.s.UseOneTimeLink(f.ctx, idx, admit.LinkSetup, T0)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch admit.ErrorCode(err) {
			case "":
				ok++
			case admit.ENOTFOUND:
			default:
				t.Fatalf("round %d: UseOneTimeLink: %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of two set-up links used at once succeeded, want 1", round, ok)
		}
		// An invitation is not a set-up link: it still works.
		if _, err := f.s.UseOneTimeLink(f.ctx, invite, admit.LinkInvite, T0); err != nil {
			t.Errorf("round %d: an invitation after a set-up: %v", round, err)
		}
	}
}
