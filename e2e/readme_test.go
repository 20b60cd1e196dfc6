package e2e_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestREADMEWalkthrough runs the README's "Five minutes with curl" as
// written (the CLI and the address swapped for the test's), in order, in
// an empty folder: every step works, only the wrong passcode is refused,
// the phone join uses digits, and no file is left behind.
func TestREADMEWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true and no %s: %v", tool, err)
			}
			t.Skipf("the README's walkthrough needs %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## Five minutes with curl")
	if !ok {
		t.Fatal("README has no \"Five minutes with curl\"")
	}
	_, rest, _ = strings.Cut(rest, "```sh\n")
	script, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the walkthrough's code block does not end")
	}
	s := startServer(t, "")
	script = strings.ReplaceAll(script, "go build -o admit ./cmd/admit", "")
	script = strings.ReplaceAll(script, "./admit ", `"$ADMIT" `)
	script = strings.ReplaceAll(script, "http://127.0.0.1:8080", s.url)
	dir := t.TempDir()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ADMIT="+binary, "ADMIT_DATA="+s.data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the walkthrough failed: %v\n%s", err, out)
	}
	text := string(out)
	if n := strings.Count(text, `"invalid_credentials"`); n != 1 {
		t.Errorf("%d refusals, want only the wrong passcode's:\n%s", n, text)
	}
	if !strings.Contains(text, s.url+"/invite/") {
		t.Errorf("user create printed no link to set a password:\n%s", text)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the walkthrough left %d files behind (first %s)", len(entries), entries[0].Name())
	}
}
