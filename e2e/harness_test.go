package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// binary is the admit binary built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "admit-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "admit")
	build := exec.Command("go", "build", "-o", binary, "../cmd/admit")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building admit:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `admit serve`.
type server struct {
	t    testing.TB
	data string
	url  string
	cmd  *exec.Cmd
	logs *lockedWriter // standard error, for the secrets-in-logs checks
	out  *lockedWriter // standard output, for the lines it prints (the set-up link)
	done chan struct{}
	// store are the flags that name the store to the CLI (--data DATA
	// unless startNode set others).
	store []string
}

// startServer starts admit serve --test-clock on a random port with the data
// directory (a new one when data is "") and extra flags. The loopback is a
// trusted proxy, so that join can give every join a source of its own (the
// tests make more failed joins than one source may).
func startServer(t testing.TB, data string, flags ...string) *server {
	t.Helper()
	return startServerUnder(t, nil, data, flags...)
}

// startServerUnder is startServer with the binary run by the command wrap
// (as `strace -f -o FILE --`); none when wrap is empty.
func startServerUnder(t testing.TB, wrap []string, data string, flags ...string) *server {
	t.Helper()
	if data == "" {
		data = t.TempDir()
	}
	args := append([]string{"serve", "--data", data, "--http", "127.0.0.1:0", "--test-clock", "--trusted-proxy", "127.0.0.1/32"}, flags...)
	cmd := exec.Command(binary, args...)
	if len(wrap) > 0 {
		cmd = exec.Command(wrap[0], append(append(wrap[1:len(wrap):len(wrap)], binary), args...)...)
	}
	cmd.Env = append(os.Environ(), "ADMIT_DATA=", "ADMIT_HTTP=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, data: data, cmd: cmd, logs: &lockedWriter{}, out: &lockedWriter{}, done: make(chan struct{}), store: []string{"--data", data}}
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.out.Write([]byte(sc.Text() + "\n"))
			lines <- sc.Text()
		}
		close(lines)
	}()
	go func() { cmd.Wait(); close(s.done) }()
	deadline := time.After(30 * time.Second)
	for s.url == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("admit serve exited before listening; stderr:\n%s", s.logs.String())
			}
			if rest, ok := strings.CutPrefix(line, "admit: listening on "); ok {
				s.url = strings.Fields(rest)[0]
			}
		case <-deadline:
			t.Fatalf("admit serve did not start; stderr:\n%s", s.logs.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			logs := s.logs.String()
			if len(logs) > 4000 {
				logs = "…" + logs[len(logs)-4000:]
			}
			t.Logf("admit serve's standard error:\n%s", logs)
		}
	})
	return s
}

// stop ends the server gracefully.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// kill ends the server with SIGKILL, as a crash would.
func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// lockedWriter collects a process's output for reading while it runs.
type lockedWriter struct {
	mu sync.Mutex
	w  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// cli runs the admit CLI on the server's store and returns its standard
// output; it fails the test when the command fails.
func (s *server) cli(args ...string) string {
	s.t.Helper()
	out, err := s.cliErr(args...)
	if err != nil {
		s.t.Fatalf("admit %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// cliErr runs the CLI and returns its output and error.
func (s *server) cliErr(args ...string) (string, error) {
	args = append(args[:len(args):len(args)], s.store...)
	// Flags go after the subcommand words, which come first in args.
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "ADMIT_DATA=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// host creates a user through the CLI and returns an API token for them.
func (s *server) host(email, name string) string {
	s.t.Helper()
	s.cli("user", "create", "--email", email, "--name", name)
	return strings.TrimSpace(s.cli("token", "create", "--email", email))
}

// response is a decoded API answer.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r *response) str(key string) string {
	v, _ := r.body[key].(string)
	return v
}

var client = &http.Client{Timeout: 30 * time.Second}

// do sends a request with an optional bearer token and JSON body.
func (s *server) do(method, path, token string, body any, hdr ...string) *response {
	s.t.Helper()
	r, err := s.try(method, path, token, body, hdr...)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// try is do returning the error of a request that got no answer (a server
// killed meanwhile) instead of failing the test; it may run in any
// goroutine.
func (s *server) try(method, path, token string, body any, hdr ...string) (*response, error) {
	var rd io.Reader
	if b, ok := body.([]byte); ok {
		rd = bytes.NewReader(b)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	r := &response{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &r.body)
	}
	return r, nil
}

// must fails the test unless the response has the status.
func (r *response) must(t testing.TB, status int) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// setClock moves the server's test clock.
func (s *server) setClock(t time.Time) {
	s.t.Helper()
	s.do("POST", "/api/v1/test-clock", "", map[string]string{"now": t.Format(time.RFC3339)}).must(s.t, 200)
}

func (s *server) advance(d time.Duration) {
	s.t.Helper()
	s.do("POST", "/api/v1/test-clock", "", map[string]string{"advance": d.String()}).must(s.t, 200)
}

// meeting is a decoded meeting object.
type meeting struct {
	ID          string `json:"id"`
	MeetingID   string `json:"meeting_id"`
	Kind        string `json:"kind"`
	JoinURL     string `json:"join_url"`
	Passcode    string `json:"passcode"`
	PhonePass   string `json:"phone_passcode"`
	Occurrences []struct {
		Index      int       `json:"index"`
		Start      time.Time `json:"start"`
		End        time.Time `json:"end"`
		OpensAt    time.Time `json:"opens_at"`
		ClosesAt   time.Time `json:"closes_at"`
		AccessCode string    `json:"access_code"`
		State      string    `json:"state"`
	} `json:"occurrences"`
	Invitees []struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Email    string `json:"email"`
		Link     string `json:"link"`
		PIN      string `json:"pin"`
		Passcode string `json:"passcode"`
	} `json:"invitees"`
	Security map[string]any `json:"security"`
}

func decodeMeeting(t testing.TB, r *response) *meeting {
	t.Helper()
	var m meeting
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("decoding meeting: %v\n%s", err, r.raw)
	}
	return &m
}

// schedule creates a meeting through the API.
func (s *server) schedule(token string, body map[string]any) *meeting {
	s.t.Helper()
	return decodeMeeting(s.t, s.do("POST", "/api/v1/meetings", token, body).must(s.t, 201))
}

// join posts a join request from a source of its own (see startServer).
func (s *server) join(body map[string]any) *response {
	s.t.Helper()
	return s.joinFrom(nextSource(), body)
}

// joinFrom posts a join request as if from the client address source,
// forwarded by the trusted loopback proxy.
func (s *server) joinFrom(source string, body map[string]any) *response {
	s.t.Helper()
	return s.do("POST", "/api/v1/join", "", body, "X-Forwarded-For", source)
}

var sources atomic.Uint32

// nextSource returns a new address of 198.18.0.0/15 (the benchmarking
// range) on every call.
func nextSource() string {
	n := sources.Add(1)
	return fmt.Sprintf("198.%d.%d.%d", 18+n>>16&1, n>>8&0xff, n&0xff)
}
