package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/admit-project/admit"
)

// Scopes every sign-in asks for; a provider's role claim may need more
// (Config.ExtraScopes).
var Scopes = []string{gooidc.ScopeOpenID, "email", "profile"}

// ClockSkew is how far the provider's clock may be ahead of ours (issued
// at) or behind (expiry).
const ClockSkew = 30 * time.Second

// Config is one account's provider as the relying party needs it.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is admit's callback, registered at the provider.
	RedirectURL string
	// RoleClaim names the claim whose values map to roles ("" for none).
	RoleClaim   string
	ExtraScopes []string
	// HTTPClient talks to the provider (http.DefaultClient when nil).
	HTTPClient *http.Client
}

// RelyingParty signs people in with one provider.
type RelyingParty struct {
	cfg        Config
	keeper     *StateKeeper
	clock      admit.Clock
	provider   *gooidc.Provider
	verifier   *gooidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
}

// Discover fetches the provider's discovery document (whose issuer must
// equal cfg.Issuer exactly) and returns a relying party on it. Its errors
// are *admit.SignInError with reason provider_unreachable, naming the
// cause for the settings page's "test connection".
func Discover(ctx context.Context, cfg Config, keeper *StateKeeper) (*RelyingParty, error) {
	if keeper == nil || keeper.Sealer == nil || keeper.Clock == nil {
		return nil, errors.New("oidc: a StateKeeper with a Sealer and a Clock is required")
	}
	ctx = gooidc.ClientContext(ctx, cfg.client())
	p, err := gooidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, refuse(admit.SignInProviderDown, fmt.Errorf("discovery at %s: %w", cfg.Issuer, err))
	}
	var extra struct {
		EndSession string   `json:"end_session_endpoint"`
		Challenges []string `json:"code_challenge_methods_supported"`
	}
	if err := p.Claims(&extra); err != nil {
		return nil, refuse(admit.SignInProviderDown, fmt.Errorf("discovery document: %w", err))
	}
	if len(extra.Challenges) > 0 && !slices.Contains(extra.Challenges, "S256") {
		return nil, refuse(admit.SignInProviderDown, errors.New("the provider does not offer PKCE with S256"))
	}
	rp := &RelyingParty{cfg: cfg, keeper: keeper, clock: keeper.Clock, provider: p, endSession: extra.EndSession}
	// The verifier checks the signature against the provider's remote key
	// set (fetched again when a token names an unknown key: rotation). The
	// claims are checked by checkClaims, after the signature, so that each
	// refusal has its own reason.
	rp.verifier = p.VerifierContext(gooidc.ClientContext(context.Background(), cfg.client()), &gooidc.Config{
		ClientID:          cfg.ClientID,
		SkipClientIDCheck: true,
		SkipExpiryCheck:   true,
		SkipIssuerCheck:   true,
	})
	rp.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  cfg.RedirectURL,
		Scopes:       append(slices.Clone(Scopes), cfg.ExtraScopes...),
	}
	return rp, nil
}

func (c Config) client() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

