package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/password"
)

var testHasher = &password.Hasher{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}

var passwordTests = []struct {
	pw, email string
	ok        bool
}{
	{"correct-horse-battery", "", true},
	{"Tr0ub4dor&3x", "", true},
	{"short", "", false},
	{"aaaaaaaaaaaa", "", false},                  // one repeated character
	{"abcdefghijkl", "", false},                  // a sequence
	{"password1234", "", false},                  // built on a common password
	{"abcabcabcabc", "", false},                  // a repeated pattern
	{"me@example.com!", "me@example.com", false}, // holds the email
	{strings.Repeat("x", 300), "", false},        // too long
	{"ünïcødé-pässwörd", "", true},
}

func TestValidatePassword(t *testing.T) {
	for _, tt := range passwordTests {
		err := admit.ValidatePassword("password", tt.pw, tt.email)
		if (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok %v", tt.pw, err, tt.ok)
		}
		if err != nil && admit.ErrorField(err) != "password" {
			t.Errorf("ValidatePassword(%q) names field %q", tt.pw, admit.ErrorField(err))
		}
	}
}

// authService returns a service with a password hasher, and its owner with
// a password.
func authService(tb testing.TB) (*app.Service, *admit.Actor, *clock.FixedClock) {
	tb.Helper()
	svc, owner, clock := mustService(tb, rand.Reader)
	svc.Passwords = testHasher
	h, _ := testHasher.Hash("owner-password-123")
	if err := svc.Store.SetPassword(context.Background(), owner.User.ID, h); err != nil {
		tb.Fatal(err)
	}
	return svc, owner, clock
}

func TestSignInRateLimitedPerSource(t *testing.T) {
	svc, _, _ := authService(t)
	pol := admit.DefaultSourcePolicy()
	pol.MaxFailures, pol.FreeFailures = 3, 10
	svc.Limiter = memory.NewLimiter(pol)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, err := svc.SignIn(ctx, "host@example.com", "wrong-password-x", "192.0.2.1")
		if admit.ErrorCode(err) != admit.EUNAUTHORIZED || admit.ErrorMessage(err) != admit.SignInFailed {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if _, err := svc.SignIn(ctx, "host@example.com", "owner-password-123", "192.0.2.1"); admit.ErrorCode(err) != admit.ERATELIMITED {
		t.Fatalf("sign-in after the source's limit: %v, want rate limited", err)
	}
	ws, err := svc.SignIn(ctx, "host@example.com", "owner-password-123", "192.0.2.2")
	if err != nil {
		t.Fatalf("sign-in from another source: %v", err)
	}
	if len(ws.Cookie) < 43 || ws.Session.ExpiresAt.Sub(ws.Session.CreatedAt) != admit.SessionLifetime {
		t.Errorf("session cookie %d chars, lifetime %v", len(ws.Cookie), ws.Session.ExpiresAt.Sub(ws.Session.CreatedAt))
	}
	got, err := svc.SessionByCookie(ctx, ws.Cookie)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CheckCSRF(ws.CSRFToken()) || got.CheckCSRF("") || got.CheckCSRF(strings.Repeat("A", 43)) {
		t.Error("CSRF check accepts a wrong token or refuses the right one")
	}
	if _, err := svc.SessionByCookie(ctx, ws.Cookie+"x"); admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Errorf("a wrong cookie: %v", err)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	svc, _, clock := authService(t)
	ctx := context.Background()
	ws, err := svc.SignIn(ctx, "host@example.com", "owner-password-123", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(admit.SessionIdle - time.Second)
	if _, err := svc.SessionByCookie(ctx, ws.Cookie); err != nil {
		t.Fatalf("within the idle time: %v", err)
	}
	clock.Advance(admit.SessionIdle - time.Second)
	if _, err := svc.SessionByCookie(ctx, ws.Cookie); err != nil {
		t.Fatalf("used again within the idle time: %v", err)
	}
	clock.Advance(admit.SessionIdle)
	if _, err := svc.SessionByCookie(ctx, ws.Cookie); admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Fatalf("after the idle time: %v", err)
	}
}

func TestRoleRules(t *testing.T) {
	svc, owner, _ := authService(t)
	ctx := context.Background()
	inv, err := svc.InviteUser(ctx, owner, "ada@example.com", "Ada", admit.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inv.Link, "http://admit.test/invite/") {
		t.Errorf("invitation link %q", inv.Link)
	}
	token := strings.TrimPrefix(inv.Link, "http://admit.test/invite/")
	if _, err := svc.AcceptInvite(ctx, token, "short", "short", "test"); admit.ErrorCode(err) != admit.EINVALID {
		t.Fatalf("weak password accepted: %v", err)
	}
	ws, err := svc.AcceptInvite(ctx, token, "ada-lovelace-1843", "ada-lovelace-1843", "test")
	if err != nil {
		t.Fatalf("accept after a weak try: %v", err)
	}
	if _, err := svc.AcceptInvite(ctx, token, "ada-lovelace-1843", "ada-lovelace-1843", "test"); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Fatalf("invitation used twice: %v", err)
	}
	admin := ws.Actor("test")
	if _, err := svc.InviteUser(ctx, admin, "eve@example.com", "Eve", admit.RoleOwner); admit.ErrorCode(err) != admit.EFORBIDDEN {
		t.Errorf("admin invites an owner: %v", err)
	}
	if _, err := svc.ChangeRole(ctx, admin, owner.User.ID, admit.RoleHost); admit.ErrorCode(err) != admit.EFORBIDDEN {
		t.Errorf("admin demotes the owner: %v", err)
	}
	if _, err := svc.ChangeRole(ctx, owner, owner.User.ID, admit.RoleAdmin); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("the last owner demotes themself: %v", err)
	}
	if err := svc.RemoveUser(ctx, owner, owner.User.ID, ws.User.ID); admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("the last owner is removed: %v", err)
	}
	if _, err := svc.ChangeRole(ctx, owner, ws.User.ID, admit.RoleOwner); err != nil {
		t.Fatalf("owner makes an owner: %v", err)
	}
	if _, err := svc.ChangeRole(ctx, owner, owner.User.ID, admit.RoleHost); err != nil {
		t.Errorf("with two owners, one steps down: %v", err)
	}
	host := &admit.Actor{User: &admit.User{ID: owner.User.ID, AccountID: owner.User.AccountID, Role: admit.RoleHost}}
	if _, err := svc.InviteUser(ctx, host, "bob@example.com", "Bob", admit.RoleHost); admit.ErrorCode(err) != admit.EFORBIDDEN {
		t.Errorf("a host invites: %v", err)
	}
	if err := svc.RemoveUser(ctx, ws.Actor("test"), owner.User.ID, owner.User.ID); admit.ErrorCode(err) != admit.EINVALID {
		t.Errorf("transfer to the removed user: %v", err)
	}
	if err := svc.RemoveUser(ctx, ws.Actor("test"), owner.User.ID, 0); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := svc.SignIn(ctx, "host@example.com", "owner-password-123", "192.0.2.1"); admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Errorf("a removed user signs in: %v", err)
	}
	var events []string
	evs, _ := svc.Store.FindEvents(ctx, admit.EventFilter{Limit: 1000})
	for _, e := range evs {
		if strings.HasPrefix(e.Action, "user.") {
			events = append(events, e.Action)
		}
	}
	if got := strings.Join(events, " "); !strings.Contains(got, "user.invite") || !strings.Contains(got, "user.role") || !strings.Contains(got, "user.remove") {
		t.Errorf("user events %s", got)
	}
}

