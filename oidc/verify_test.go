package oidc_test

import (
	"slices"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/oidc"
	"github.com/admit-project/admit/oidc/oidctest"
)

// signerApp is an app whose relying party "s" uses an in-process signer.
func signerApp(t *testing.T) (*app, *oidctest.Signer) {
	t.Helper()
	a := newApp(t)
	s := oidctest.NewSigner(t)
	a.add(t, "s", oidc.Config{Issuer: s.Issuer, ClientID: s.ClientID, ClientSecret: s.ClientSecret, RoleClaim: "groups"})
	return a, s
}

func signIn(t *testing.T, a *app) (*oidc.Result, admit.SignInReason) {
	t.Helper()
	b := oidctest.NewBrowser(t, a.URL+"/callback")
	cb, err := b.Login(a.URL+"/login/s", "", "")
	if err != nil {
		t.Fatal(err)
	}
	return deliver(t, b, cb)
}

type tokenTest struct {
	name   string
	tweak  func(c map[string]any)
	reason admit.SignInReason
}

var tokenTests = []tokenTest{
	{"expired", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, admit.SignInExpired},
	{"expired within the skew is accepted", func(c map[string]any) { c["exp"] = time.Now().Add(-oidc.ClockSkew / 3).Unix() }, ""},
	{"no expiry", func(c map[string]any) { delete(c, "exp") }, admit.SignInExpired},
	{"another audience", func(c map[string]any) { c["aud"] = "someone-else" }, admit.SignInWrongAudience},
	{"several audiences without azp", func(c map[string]any) { c["aud"] = []string{"admit-test", "other"} }, admit.SignInWrongAudience},
	{"several audiences with another azp", func(c map[string]any) {
		c["aud"] = []string{"admit-test", "other"}
		c["azp"] = "other"
	}, admit.SignInWrongAudience},
	{"several audiences with our azp", func(c map[string]any) {
		c["aud"] = []string{"admit-test", "other"}
		c["azp"] = "admit-test"
	}, ""},
	{"another issuer", func(c map[string]any) { c["iss"] = "https://evil.example" }, admit.SignInWrongIssuer},
	{"issued in the future", func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() }, admit.SignInInvalidToken},
	{"another nonce", func(c map[string]any) { c["nonce"] = "replayed-nonce" }, admit.SignInNonceMismatch},
	{"no nonce", func(c map[string]any) { delete(c, "nonce") }, admit.SignInNonceMismatch},
	{"no subject", func(c map[string]any) { delete(c, "sub") }, admit.SignInSubjectMissing},
	{"email_verified false", func(c map[string]any) { c["email_verified"] = false }, admit.SignInEmailUnverified},
	{"email_verified absent", func(c map[string]any) { delete(c, "email_verified") }, admit.SignInEmailUnverified},
	{"email_verified as the string true", func(c map[string]any) { c["email_verified"] = "true" }, ""},
	{"email_verified as the string yes", func(c map[string]any) { c["email_verified"] = "yes" }, admit.SignInEmailUnverified},
	{"no email", func(c map[string]any) { delete(c, "email") }, admit.SignInEmailMissing},
	{"not an email", func(c map[string]any) { c["email"] = "alice" }, admit.SignInEmailMissing},
}

func TestIDTokenChecks(t *testing.T) {
	a, s := signerApp(t)
	for _, tt := range tokenTests {
		s.Tweak(tt.tweak)
		_, reason := signIn(t, a)
		if reason != tt.reason {
			t.Errorf("%s: reason %q, want %q", tt.name, reason, tt.reason)
		}
	}
}

func TestSignerIdentityAndRoleClaim(t *testing.T) {
	a, s := signerApp(t)
	s.Groups = []string{"staff", "meeting-admins"}
	res, reason := signIn(t, a)
	if reason != "" {
		t.Fatal(reason)
	}
	id := res.Identity
	if id.Subject != s.Subject || id.Email != "alice@example.com" || !id.EmailVerified || id.Name != "Alice Signer" ||
		!slices.Equal(id.RoleValues, []string{"staff", "meeting-admins"}) {
		t.Errorf("identity = %+v", id)
	}
	prov := &admit.IdentityProvider{Name: "Signer", Issuer: s.Issuer, ClientID: s.ClientID, AllowedDomains: []string{"example.com"},
		RoleClaim: "groups", RoleMappings: []admit.RoleMapping{{Value: "meeting-admins", Role: admit.RoleAdmin}, {Value: "staff", Role: admit.RoleHost}}}
	d, err := admit.DecideProvisioning(admit.ProvisionInput{Provider: prov, Identity: &id})
	if err != nil || d.Role != admit.RoleAdmin {
		t.Errorf("DecideProvisioning = %+v, %v; want an admin", d, err)
	}
	s.Tweak(func(c map[string]any) { c["groups"] = "staff" }) // a single string
	res, reason = signIn(t, a)
	if reason != "" || !slices.Equal(res.Identity.RoleValues, []string{"staff"}) {
		t.Errorf("single-string claim: %+v, %q", res, reason)
	}
}

func TestForgedSignatureRefused(t *testing.T) {
	a, s := signerApp(t)
	s.Forge(t)
	if _, reason := signIn(t, a); reason != admit.SignInBadSignature {
		t.Errorf("reason %q, want %q", reason, admit.SignInBadSignature)
	}
}

func TestKeyRotation(t *testing.T) {
	a, s := signerApp(t)
	if _, reason := signIn(t, a); reason != "" {
		t.Fatalf("before rotation: %s", reason)
	}
	if _, reason := signIn(t, a); reason != "" {
		t.Fatalf("second sign-in: %s", reason)
	}
	before := s.KeyFetches()
	s.Rotate(t)
	if _, reason := signIn(t, a); reason != "" {
		t.Fatalf("after rotation: %s (the unknown key must be fetched)", reason)
	}
	if s.KeyFetches() <= before {
		t.Errorf("key set fetched %d times before and %d after rotation: want a fetch for the new key", before, s.KeyFetches())
	}
}

func TestSignerLogoutURLAndConnection(t *testing.T) {
	a, s := signerApp(t)
	a.mu.Lock()
	rp := a.rps["s"]
	a.mu.Unlock()
	u, ok := rp.LogoutURL("tok", "https://admit.example/signed-out")
	want := s.Issuer + "/logout?client_id=admit-test&id_token_hint=tok&post_logout_redirect_uri=https%3A%2F%2Fadmit.example%2Fsigned-out"
	if !ok || u != want {
		t.Errorf("LogoutURL = %q, %v; want %q", u, ok, want)
	}
	if err := rp.TestConnection(t.Context()); err != nil {
		t.Errorf("TestConnection: %v", err)
	}
}
