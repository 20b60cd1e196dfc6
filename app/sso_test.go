package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

func ssoProvider(accountID int64) *admit.IdentityProvider {
	return &admit.IdentityProvider{AccountID: accountID, Name: "Example SSO", Issuer: "https://idp.example.com/", ClientID: "admit",
		ClientSecret: "client-secret-value", AllowedDomains: []string{"example.com"}, RoleClaim: "groups",
		RoleMappings: []admit.RoleMapping{{Value: "admins", Role: admit.RoleAdmin}}, DefaultRole: admit.RoleHost}
}

func events(t *testing.T, svc interface {
	FindEvents(context.Context, admit.EventFilter) ([]*admit.Event, error)
}, action string) []*admit.Event {
	t.Helper()
	all, err := svc.FindEvents(context.Background(), admit.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []*admit.Event
	for _, e := range all {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestIdentityProviderSettings(t *testing.T) {
	svc, owner, _ := authService(t)
	ctx := context.Background()
	host, err := svc.InviteUser(ctx, owner, "host2@example.com", "Host Two", admit.RoleHost)
	if err != nil {
		t.Fatal(err)
	}
	hostActor := &admit.Actor{User: host.User, Source: "test"}
	if _, err := svc.SetIdentityProvider(ctx, hostActor, ssoProvider(0), false); admit.ErrorCode(err) != admit.EFORBIDDEN {
		t.Errorf("a host setting the provider: %v, want EFORBIDDEN", err)
	}
	if _, _, err := svc.ProviderSettings(ctx, hostActor); admit.ErrorCode(err) != admit.EFORBIDDEN {
		t.Errorf("a host reading the provider: %v, want EFORBIDDEN", err)
	}
	if _, _, err := svc.ProviderSettings(ctx, owner); admit.ErrorCode(err) != admit.ENOTFOUND {
		t.Errorf("no provider yet: %v, want ENOTFOUND", err)
	}
	bad := ssoProvider(0)
	bad.AllowedDomains = nil
	if _, err := svc.SetIdentityProvider(ctx, owner, bad, false); admit.ErrorField(err) != "allowed_domains" {
		t.Errorf("no domains: %v, want EINVALID on allowed_domains", err)
	}
	out, err := svc.SetIdentityProvider(ctx, owner, ssoProvider(0), false)
	if err != nil || out.ClientSecret != "" || out.AccountID != owner.User.AccountID {
		t.Fatalf("SetIdentityProvider = %+v, %v", out, err)
	}
	// Stored sealed: the plaintext secret is nowhere in the row.
	st := svc.Store.(admit.SSOStore)
	sp, err := st.FindIdentityProvider(ctx, owner.User.AccountID)
	if err != nil || sp.SealedSecret == nil || bytes.Contains(sp.SealedSecret, []byte("client-secret-value")) {
		t.Errorf("stored provider %+v, %v: want the secret sealed", sp, err)
	}
	p, has, err := svc.ProviderSettings(ctx, owner)
	if err != nil || !has || p.ClientSecret != "" || p.Issuer != "https://idp.example.com/" {
		t.Errorf("ProviderSettings = %+v, %v, %v", p, has, err)
	}
	// A form that does not show the secret keeps it.
	p.Name = "Renamed"
	if _, err := svc.SetIdentityProvider(ctx, owner, p, true); err != nil {
		t.Fatal(err)
	}
	full, err := svc.IdentityProvider(ctx, owner.User.AccountID)
	if err != nil || full.ClientSecret != "client-secret-value" || full.Name != "Renamed" {
		t.Errorf("after keeping the secret: %+v, %v", full, err)
	}
	if n := len(events(t, svc.Store, "sso.provider_set")); n != 2 {
		t.Errorf("%d sso.provider_set events, want 2", n)
	}
	for _, e := range events(t, svc.Store, "sso.provider_set") {
		if strings.Contains(e.Detail, "client-secret-value") {
			t.Error("the audit trail holds the client secret")
		}
	}
}

func TestSignInWithIdentity(t *testing.T) {
	svc, owner, _ := authService(t)
	ctx := context.Background()
	acct := owner.User.AccountID
	if _, err := svc.SetIdentityProvider(ctx, owner, ssoProvider(0), false); err != nil {
		t.Fatal(err)
	}
	id := &admit.VerifiedIdentity{Issuer: "https://idp.example.com/", Subject: "sub-ann", Email: "Ann@example.com", EmailVerified: true, Name: "Ann Example"}

	ws, err := svc.SignInWithIdentity(ctx, acct, id, "raw.id.token", "198.51.100.7")
	if err != nil {
		t.Fatalf("first sign-in: %v", err)
	}
	if ws.User.Email != "ann@example.com" || ws.User.Role != admit.RoleHost || ws.User.Name != "Ann Example" || ws.Cookie == "" {
		t.Errorf("first sign-in made %+v", ws.User)
	}
	if tok, err := svc.SessionIDToken(ctx, ws); err != nil || tok != "raw.id.token" {
		t.Errorf("SessionIDToken = %q, %v", tok, err)
	}
	if got, err := svc.SessionByCookie(ctx, ws.Cookie); err != nil || got.User.ID != ws.User.ID {
		t.Errorf("the session does not sign in: %v", err)
	}
	if evs := events(t, svc.Store, "user.provisioned"); len(evs) != 1 || !strings.Contains(evs[0].Detail, "role=host") {
		t.Errorf("user.provisioned events: %+v", evs)
	}

	// Later: the provider now says admin, and a new name.
	id.RoleValues, id.Name = []string{"admins"}, "Ann Admin"
	ws2, err := svc.SignInWithIdentity(ctx, acct, id, "", "198.51.100.7")
	if err != nil || ws2.User.ID != ws.User.ID || ws2.User.Role != admit.RoleAdmin || ws2.User.Name != "Ann Admin" {
		t.Fatalf("second sign-in = %+v, %v", ws2, err)
	}
	if evs := events(t, svc.Store, "user.role_changed"); len(evs) != 1 || !strings.Contains(evs[0].Detail, "host -> admin") {
		t.Errorf("user.role_changed events: %+v", evs)
	}
	signins := events(t, svc.Store, "user.signin")
	if len(signins) != 2 || !strings.Contains(signins[0].Detail, "subject=sub-ann") || !strings.Contains(signins[0].Detail, "issuer=https://idp.example.com/") {
		t.Errorf("user.signin events: %+v", signins)
	}

	// Refusals, each audited with its reason and uniform to the person.
	for _, tt := range []struct {
		name   string
		id     admit.VerifiedIdentity
		reason admit.SignInReason
	}{
		{"domain", admit.VerifiedIdentity{Issuer: id.Issuer, Subject: "sub-eve", Email: "eve@evil.example", EmailVerified: true}, admit.SignInDomainNotAllowed},
		{"unverified", admit.VerifiedIdentity{Issuer: id.Issuer, Subject: "sub-una", Email: "una@example.com"}, admit.SignInEmailUnverified},
		{"another subject for Ann", admit.VerifiedIdentity{Issuer: id.Issuer, Subject: "sub-mallory", Email: "ann@example.com", EmailVerified: true}, admit.SignInSubjectConflict},
	} {
		_, err := svc.SignInWithIdentity(ctx, acct, &tt.id, "", "203.0.113.9")
		if admit.SignInReasonOf(err) != tt.reason || admit.ErrorMessage(err) != admit.ErrSignInRefused.Message {
			t.Errorf("%s: %v, want reason %q with the generic message", tt.name, err, tt.reason)
		}
	}
	failed := events(t, svc.Store, "user.signin_failed")
	if len(failed) != 3 || !strings.Contains(failed[0].Detail, "domain_not_allowed") || !strings.Contains(failed[2].Detail, "subject_conflict") {
		t.Errorf("user.signin_failed events: %+v", failed)
	}

	// The owner, a password user, is linked on first sign-in and stays owner.
	oid := &admit.VerifiedIdentity{Issuer: id.Issuer, Subject: "sub-owner", Email: owner.User.Email, EmailVerified: true, Name: "Owner"}
	ows, err := svc.SignInWithIdentity(ctx, acct, oid, "", "198.51.100.7")
	if err != nil || ows.User.ID != owner.User.ID || ows.User.Role != admit.RoleOwner {
		t.Errorf("owner's sign-in = %+v, %v", ows, err)
	}
}

func TestSSOOnlyLeavesTheOwnersPassword(t *testing.T) {
	svc, owner, _ := authService(t)
	ctx := context.Background()
	p := ssoProvider(0)
	p.SSOOnly = true
	if _, err := svc.SetIdentityProvider(ctx, owner, p, false); err != nil {
		t.Fatal(err)
	}
	ws, err := svc.SignInWithIdentity(ctx, owner.User.AccountID, &admit.VerifiedIdentity{Issuer: p.Issuer, Subject: "s", Email: "h@example.com", EmailVerified: true}, "", "x")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := svc.PasswordAllowed(ctx, ws.User); ok || err != nil {
		t.Errorf("PasswordAllowed(host) = %v, %v; want false under SSO only", ok, err)
	}
	if ok, err := svc.PasswordAllowed(ctx, owner.User); !ok || err != nil {
		t.Errorf("PasswordAllowed(owner) = %v, %v; want true (break-glass)", ok, err)
	}
	// The password sign-in itself: the host's correct password is refused,
	// the owner's still signs in.
	h, _ := testHasher.Hash("host-password-123")
	if err := svc.Store.SetPassword(ctx, ws.User.ID, h); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignIn(ctx, ws.User.Email, "host-password-123", "x"); admit.ErrorCode(err) != admit.EUNAUTHORIZED {
		t.Errorf("a host's password under SSO only: %v, want EUNAUTHORIZED", err)
	}
	if _, err := svc.SignIn(ctx, owner.User.Email, "owner-password-123", "x"); err != nil {
		t.Errorf("the owner's break-glass password: %v", err)
	}
	_ = rand.Reader
}
