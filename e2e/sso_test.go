package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/admit-project/admit/oidc/oidctest"
)

// ssoServer starts admit and the real example identity provider (its
// clients registered with admit's callback), makes the owner with the
// set-up link and connects the provider on the settings page. It returns
// the server, the owner's web client and the provider.
func ssoServer(t *testing.T) (*server, *webClient, *oidctest.Provider) {
	t.Helper()
	s := startServer(t, "")
	p := oidctest.StartProvider(t, []string{s.url + "/signin/sso/callback"})
	owner := s.webClient()
	pw := "a-long-owner-password"
	path := strings.TrimPrefix(s.setupURL(), s.url)
	if st, _, body := owner.send("POST", path, url.Values{"name": {"Olive Owner"}, "email": {"olive@example.com"}, "password": {pw}, "password_confirm": {pw}}); st != http.StatusSeeOther {
		t.Fatalf("set-up: %d\n%s", st, body)
	}
	if st, _, body := owner.send("GET", "/settings/sso", nil); st != 200 || !strings.Contains(body, `id="sso-form"`) || !strings.Contains(body, s.url+"/signin/sso/callback") {
		t.Fatalf("settings page: %d\n%s", st, body)
	}
	form := url.Values{"csrf": {owner.csrf}, "name": {"Local IdP"}, "issuer": {p.Issuer}, "client_id": {oidctest.ClientID},
		"client_secret": {oidctest.ClientSecret}, "allowed_domains": {"example.com"}, "default_role": {"host"}}
	if st, _, body := owner.send("POST", "/settings/sso", form); st != 200 || !strings.Contains(body, "Saved.") || strings.Contains(body, `value="`+oidctest.ClientSecret+`"`) {
		t.Fatalf("saving the provider: %d\n%s", st, body)
	}
	if st, _, body := owner.send("POST", "/settings/sso/test", url.Values{"csrf": {owner.csrf}}); st != 200 || !strings.Contains(body, "Connection works") {
		t.Fatalf("test connection: %d\n%s", st, body)
	}
	if st, _, body := owner.send("GET", "/settings", nil); st != 200 || !strings.Contains(body, `id="authentication"`) || !strings.Contains(body, `href="/settings/sso"`) {
		t.Fatalf("settings page: %d, want the sign-in defaults and the link to single sign-on\n%s", st, body)
	}
	return s, owner, p
}

// ssoLogin signs in at the provider from admit's sign-in button and
// delivers the callback; it returns the browser, the callback's status,
// its Location and body.
func ssoLogin(t *testing.T, s *server, user string, tamper func(cb *url.URL)) (*oidctest.Browser, int, string, string) {
	t.Helper()
	b := oidctest.NewBrowser(t, s.url+"/signin/sso/callback")
	cb, err := b.Login(s.url+"/signin/sso?next=/settings", user, oidctest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(cb)
	}
	b.StopAt = s.url + "/" // look at each answer of admit's
	resp, err := b.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b, resp.StatusCode, resp.Header.Get("Location"), body.String()
}

