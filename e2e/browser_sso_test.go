package e2e_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/admit-project/admit/oidc/oidctest"
)

// TestBrowserSSOSignIn: in headless Chromium, a host takes the sign-in
// page's "Sign in with <provider>" button, signs in at the real provider's
// login form and lands on admit's dashboard, signed in, with the browser's
// time zone (Berlin here) as theirs, as a password sign-in gives it.
func TestBrowserSSOSignIn(t *testing.T) {
	b := newBrowser(t)
	s, _, _ := ssoServer(t)
	tb := b.tab(s, desktopWidth)
	tb.zoned("Europe/Berlin")
	// The owner's settings page for the provider passes the accessibility
	// check too.
	tb.open("/signin")
	tb.fill("#email", "olive@example.com")
	tb.fill("#password", "a-long-owner-password")
	if st := tb.click("#signin-form button[type=submit]"); st != 200 {
		t.Fatalf("owner's sign-in: %d", st)
	}
	if st := tb.open("/settings/sso"); st != 200 {
		t.Fatalf("settings page: %d", st)
	}
	tb.check("sso-settings")
	if st := tb.click("form.signout button"); st != 200 {
		t.Fatalf("sign-out: %d", st)
	}
	if st := tb.open("/signin"); st != 200 {
		t.Fatalf("sign-in page: %d", st)
	}
	tb.check("signin-sso")
	if got := tb.text("#sso-signin"); got != "Sign in with Local IdP" {
		t.Fatalf("the sign-in button reads %q", got)
	}
	if st := tb.click("#sso-signin"); st != 200 {
		t.Fatalf("to the provider's login: %d", st)
	}
	tb.fill("#username", "alice")
	tb.fill("#password", oidctest.Password)
	if st := tb.click("button[type=submit]"); st != 200 {
		t.Fatalf("after the provider's login: %d at %s", st, tb.location())
	}
	if u, _ := url.Parse(tb.location()); u == nil || !strings.HasPrefix(tb.location(), s.url) || u.Path != "/" {
		t.Fatalf("after the sign-in: %s, want admit's dashboard", tb.location())
	}
	tb.check("dashboard-after-sso")
	if !tb.has("form.signout") || !strings.Contains(tb.text("main"), "Today's calls") {
		t.Errorf("not signed in on the dashboard: %q", tb.text("main"))
	}
	if got := tb.text("#times-in"); !strings.Contains(got, "Europe/Berlin") {
		t.Errorf("after the sign-in with the provider the dashboard says %q, want the browser's zone Europe/Berlin", got)
	}
	if out := s.cli("user", "list"); !strings.Contains(out, "Europe/Berlin") {
		t.Errorf("user list does not show the zone from the browser:\n%s", out)
	}
}
