package e2e_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestCLIAccountPlan: the operator prints and sets the account's plan with
// `admit account plan`, the running server follows, and the vanity meeting
// ID that needed pro can then be chosen; a plan that does not exist is
// refused naming it, with the invalid-input exit status.
func TestCLIAccountPlan(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada Lovelace")
	if got := strings.TrimSpace(s.cli("account", "plan")); got != "free" {
		t.Fatalf("account plan = %q, want free", got)
	}
	list := s.do("GET", "/api/v1/meetings", tok, nil)
	var id string
	ms, _ := list.body["meetings"].([]any)
	for _, m := range ms {
		if mm, _ := m.(map[string]any); mm["kind"] == "personal" {
			id, _ = mm["id"].(string)
		}
	}
	if id == "" {
		t.Fatalf("no personal room in %s", list.raw)
	}
	if r := s.do("PATCH", "/api/v1/meetings/"+id, tok, map[string]any{"meeting_id": "555 012 3987"}); r.status != 403 {
		t.Fatalf("vanity ID on free: %d %s, want 403", r.status, r.raw)
	}
	if got := strings.TrimSpace(s.cli("account", "plan", "pro")); got != "pro" {
		t.Fatalf("account plan pro printed %q", got)
	}
	if r := s.do("GET", "/api/v1/account/plan", tok, nil); r.str("plan") != "pro" {
		t.Errorf("the API reads plan %q after the CLI set pro", r.str("plan"))
	}
	if r := s.do("PATCH", "/api/v1/meetings/"+id, tok, map[string]any{"meeting_id": "555 012 3987"}); r.status != 200 {
		t.Errorf("vanity ID on pro: %d %s", r.status, r.raw)
	}
	out, err := s.cliErr("account", "plan", "gold")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(out, "plan must be free or pro") {
		t.Errorf("account plan gold: %v\n%s", err, out)
	}
}
