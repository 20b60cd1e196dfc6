package oidc_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/oidc"
)

func mustRing(tb testing.TB) *keys.Ring {
	tb.Helper()
	r, err := keys.New(bytes.Repeat([]byte{7}, keys.MasterKeySize))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func newKeeper(tb testing.TB, clock admit.Clock) *oidc.StateKeeper {
	tb.Helper()
	return &oidc.StateKeeper{Sealer: mustRing(tb), Clock: clock, CookiePath: "/callback"}
}

// startFlow starts a flow and returns it with the cookie it set.
func startFlow(t *testing.T, k *oidc.StateKeeper, returnTo string) (*oidc.Flow, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	f, err := k.Start(rec, "acct-1", "https://idp.example.com", "admit", returnTo)
	if err != nil {
		t.Fatal(err)
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("Start set %d cookies, want 1", len(cs))
	}
	return f, cs[0]
}

func callback(state string, cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "/callback?code=c&state="+state, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

func TestStateCookieAttributes(t *testing.T) {
	k := newKeeper(t, newTestClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)))
	k.Secure = true
	f, c := startFlow(t, k, "/dashboard")
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/callback" || c.MaxAge != 600 {
		t.Errorf("cookie = %+v, want HttpOnly, Secure, SameSite=Lax, Path=/callback, Max-Age=600", c)
	}
	for _, secret := range []string{f.State, f.Nonce, f.Verifier} {
		if len(secret) != 43 {
			t.Errorf("secret %q has %d characters, want 43 (256 bits)", secret, len(secret))
		}
		if strings.Contains(c.Value, secret) {
			t.Error("the cookie holds a secret in the clear")
		}
	}
	if f.State == f.Nonce || f.Nonce == f.Verifier {
		t.Error("state, nonce and verifier must be drawn separately")
	}
}

func TestStateConsume(t *testing.T) {
	clock := newTestClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	k := newKeeper(t, clock)
	f, c := startFlow(t, k, "/meetings/42")

	other, otherCookie := startFlow(t, k, "/")
	_ = other

	for _, tt := range []struct {
		name    string
		req     *http.Request
		reason  admit.SignInReason
		cleared bool
	}{
		{"no state", callback("", c), admit.SignInBadState, false},
		{"tampered state", callback(f.State[:42]+"x", c), admit.SignInBadState, true},
		{"another flow's cookie under this name", callback(f.State, &http.Cookie{Name: c.Name, Value: otherCookie.Value}), admit.SignInBadState, true},
		{"cookie not sealed by us", callback(f.State, &http.Cookie{Name: c.Name, Value: "AAAA"}), admit.SignInBadState, true},
		{"no cookie (another browser)", callback(f.State), admit.SignInBadState, false},
	} {
		rec := httptest.NewRecorder()
		_, err := k.Consume(rec, tt.req)
		if r := admit.SignInReasonOf(err); r != tt.reason {
			t.Errorf("%s: reason %q (%v), want %q", tt.name, r, err, tt.reason)
		}
	}

	rec := httptest.NewRecorder()
	got, err := k.Consume(rec, callback(f.State, c))
	if err != nil {
		t.Fatalf("Consume of the right state: %v", err)
	}
	if got.Nonce != f.Nonce || got.Verifier != f.Verifier || got.ReturnTo != "/meetings/42" || got.Key != "acct-1" {
		t.Errorf("Consume = %+v, want %+v", got, f)
	}
	if cs := rec.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 || cs[0].Name != c.Name {
		t.Errorf("Consume must clear the cookie; set %+v", cs)
	}

	_, err = k.Consume(httptest.NewRecorder(), callback(f.State, c))
	if r := admit.SignInReasonOf(err); r != admit.SignInStateReused {
		t.Errorf("replayed state: reason %q (%v), want %q", r, err, admit.SignInStateReused)
	}
}

func TestStateExpires(t *testing.T) {
	clock := newTestClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	k := newKeeper(t, clock)
	f, c := startFlow(t, k, "/")
	clock.Advance(oidc.DefaultStateTTL)
	_, err := k.Consume(httptest.NewRecorder(), callback(f.State, c))
	if r := admit.SignInReasonOf(err); r != admit.SignInBadState {
		t.Errorf("expired state: reason %q (%v), want %q", r, err, admit.SignInBadState)
	}
}

func TestStateSealedForItsName(t *testing.T) {
	// A cookie sealed for one flow does not open under another name, even
	// with the right state: the seal's associated data is the name.
	k := newKeeper(t, admit.SystemClock{})
	f, c := startFlow(t, k, "/")
	other := newKeeper(t, admit.SystemClock{})
	other.CookiePrefix = "elsewhere"
	req := callback(f.State, &http.Cookie{Name: "elsewhere_" + f.State[:16], Value: c.Value})
	_, err := other.Consume(httptest.NewRecorder(), req)
	if r := admit.SignInReasonOf(err); r != admit.SignInBadState {
		t.Errorf("cookie under another name: reason %q (%v), want %q", r, err, admit.SignInBadState)
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/dashboard":            "/dashboard",
		"/m/1?x=2":              "/m/1?x=2",
		"":                      "/",
		"https://evil.example":  "/",
		"//evil.example/x":      "/",
		"/\\evil.example":       "/",
		"dashboard":             "/",
		"/a\r\nSet-Cookie: x=1": "/",
	} {
		if got := oidc.LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMemoryLedgerForgetsExpired(t *testing.T) {
	clock := newTestClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	l := oidc.NewMemoryLedger(clock)
	until := clock.Now().Add(time.Minute)
	if !l.Consume("a", until) || l.Consume("a", until) {
		t.Fatal("the first Consume must succeed and the second fail")
	}
	clock.Advance(time.Minute)
	if !l.Consume("a", clock.Now().Add(time.Minute)) {
		t.Error("an entry past its expiry must be forgotten (the state itself has expired by then)")
	}
}
