package oidc_test

import (
	"context"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/oidc"
	"github.com/admit-project/admit/oidc/oidctest"
)

func TestRegistry(t *testing.T) {
	s := oidctest.NewSigner(t)
	clock := newTestClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	g := &oidc.Registry{Keeper: &oidc.StateKeeper{Sealer: mustRing(t), Clock: clock}, RedirectURL: "http://127.0.0.1/callback"}
	p := &admit.IdentityProvider{AccountID: 1, Name: "Signer", Issuer: s.Issuer, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		AllowedDomains: []string{"example.com"}, DefaultRole: admit.RoleHost}
	ctx := context.Background()
	first, err := g.For(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := g.For(ctx, p); again != first {
		t.Error("For built a new relying party for unchanged settings")
	}
	p2 := *p
	p2.ClientSecret = "rotated"
	if changed, _ := g.For(ctx, &p2); changed == first {
		t.Error("For kept the relying party after the client secret changed")
	}
	clock.Advance(oidc.DiscoveryTTL)
	if later, _ := g.For(ctx, &p2); later == first {
		t.Error("For kept the relying party past DiscoveryTTL")
	}
	if err := g.TestConnection(ctx, p); err != nil {
		t.Errorf("TestConnection: %v", err)
	}
	bad := *p
	bad.Issuer = s.Issuer + "/nowhere"
	if r := admit.SignInReasonOf(g.TestConnection(ctx, &bad)); r != admit.SignInProviderDown {
		t.Errorf("TestConnection of a wrong issuer: reason %q, want %q", r, admit.SignInProviderDown)
	}
}
