package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// RunSSO runs the conformance suite of admit.SSOStore. open must return a
// new, empty store that also implements admit.SSOStore.
func RunSSO(t *testing.T, open func(tb testing.TB) admit.Store) {
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, f *fixture, s admit.SSOStore)
	}{
		{"IdentityProvider", testIdentityProvider},
		{"UserIdentities", testUserIdentities},
		{"SessionIDToken", testSessionIDToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, open)
			s, ok := f.s.(admit.SSOStore)
			if !ok {
				t.Fatalf("%T does not implement admit.SSOStore", f.s)
			}
			tt.fn(t, f, s)
		})
	}
}

func testIdentityProvider(t *testing.T, f *fixture, s admit.SSOStore) {
	_, err := s.FindIdentityProvider(f.ctx, f.account.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	p := &admit.StoredIdentityProvider{IdentityProvider: admit.IdentityProvider{
		AccountID: f.account.ID, Name: "Example SSO", Issuer: "https://idp.example.com/", ClientID: "admit",
		AllowedDomains: []string{"example.com", "example.org"}, RoleClaim: "groups",
		RoleMappings: []admit.RoleMapping{{Value: "admins", Role: admit.RoleAdmin}}, DefaultRole: admit.RoleHost,
		SSOOnly: true, UpdatedAt: T0,
	}, SealedSecret: []byte("sealed-secret")}
	must(t, s.PutIdentityProvider(f.ctx, p))
	got, err := s.FindIdentityProvider(f.ctx, f.account.ID)
	must(t, err)
	if got.Name != p.Name || got.Issuer != p.Issuer || got.ClientID != p.ClientID || string(got.SealedSecret) != "sealed-secret" ||
		!slices.Equal(got.AllowedDomains, p.AllowedDomains) || got.RoleClaim != "groups" || !slices.Equal(got.RoleMappings, p.RoleMappings) ||
		got.DefaultRole != admit.RoleHost || !got.SSOOnly || !got.UpdatedAt.Equal(T0) || got.ClientSecret != "" {
		t.Errorf("FindIdentityProvider = %+v, want %+v", got, p)
	}
	// Replace: a public client without mappings.
	p.SealedSecret, p.RoleMappings, p.RoleClaim, p.SSOOnly, p.UpdatedAt = nil, nil, "", false, T0.Add(time.Hour)
	must(t, s.PutIdentityProvider(f.ctx, p))
	got, err = s.FindIdentityProvider(f.ctx, f.account.ID)
	must(t, err)
	if got.SealedSecret != nil || len(got.RoleMappings) != 0 || got.SSOOnly || !got.UpdatedAt.Equal(T0.Add(time.Hour)) {
		t.Errorf("after replacing: %+v", got)
	}
	u := f.user(t, "linked@example.com")
	must(t, s.LinkUserIdentity(f.ctx, f.account.ID, &admit.ExternalIdentity{UserID: u.ID, Issuer: p.Issuer, Subject: "sub-1"}, T0))
	must(t, s.DeleteIdentityProvider(f.ctx, f.account.ID))
	_, err = s.FindIdentityProvider(f.ctx, f.account.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = s.FindUserIdentity(f.ctx, f.account.ID, p.Issuer, "sub-1")
	wantCode(t, err, admit.ENOTFOUND, "")
	wantCode(t, s.DeleteIdentityProvider(f.ctx, f.account.ID), admit.ENOTFOUND, "")
}

func testUserIdentities(t *testing.T, f *fixture, s admit.SSOStore) {
	const iss = "https://idp.example.com/"
	ann, bob := f.user(t, "ann@example.com"), f.user(t, "bob@example.com")
	must(t, s.LinkUserIdentity(f.ctx, f.account.ID, &admit.ExternalIdentity{UserID: ann.ID, Issuer: iss, Subject: "ann"}, T0))
	got, err := s.FindUserIdentity(f.ctx, f.account.ID, iss, "ann")
	must(t, err)
	if got.UserID != ann.ID {
		t.Errorf("FindUserIdentity = %+v, want user %d", got, ann.ID)
	}
	of, err := s.FindIdentityOfUser(f.ctx, ann.ID, iss)
	must(t, err)
	if of.Subject != "ann" {
		t.Errorf("FindIdentityOfUser = %+v, want subject ann", of)
	}
	// The subject is one user's, and a user has one subject per issuer.
	wantCode(t, s.LinkUserIdentity(f.ctx, f.account.ID, &admit.ExternalIdentity{UserID: bob.ID, Issuer: iss, Subject: "ann"}, T0), admit.ECONFLICT, "")
	wantCode(t, s.LinkUserIdentity(f.ctx, f.account.ID, &admit.ExternalIdentity{UserID: ann.ID, Issuer: iss, Subject: "ann-2"}, T0), admit.ECONFLICT, "")
	// Another account's lookup does not find it.
	other := &admit.Account{Name: "Other", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	must(t, f.s.CreateAccount(f.ctx, other))
	_, err = s.FindUserIdentity(f.ctx, other.ID, iss, "ann")
	wantCode(t, err, admit.ENOTFOUND, "")
	_, err = s.FindIdentityOfUser(f.ctx, bob.ID, iss)
	wantCode(t, err, admit.ENOTFOUND, "")
	// Removing the user removes the link: a later user never inherits it.
	must(t, f.s.DeleteUser(f.ctx, ann.ID, bob.ID, T0))
	_, err = s.FindUserIdentity(f.ctx, f.account.ID, iss, "ann")
	wantCode(t, err, admit.ENOTFOUND, "")
}

func testSessionIDToken(t *testing.T, f *fixture, s admit.SSOStore) {
	sess := &admit.Session{Index: []byte("sess-sso"), UserID: f.host.ID, CSRF: []byte("c"), CreatedAt: T0, ExpiresAt: T0.Add(time.Hour), LastSeen: T0}
	must(t, f.s.CreateSession(f.ctx, sess))
	tok, err := s.FindSessionIDToken(f.ctx, sess.ID)
	if err != nil || tok != nil {
		t.Errorf("FindSessionIDToken of a password session = %q, %v; want nil, nil", tok, err)
	}
	must(t, s.SetSessionIDToken(f.ctx, sess.ID, []byte("sealed-id-token")))
	tok, err = s.FindSessionIDToken(f.ctx, sess.ID)
	if err != nil || string(tok) != "sealed-id-token" {
		t.Errorf("FindSessionIDToken = %q, %v", tok, err)
	}
	wantCode(t, s.SetSessionIDToken(f.ctx, 9999, []byte("x")), admit.ENOTFOUND, "")
	_, err = s.FindSessionIDToken(f.ctx, 9999)
	wantCode(t, err, admit.ENOTFOUND, "")
}