func TestSSOSignInWithRealProvider(t *testing.T) {
	s, owner, p := ssoServer(t)

	if st, _, body := s.webClient().send("GET", "/signin", nil); st != 200 || !strings.Contains(body, "Sign in with Local IdP") {
		t.Fatalf("sign-in page: %d, want the provider's button\n%s", st, body)
	}

	// Alice signs in at the provider and lands where she was going, as a
	// new host named by the provider.
	b, st, loc, body := ssoLogin(t, s, "alice", nil)
	if st != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("callback: %d %q\n%s", st, loc, body)
	}
	resp, err := b.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard after the sign-in: %d", resp.StatusCode)
	}
	if _, _, users := owner.send("GET", "/users", nil); !strings.Contains(users, "alice@example.com") || !strings.Contains(users, "Alice Example") {
		t.Errorf("after the first sign-in, the users page:\n%s", users)
	}
	// A host may not manage single sign-on.
	resp, err = b.Get(s.url + "/settings/sso")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a host on /settings/sso: %d, want 403", resp.StatusCode)
	}

	// Refusals: each the same page, each audited with its reason.
	refusals := []struct {
		name, user, reason string
		tamper             func(cb *url.URL)
	}{
		{"domain not allowed", "eve", "domain_not_allowed", nil},
		{"email not verified", "una", "email_unverified", nil},
		{"tampered state", "alice", "bad_state", func(cb *url.URL) {
			q := cb.Query()
			st := q.Get("state")
			q.Set("state", st[:len(st)-2]+"xx")
			cb.RawQuery = q.Encode()
		}},
	}
	for _, tt := range refusals {
		_, st, _, body := ssoLogin(t, s, tt.user, tt.tamper)
		if st != http.StatusUnauthorized || !strings.Contains(body, "Sign-in with the identity provider did not succeed") {
			t.Errorf("%s: %d\n%s", tt.name, st, body)
		}
		if strings.Contains(body, tt.reason) {
			t.Errorf("%s: the page names the reason %q", tt.name, tt.reason)
		}
	}
	_, _, audit := owner.send("GET", "/audit", nil)
	for _, want := range []string{"user.provisioned", "sso issuer=" + p.Issuer + " subject=alice", "sso: domain_not_allowed", "sso: email_unverified", "sso: bad_state"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}

	// Signing out ends admit's session and sends the browser to the
	// provider's logout.
	b2, _, _, _ := ssoLogin(t, s, "alice", nil)
	page, err := b2.Get(s.url + "/settings")
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64<<10)
	n, _ := page.Body.Read(raw)
	page.Body.Close()
	m := csrfField.FindSubmatch(raw[:n])
	if m == nil {
		t.Fatalf("no CSRF token on the settings page")
	}
	out, err := b2.Client.PostForm(s.url+"/signout", url.Values{"csrf": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	// The browser went on through the provider's end_session to its
	// logged-out page.
	if out.StatusCode != http.StatusOK || !strings.HasPrefix(out.Request.URL.String(), p.Issuer) || !strings.Contains(out.Request.URL.Path, "logged-out") {
		t.Errorf("sign-out ended at %d %s, want the provider's logged-out page", out.StatusCode, out.Request.URL)
	}
	again, err := b2.Get(s.url + "/settings")
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusSeeOther || !strings.HasPrefix(again.Header.Get("Location"), "/signin") {
		t.Errorf("after sign-out /settings answered %d %q, want the sign-in page", again.StatusCode, again.Header.Get("Location"))
	}
}

func TestSSOOnlyTurnsHostPasswordsOff(t *testing.T) {
	s, owner, p := ssoServer(t)
	form := url.Values{"csrf": {owner.csrf}, "name": {"Local IdP"}, "issuer": {p.Issuer}, "client_id": {oidctest.ClientID},
		"allowed_domains": {"example.com"}, "default_role": {"host"}, "sso_only": {"on"}}
	if st, _, body := owner.send("POST", "/settings/sso", form); st != 200 || !strings.Contains(body, "Saved.") {
		t.Fatalf("SSO only: %d\n%s", st, body)
	}
	// The secret was kept (the form left it empty): sign-in still works.
	if _, st, _, body := ssoLogin(t, s, "alice", nil); st != http.StatusSeeOther {
		t.Fatalf("sign-in after keeping the secret: %d\n%s", st, body)
	}
	// The owner's password still works (break-glass).
	b := s.webClient()
	if st, loc, body := b.send("POST", "/signin", url.Values{"email": {"olive@example.com"}, "password": {"a-long-owner-password"}}); st != http.StatusSeeOther || loc != "/" {
		t.Errorf("the owner's password under SSO only: %d %q\n%s", st, loc, body)
	}
}