func TestSetupOnlyWithoutUsers(t *testing.T) {
	svc, _, _ := authService(t)
	link, err := svc.SetupLink(context.Background())
	if err != nil || link != "" {
		t.Errorf("SetupLink with a user = %q, %v", link, err)
	}
}

// TestConcurrentSetupMakesOneOwner uses two set-up links at once.
func TestConcurrentSetupMakesOneOwner(t *testing.T) {
	svc := serviceOn(t, filepath.Join(t.TempDir(), "admit.db"), rand.Reader)
	svc.Passwords = testHasher
	ctx := context.Background()
	var links []string
	for i := 0; i < 2; i++ {
		l, err := svc.SetupLink(ctx)
		if err != nil || l == "" {
			t.Fatalf("SetupLink: %q %v", l, err)
		}
		links = append(links, strings.TrimPrefix(l, "http://admit.test/setup/"))
	}
	errs := make(chan error, 2)
	for i, tok := range links {
		go func() {
			_, err := svc.CompleteSetup(ctx, tok, admit.SetupInput{Name: "Owner", Email: fmt.Sprintf("o%d@example.com", i),
				Password: "owner-password-123", PasswordConfirm: "owner-password-123"}, "test")
			errs <- err
		}()
	}
	ok := 0
	for range links {
		if err := <-errs; err == nil {
			ok++
		} else if admit.ErrorCode(err) != admit.ECONFLICT {
			t.Errorf("second set-up: %v, want conflict", err)
		}
	}
	acct, _ := svc.Store.FindDefaultAccount(ctx)
	us, _ := svc.Store.FindUsers(ctx, acct.ID)
	if ok != 1 || len(us) != 1 {
		t.Fatalf("%d set-ups succeeded, %d users; want one owner", ok, len(us))
	}
}
