package oidc

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// DiscoveryTTL is how long a relying party built from a provider's
// discovery document is used before the document is fetched again.
const DiscoveryTTL = time.Hour

// Registry keeps one relying party per account, built from the account's
// admit.IdentityProvider on first use and again when the provider's
// settings change or DiscoveryTTL has passed. All of them share one
// StateKeeper and callback URL, so the callback finds the account in the
// flow (Flow.Key) and picks its relying party with For.
type Registry struct {
	Keeper      *StateKeeper
	RedirectURL string
	// PostLogoutURL is where the provider's logout sends the browser back
	// (registered at the provider); empty leaves it to the provider.
	PostLogoutURL string
	HTTPClient    *http.Client

	mu      sync.Mutex
	entries map[int64]registryEntry
}

type registryEntry struct {
	fingerprint [32]byte
	built       time.Time
	rp          *RelyingParty
}

// fingerprint covers every setting the relying party depends on.
func fingerprint(p *admit.IdentityProvider) [32]byte {
	return sha256.Sum256([]byte(strings.Join([]string{p.Issuer, p.ClientID, p.ClientSecret, p.RoleClaim}, "\x00")))
}

// For returns the relying party of p's account, discovering the provider
// when needed. Its errors are Discover's.
func (g *Registry) For(ctx context.Context, p *admit.IdentityProvider) (*RelyingParty, error) {
	fp := fingerprint(p)
	now := g.Keeper.Clock.Now()
	g.mu.Lock()
	e, ok := g.entries[p.AccountID]
	g.mu.Unlock()
	if ok && e.fingerprint == fp && now.Sub(e.built) < DiscoveryTTL {
		return e.rp, nil
	}
	rp, err := Discover(ctx, Config{
		Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		RedirectURL: g.RedirectURL, RoleClaim: p.RoleClaim, HTTPClient: g.HTTPClient,
	}, g.Keeper)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	if g.entries == nil {
		g.entries = map[int64]registryEntry{}
	}
	g.entries[p.AccountID] = registryEntry{fingerprint: fp, built: now, rp: rp}
	g.mu.Unlock()
	return rp, nil
}

// Forget drops the account's relying party (after its provider is removed).
func (g *Registry) Forget(accountID int64) {
	g.mu.Lock()
	delete(g.entries, accountID)
	g.mu.Unlock()
}

// TestConnection discovers p's provider afresh (bypassing the cache) and
// fetches its key set: the settings page's "test connection". Its errors
// are *admit.SignInError with reason provider_unreachable, naming the
// cause.
func (g *Registry) TestConnection(ctx context.Context, p *admit.IdentityProvider) error {
	rp, err := Discover(ctx, Config{
		Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		RedirectURL: g.RedirectURL, RoleClaim: p.RoleClaim, HTTPClient: g.HTTPClient,
	}, g.Keeper)
	if err != nil {
		return err
	}
	return rp.TestConnection(ctx)
}
