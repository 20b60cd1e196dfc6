package e2e_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/admit-project/admit/oidc/oidctest"
)

// TestSSOCLI connects the provider with the CLI, tests the connection,
// shows it without the secret, and a host signs in with it.
func TestSSOCLI(t *testing.T) {
	s := startServer(t, "")
	p := oidctest.StartProvider(t, []string{s.url + "/signin/sso/callback"})
	s.cli("user", "create", "--email", "olive@example.com", "--name", "Olive Owner")
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(oidctest.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := s.cli("sso", "set", "--name", "Local IdP", "--issuer", p.Issuer, "--client-id", oidctest.ClientID,
		"--client-secret-file", secret, "--domain", "example.com", "--default-role", "host")
	if !strings.Contains(out, "connected") {
		t.Errorf("sso set: %s", out)
	}
	if out := s.cli("sso", "test"); !strings.Contains(out, "connection works") {
		t.Errorf("sso test: %s", out)
	}
	show := s.cli("sso", "show")
	if !strings.Contains(show, `"has_client_secret": true`) || strings.Contains(show, `"`+oidctest.ClientSecret+`"`) || !strings.Contains(show, p.Issuer) {
		t.Errorf("sso show:\n%s", show)
	}
	if out, err := s.cliErr("sso", "set", "--name", "X", "--issuer", "http://idp.example.com", "--client-id", "x", "--domain", "example.com"); err == nil {
		t.Errorf("an http issuer off localhost was accepted: %s", out)
	}
	if _, st, loc, body := ssoLogin(t, s, "alice", nil); st != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("sign-in after the CLI connected the provider: %d %q\n%s", st, loc, body)
	}
	if out := s.cli("sso", "remove"); !strings.Contains(out, "disconnected") {
		t.Errorf("sso remove: %s", out)
	}
}