// TestConnection checks that the provider answers: discovery (done by
// Discover) and its key set. It is what "test connection" runs.
func (rp *RelyingParty) TestConnection(ctx context.Context) error {
	var d struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := rp.provider.Claims(&d); err != nil || d.JWKS == "" {
		return refuse(admit.SignInProviderDown, errors.New("discovery document has no jwks_uri"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.JWKS, nil)
	if err != nil {
		return refuse(admit.SignInProviderDown, err)
	}
	resp, err := rp.cfg.client().Do(req)
	if err != nil {
		return refuse(admit.SignInProviderDown, fmt.Errorf("key set: %w", err))
	}
	defer resp.Body.Close()
	var keys struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if resp.StatusCode != http.StatusOK {
		return refuse(admit.SignInProviderDown, fmt.Errorf("key set: %s answered %s", d.JWKS, resp.Status))
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&keys); err != nil || len(keys.Keys) == 0 {
		return refuse(admit.SignInProviderDown, fmt.Errorf("key set at %s holds no keys", d.JWKS))
	}
	return nil
}

// Issuer returns the provider's issuer URL.
func (rp *RelyingParty) Issuer() string { return rp.cfg.Issuer }

// Begin starts a sign-in for key: it sets the state cookie on w and returns
// the provider's authorization URL to redirect the browser to, with state,
// nonce and the S256 PKCE challenge.
func (rp *RelyingParty) Begin(w http.ResponseWriter, key, returnTo string) (string, error) {
	f, err := rp.keeper.Start(w, key, rp.cfg.Issuer, rp.cfg.ClientID, returnTo)
	if err != nil {
		return "", err
	}
	return rp.oauth.AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), nil
}

// Result is a successful sign-in.
type Result struct {
	Identity admit.VerifiedIdentity
	// Key and ReturnTo are the flow's, as Begin was given them.
	Key      string
	ReturnTo string
	// IDToken is the raw ID token, kept for the logout's id_token_hint.
	IDToken string
}

// Finish completes a sign-in on the provider's redirect back: it consumes
// the flow the state names (clearing its cookie on w) and exchanges the
// code. Refusals are *admit.SignInError (see Exchange and
// StateKeeper.Consume for the reasons).
func (rp *RelyingParty) Finish(ctx context.Context, w http.ResponseWriter, r *http.Request) (*Result, error) {
	f, err := rp.keeper.Consume(w, r)
	if err != nil {
		return nil, err
	}
	return rp.Exchange(ctx, f, r.URL.Query())
}

// Exchange completes a consumed flow with the callback's query: it refuses
// a provider error, exchanges the code with the PKCE verifier, verifies the
// ID token and its nonce, fills in missing claims from userinfo (same
// subject only) and requires a verified email. Refusal reasons:
// bad_state (flow of another provider), provider_error, code_rejected,
// provider_unreachable, no_id_token, invalid_token, bad_signature,
// wrong_issuer, wrong_audience, expired, nonce_mismatch, subject_missing,
// subject_mismatch, email_missing, email_unverified.
func (rp *RelyingParty) Exchange(ctx context.Context, f *Flow, query url.Values) (*Result, error) {
	if f.Issuer != rp.cfg.Issuer || f.ClientID != rp.cfg.ClientID {
		return nil, refuse(admit.SignInBadState, errors.New("the flow was started with another provider or client"))
	}
	if e := query.Get("error"); e != "" {
		return nil, refuse(admit.SignInProviderError, fmt.Errorf("provider answered %q: %.200s", e, query.Get("error_description")))
	}
	if iss := query.Get("iss"); iss != "" && iss != rp.cfg.Issuer { // RFC 9207
		return nil, refuse(admit.SignInWrongIssuer, fmt.Errorf("callback names issuer %q", iss))
	}
	code := query.Get("code")
	if code == "" {
		return nil, refuse(admit.SignInCodeRejected, errors.New("no code in the callback"))
	}
	cctx := context.WithValue(ctx, oauth2.HTTPClient, rp.cfg.client())
	tok, err := rp.oauth.Exchange(cctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			if re.ErrorCode == "invalid_grant" {
				return nil, refuse(admit.SignInCodeRejected, fmt.Errorf("token endpoint: %s", re.ErrorCode))
			}
			return nil, refuse(admit.SignInProviderError, fmt.Errorf("token endpoint: %d %s", re.Response.StatusCode, re.ErrorCode))
		}
		return nil, refuse(admit.SignInProviderDown, fmt.Errorf("token endpoint: %w", err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, refuse(admit.SignInNoIDToken, errors.New("token response without id_token"))
	}
	idt, err := rp.VerifyIDToken(ctx, raw, f.Nonce)
	if err != nil {
		return nil, err
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, refuse(admit.SignInInvalidToken, fmt.Errorf("at_hash: %w", err))
		}
	}
	id, err := rp.identity(cctx, idt, tok)
	if err != nil {
		return nil, err
	}
	return &Result{Identity: *id, Key: f.Key, ReturnTo: f.ReturnTo, IDToken: raw}, nil
}

// VerifyIDToken verifies a raw ID token: its signature against the
// provider's keys, then issuer, audience (and azp when there are several),
// expiry and issued-at against the clock, and that its nonce is the given
// one (compared in constant time). Refusal reasons: invalid_token,
// bad_signature, wrong_issuer, wrong_audience, expired, nonce_mismatch,
// subject_missing.
func (rp *RelyingParty) VerifyIDToken(ctx context.Context, raw, nonce string) (*gooidc.IDToken, error) {
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		// go-oidc's errors have no types; their texts are stable within
		// the pinned version (verify_test covers each).
		msg := err.Error()
		switch {
		case strings.Contains(msg, "fetching keys"):
			return nil, refuse(admit.SignInProviderDown, err)
		case strings.Contains(msg, "signature algorithm"), strings.Contains(msg, "not signed"):
			return nil, refuse(admit.SignInBadSignature, err)
		case strings.Contains(msg, "malformed"), strings.Contains(msg, "unmarshal"):
			return nil, refuse(admit.SignInInvalidToken, err)
		}
		return nil, refuse(admit.SignInBadSignature, err)
	}
	if idt.Issuer != rp.cfg.Issuer {
		return nil, refuse(admit.SignInWrongIssuer, fmt.Errorf("iss %q", idt.Issuer))
	}
	if !slices.Contains(idt.Audience, rp.cfg.ClientID) {
		return nil, refuse(admit.SignInWrongAudience, fmt.Errorf("aud %q", idt.Audience))
	}
	if len(idt.Audience) > 1 {
		var c struct {
			AZP string `json:"azp"`
		}
		if err := idt.Claims(&c); err != nil || c.AZP != rp.cfg.ClientID {
			return nil, refuse(admit.SignInWrongAudience, fmt.Errorf("several audiences %q and azp %q", idt.Audience, c.AZP))
		}
	}
	now := rp.clock.Now()
	if idt.Expiry.IsZero() || !now.Before(idt.Expiry.Add(ClockSkew)) {
		return nil, refuse(admit.SignInExpired, fmt.Errorf("exp %s, now %s", idt.Expiry.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	if idt.IssuedAt.After(now.Add(ClockSkew)) {
		return nil, refuse(admit.SignInInvalidToken, fmt.Errorf("iat %s is in the future", idt.IssuedAt.UTC().Format(time.RFC3339)))
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, refuse(admit.SignInNonceMismatch, errors.New("the ID token's nonce is not this sign-in's"))
	}
	if idt.Subject == "" {
		return nil, refuse(admit.SignInSubjectMissing, errors.New("no sub"))
	}
	return idt, nil
}

// LogoutURL returns the provider's RP-initiated logout URL (OpenID Connect
// RP-Initiated Logout 1.0) with the ID token as hint and where to come back
// to, and false when the provider offers no end_session_endpoint.
func (rp *RelyingParty) LogoutURL(idTokenHint, postLogoutRedirect string) (string, bool) {
	if rp.endSession == "" {
		return "", false
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return "", false
	}
	q := u.Query()
	q.Set("client_id", rp.cfg.ClientID)
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint)
	}
	if postLogoutRedirect != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirect)
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}
