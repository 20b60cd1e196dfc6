package e2e_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runAdmit runs the admit binary with args and extra environment
// variables; it returns standard output, standard error and the exit status.
func runAdmit(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ADMIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("admit %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// TestCLIHelp: "admit", "admit help" and "admit -h" print the same help and
// exit 0; it names every command (user link and list, meeting roster and
// attendance, version, completion) and hides the test-only clock; a
// command's help is its own, with each flag's environment variable.
func TestCLIHelp(t *testing.T) {
	bare, _, code := runAdmit(t, nil)
	if code != 0 {
		t.Fatalf("admit: exit %d, want 0", code)
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		out, _, code := runAdmit(t, nil, args...)
		if code != 0 || out != bare {
			t.Errorf("admit %s: exit %d, output differs from bare admit's: %v", args[0], code, out != bare)
		}
	}
	for _, want := range []string{"user link", "user list", "user create", "meeting roster", "meeting attendance", "meeting create", "version", "completion", "admit user link --email"} {
		if !strings.Contains(bare, want) {
			t.Errorf("admit help does not mention %q:\n%s", want, bare)
		}
	}
	if strings.Contains(bare, "test-clock") {
		t.Errorf("admit help shows the test-only --test-clock")
	}

	serve, _, code := runAdmit(t, nil, "serve", "-h")
	if code != 0 || !strings.HasPrefix(serve, "Usage: admit serve") || strings.Contains(serve, "Usage of") {
		t.Errorf("admit serve -h: exit %d:\n%s", code, serve)
	}
	for _, want := range []string{"--base-url", "$ADMIT_BASE_URL", "--trusted-proxy", "$ADMIT_TRUSTED_PROXIES", "--key-file", "$ADMIT_KEY_FILE", "--http", "$ADMIT_HTTP", "--data", "$ADMIT_DATA"} {
		if !strings.Contains(serve, want) {
			t.Errorf("admit serve -h does not mention %q", want)
		}
	}
	if strings.Contains(serve, "test-clock") {
		t.Errorf("admit serve -h shows the test-only --test-clock")
	}
	if same, _, _ := runAdmit(t, nil, "help", "serve"); same != serve {
		t.Errorf("admit help serve differs from admit serve -h")
	}

	create, _, code := runAdmit(t, nil, "meeting", "create", "-h")
	if code != 0 || !strings.Contains(create, "--topic") || !strings.Contains(create, "$ADMIT_EMAIL") {
		t.Errorf("admit meeting create -h: exit %d:\n%s", code, create)
	}
	for _, other := range []string{"--what", "--invitee", "--from"} {
		if strings.Contains(create, other) {
			t.Errorf("admit meeting create -h lists %s, a flag of another command", other)
		}
	}
}

// TestCLIUsageErrors: an unknown command or a missing flag exits 2 and says
// how to get help.
func TestCLIUsageErrors(t *testing.T) {
	_, stderr, code := runAdmit(t, nil, "bogus")
	if code != 2 || !strings.Contains(stderr, `admit help`) {
		t.Errorf("admit bogus: exit %d, stderr %q; want 2 and a pointer to admit help", code, stderr)
	}
	_, stderr, code = runAdmit(t, nil, "meeting", "end", "m-1", "--data", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "--email") || !strings.Contains(stderr, "admit help meeting end") {
		t.Errorf("admit meeting end without --email: exit %d, stderr %q", code, stderr)
	}
}

// TestCLIVersionAndCompletion: version prints a line; completion scripts
// for bash and zsh call the hidden __complete, which completes commands,
// flags and enumerated values from the command tree.
func TestCLIVersionAndCompletion(t *testing.T) {
	if out, _, code := runAdmit(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "admit ") {
		t.Errorf("admit version: exit %d, %q", code, out)
	}
	for _, sh := range []string{"bash", "zsh"} {
		if out, _, code := runAdmit(t, nil, "completion", sh); code != 0 || !strings.Contains(out, "admit __complete") {
			t.Errorf("admit completion %s: exit %d:\n%s", sh, code, out)
		}
	}
	var completeTests = []struct {
		words []string
		want  string
	}{
		{[]string{"user", ""}, "create\nlink\nlist\n"},
		{[]string{"meeting", "re"}, "regenerate\n"},
		{[]string{"meeting", "create", "--kind", ""}, "instant\nrecurring\nscheduled\n"},
		{[]string{"serve", "--tr"}, "--trusted-gateway\n--trusted-proxy\n"},
		{[]string{"serve", "--te"}, ""},
		{[]string{"completion", ""}, "bash\nzsh\n"},
	}
	top, _, _ := runAdmit(t, nil, "__complete", "--", "")
	for _, cmd := range []string{"audit", "completion", "help", "meeting", "serve", "token", "user", "version"} {
		if !strings.Contains("\n"+top, "\n"+cmd+"\n") {
			t.Errorf("complete \"\" does not offer %s: %q", cmd, top)
		}
	}
	if strings.Contains(top, "__complete") {
		t.Errorf("complete offers the hidden __complete")
	}
	for _, tt := range completeTests {
		out, _, code := runAdmit(t, nil, append([]string{"__complete", "--"}, tt.words...)...)
		if code != 0 || out != tt.want {
			t.Errorf("complete %q: exit %d, %q; want %q", tt.words, code, out, tt.want)
		}
	}
}

// TestCLIUsers: user create says how the user gets a password (a link to
// the running server), user list lists, user link prints the running
// server's URL without --base-url, and meeting commands take the host from
// ADMIT_EMAIL.
func TestCLIUsers(t *testing.T) {
	s := startServer(t, "")
	out := s.cli("user", "create", "--email", "ada@example.com", "--name", "Ada Lovelace")
	if !strings.Contains(out, s.url+"/invite/") {
		t.Errorf("user create, with a server running, printed no set-password link to it:\n%s", out)
	}
	s.cli("user", "create", "--email", "grace@example.com", "--name", "Grace Hopper")
	list := s.cli("user", "list")
	for _, want := range []string{"ada@example.com", "Ada Lovelace", "owner", "grace@example.com", "host"} {
		if !strings.Contains(list, want) {
			t.Errorf("user list does not show %q:\n%s", want, list)
		}
	}
	if link := strings.TrimSpace(s.cli("user", "link", "--email", "grace@example.com")); !strings.HasPrefix(link, s.url+"/invite/") {
		t.Errorf("user link printed %q, want a link to the running server %s", link, s.url)
	}
	stdout, stderr, code := runAdmit(t, []string{"ADMIT_EMAIL=ada@example.com"}, "meeting", "list", "--data", s.data)
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(stdout), "[") && !strings.HasPrefix(strings.TrimSpace(stdout), "null") {
		t.Errorf("meeting list with ADMIT_EMAIL: exit %d, %q %q", code, stdout, stderr)
	}

	s.stop()
	_, stderr, code = runAdmit(t, nil, "user", "link", "--email", "grace@example.com", "--data", s.data)
	if code != 2 || !strings.Contains(stderr, "--base-url") {
		t.Errorf("user link with no server running: exit %d, %q; want 2 naming --base-url", code, stderr)
	}
}
