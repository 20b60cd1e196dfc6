package oidc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/oidc"
	"github.com/admit-project/admit/oidc/oidctest"
)

// app is a stand-in for admit's edge: /login starts a sign-in with one of
// its relying parties and /callback finishes it, answering the identity
// (200) or the refusal's reason (403, for the test only: admit shows one
// generic refusal).
type app struct {
	URL    string
	keeper *oidc.StateKeeper
	mu     sync.Mutex
	rps    map[string]*oidc.RelyingParty // by flow key
	// rewriteAuth, when set, changes the authorization URL (as an attacker
	// in the middle would) before the browser goes there.
	rewriteAuth func(u *url.URL)
	last        *oidc.Result
}

func newApp(t *testing.T) *app {
	t.Helper()
	a := &app{rps: map[string]*oidc.RelyingParty{}}
	a.keeper = &oidc.StateKeeper{Sealer: mustRing(t), Clock: admit.SystemClock{}, CookiePath: "/callback"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/{key}", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		rp, rewrite := a.rps[r.PathValue("key")], a.rewriteAuth
		a.mu.Unlock()
		authURL, err := rp.Begin(w, r.PathValue("key"), r.URL.Query().Get("return_to"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if rewrite != nil {
			u, _ := url.Parse(authURL)
			rewrite(u)
			authURL = u.String()
		}
		http.Redirect(w, r, authURL, http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		f, err := a.keeper.Consume(w, r)
		if err == nil {
			a.mu.Lock()
			rp := a.rps[f.Key]
			a.mu.Unlock()
			var res *oidc.Result
			if res, err = rp.Exchange(r.Context(), f, r.URL.Query()); err == nil {
				a.mu.Lock()
				a.last = res
				a.mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(res)
				return
			}
		}
		http.Error(w, string(admit.SignInReasonOf(err)), http.StatusForbidden)
		t.Logf("callback refused: %v", err)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

func (a *app) add(t *testing.T, key string, cfg oidc.Config) *oidc.RelyingParty {
	t.Helper()
	cfg.RedirectURL = a.URL + "/callback"
	rp, err := oidc.Discover(context.Background(), cfg, a.keeper)
	if err != nil {
		t.Fatalf("Discover(%s): %v", cfg.Issuer, err)
	}
	a.mu.Lock()
	a.rps[key] = rp
	a.mu.Unlock()
	return rp
}

// deliver sends the callback URL with the browser's cookies and returns
// the identity or the refusal's reason.
func deliver(t *testing.T, b *oidctest.Browser, cb *url.URL) (*oidc.Result, admit.SignInReason) {
	t.Helper()
	resp, err := b.Get(cb.String())
	if err != nil {
		t.Fatalf("callback: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusOK:
		var res oidc.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("callback answer %q: %v", body, err)
		}
		return &res, ""
	case http.StatusForbidden:
		return nil, admit.SignInReason(strings.TrimSpace(string(body)))
	}
	t.Fatalf("callback answered %s: %s", resp.Status, body)
	return nil, ""
}

// realProvider starts the example provider and an app whose relying party
// "web" uses its client "web", and "api" its client "api".
func realProvider(t *testing.T) (*app, *oidctest.Provider) {
	t.Helper()
	a := newApp(t)
	p := oidctest.StartProvider(t, []string{a.URL + "/callback"})
	a.add(t, "web", oidc.Config{Issuer: p.Issuer, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret})
	a.add(t, "api", oidc.Config{Issuer: p.Issuer, ClientID: oidctest.OtherClientID, ClientSecret: oidctest.OtherClientSecret})
	return a, p
}

func TestSignInWithRealProvider(t *testing.T) {
	a, p := realProvider(t)
	b := oidctest.NewBrowser(t, a.URL+"/callback")
	cb, err := b.Login(a.URL+"/login/web?return_to=/dashboard", "alice", oidctest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("code") == "" || cb.Query().Get("state") == "" {
		t.Fatalf("callback %s has no code or state", cb)
	}
	res, reason := deliver(t, b, cb)
	if reason != "" {
		t.Fatalf("sign-in refused: %s", reason)
	}
	want := admit.VerifiedIdentity{Issuer: p.Issuer, Subject: "alice", Email: "alice@example.com", EmailVerified: true, Name: "Alice Example"}
	if fmt.Sprint(res.Identity) != fmt.Sprint(want) {
		t.Errorf("identity = %+v, want %+v", res.Identity, want)
	}
	if res.Key != "web" || res.ReturnTo != "/dashboard" || res.IDToken == "" {
		t.Errorf("result key %q, return to %q, ID token %d bytes; want web, /dashboard and a token", res.Key, res.ReturnTo, len(res.IDToken))
	}

	// The provisioning decision on the real identity: Alice is allowed;
	// the same provider with only another domain allowed refuses her.
	prov := &admit.IdentityProvider{Name: "Local", Issuer: p.Issuer, ClientID: "web", AllowedDomains: []string{"example.com"}, DefaultRole: admit.RoleHost}
	if err := prov.Validate(); err != nil {
		t.Fatal(err)
	}
	d, err := admit.DecideProvisioning(admit.ProvisionInput{Provider: prov, Identity: &res.Identity})
	if err != nil || d.Action != admit.ProvisionCreate || d.Role != admit.RoleHost || d.Name != "Alice Example" {
		t.Errorf("DecideProvisioning = %+v, %v; want create a host named Alice Example", d, err)
	}
}

func TestRealProviderRefusals(t *testing.T) {
	a, p := realProvider(t)
	stop := a.URL + "/callback"

	t.Run("domain not allowed", func(t *testing.T) {
		b := oidctest.NewBrowser(t, stop)
		cb, err := b.Login(a.URL+"/login/web", "eve", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		res, reason := deliver(t, b, cb)
		if reason != "" {
			t.Fatalf("the relying party refused Eve (%s); the domain rule is the provisioning's", reason)
		}
		prov := &admit.IdentityProvider{Name: "Local", Issuer: p.Issuer, ClientID: "web", AllowedDomains: []string{"example.com"}, DefaultRole: admit.RoleHost}
		_, err = admit.DecideProvisioning(admit.ProvisionInput{Provider: prov, Identity: &res.Identity})
		if r := admit.SignInReasonOf(err); r != admit.SignInDomainNotAllowed {
			t.Errorf("Eve from evil.example: reason %q, want %q", r, admit.SignInDomainNotAllowed)
		}
	})

	t.Run("email not verified", func(t *testing.T) {
		b := oidctest.NewBrowser(t, stop)
		cb, err := b.Login(a.URL+"/login/web", "una", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		if _, reason := deliver(t, b, cb); reason != admit.SignInEmailUnverified {
			t.Errorf("reason %q, want %q", reason, admit.SignInEmailUnverified)
		}
	})

	t.Run("tampered state", func(t *testing.T) {
		b := oidctest.NewBrowser(t, stop)
		cb, err := b.Login(a.URL+"/login/web", "alice", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		q := cb.Query()
		s := q.Get("state")
		q.Set("state", s[:len(s)-1]+flip(s[len(s)-1]))
		cb.RawQuery = q.Encode()
		if _, reason := deliver(t, b, cb); reason != admit.SignInBadState {
			t.Errorf("reason %q, want %q", reason, admit.SignInBadState)
		}
	})

	t.Run("callback in another browser", func(t *testing.T) {
		b := oidctest.NewBrowser(t, stop)
		cb, err := b.Login(a.URL+"/login/web", "alice", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		victim := oidctest.NewBrowser(t, stop) // login CSRF: the code lands elsewhere
		if _, reason := deliver(t, victim, cb); reason != admit.SignInBadState {
			t.Errorf("reason %q, want %q", reason, admit.SignInBadState)
		}
	})

	t.Run("replayed callback and replayed code", func(t *testing.T) {
		b := oidctest.NewBrowser(t, stop)
		cb, err := b.Login(a.URL+"/login/web", "alice", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		cookies := b.Client.Jar.Cookies(cb)
		if _, reason := deliver(t, b, cb); reason != "" {
			t.Fatalf("first delivery refused: %s", reason)
		}
		// The same callback with the cookie put back: the state is spent.
		b.Client.Jar.SetCookies(cb, cookies)
		if _, reason := deliver(t, b, cb); reason != admit.SignInStateReused {
			t.Errorf("replayed callback: reason %q, want %q", reason, admit.SignInStateReused)
		}
		// The spent code under a fresh sign-in's state: the provider
		// refuses it.
		cb2, err := b.Login(a.URL+"/login/web", "alice", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		q := cb2.Query()
		q.Set("code", cb.Query().Get("code"))
		cb2.RawQuery = q.Encode()
		if _, reason := deliver(t, b, cb2); reason != admit.SignInCodeRejected {
			t.Errorf("replayed code: reason %q, want %q", reason, admit.SignInCodeRejected)
		}
	})

	t.Run("nonce mismatch", func(t *testing.T) {
		a.mu.Lock()
		a.rewriteAuth = func(u *url.URL) {
			q := u.Query()
			q.Set("nonce", "attacker-chosen-nonce")
			u.RawQuery = q.Encode()
		}
		a.mu.Unlock()
		t.Cleanup(func() { a.mu.Lock(); a.rewriteAuth = nil; a.mu.Unlock() })
		b := oidctest.NewBrowser(t, stop)
		cb, err := b.Login(a.URL+"/login/web", "alice", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		if _, reason := deliver(t, b, cb); reason != admit.SignInNonceMismatch {
			t.Errorf("reason %q, want %q", reason, admit.SignInNonceMismatch)
		}
	})

	t.Run("ID token for another audience", func(t *testing.T) {
		// A real ID token the provider issued to client "api", shown to
		// the relying party of client "web".
		b := oidctest.NewBrowser(t, stop)
		cb, err := b.Login(a.URL+"/login/api", "alice", oidctest.Password)
		if err != nil {
			t.Fatal(err)
		}
		res, reason := deliver(t, b, cb)
		if reason != "" {
			t.Fatalf("sign-in with client api refused: %s", reason)
		}
		a.mu.Lock()
		web := a.rps["web"]
		a.mu.Unlock()
		_, err = web.VerifyIDToken(context.Background(), res.IDToken, "any")
		if r := admit.SignInReasonOf(err); r != admit.SignInWrongAudience {
			t.Errorf("reason %q (%v), want %q", r, err, admit.SignInWrongAudience)
		}
	})

	t.Run("wrong password stays at the provider", func(t *testing.T) {
		b := oidctest.NewBrowser(t, stop)
		if _, err := b.Login(a.URL+"/login/web", "alice", "wrong"); err == nil {
			t.Error("a wrong password reached the callback")
		}
	})
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestRealProviderLogout(t *testing.T) {
	a, p := realProvider(t)
	b := oidctest.NewBrowser(t, a.URL+"/callback")
	cb, err := b.Login(a.URL+"/login/web", "alice", oidctest.Password)
	if err != nil {
		t.Fatal(err)
	}
	res, reason := deliver(t, b, cb)
	if reason != "" {
		t.Fatal(reason)
	}
	a.mu.Lock()
	web := a.rps["web"]
	a.mu.Unlock()
	u, ok := web.LogoutURL(res.IDToken, "")
	if !ok || !strings.HasPrefix(u, p.Issuer+"end_session?") || !strings.Contains(u, "id_token_hint=") {
		t.Fatalf("LogoutURL = %q, %v; want the provider's end_session with the ID token as hint", u, ok)
	}
	b.StopAt = ""
	resp, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "logged-out") {
		t.Errorf("end_session led to %s %s, want the provider's logged-out page", resp.Status, resp.Request.URL)
	}
}

func TestDiscoverRefusals(t *testing.T) {
	keeper := &oidc.StateKeeper{Sealer: mustRing(t), Clock: admit.SystemClock{}}
	// Nothing listens: pick a port and close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	s := oidctest.NewSigner(t)
	for _, tt := range []struct{ name, issuer string }{
		{"nothing listens", dead},
		{"issuer differs from the document's", s.Issuer + "/"},
		{"not a provider", s.Issuer + "/keys"},
	} {
		_, err := oidc.Discover(context.Background(), oidc.Config{Issuer: tt.issuer, ClientID: "x"}, keeper)
		if r := admit.SignInReasonOf(err); r != admit.SignInProviderDown {
			t.Errorf("%s: reason %q (%v), want %q", tt.name, r, err, admit.SignInProviderDown)
		}
	}
	if _, err := oidc.Discover(context.Background(), oidc.Config{Issuer: s.Issuer}, nil); err == nil || errors.Is(err, nil) {
		t.Error("Discover without a StateKeeper must fail")
	}
}
