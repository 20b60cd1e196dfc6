package oidctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// ProviderBinary is the name of the zitadel example OpenID provider that
// .ci/tools builds.
const ProviderBinary = "oidc-provider"

// The example provider's registered confidential clients (both with
// secret "secret" and the redirect URIs given at start).
const (
	ClientID          = "web"
	ClientSecret      = "secret"
	OtherClientID     = "api"
	OtherClientSecret = "secret"
)

// Password is every test user's password.
const Password = "verysecure"

// User is a person the provider knows (the provider's users file format).
type User struct {
	ID                string `json:"ID"`
	Username          string `json:"Username"`
	Password          string `json:"Password"`
	FirstName         string `json:"FirstName"`
	LastName          string `json:"LastName"`
	Email             string `json:"Email"`
	EmailVerified     bool   `json:"EmailVerified"`
	PreferredLanguage string `json:"PreferredLanguage"`
	IsAdmin           bool   `json:"IsAdmin"`
}

// DefaultUsers are the users StartProvider gives the provider when it is
// given none: Alice (verified, example.com), Eve (verified, but from a
// domain admit's tests do not allow) and Una (example.com, email not
// verified).
var DefaultUsers = []User{
	{ID: "alice", Username: "alice", Password: Password, FirstName: "Alice", LastName: "Example", Email: "alice@example.com", EmailVerified: true, PreferredLanguage: "en"},
	{ID: "eve", Username: "eve", Password: Password, FirstName: "Eve", LastName: "Outsider", Email: "eve@evil.example", EmailVerified: true, PreferredLanguage: "en"},
	{ID: "una", Username: "una", Password: Password, FirstName: "Una", LastName: "Unverified", Email: "una@example.com", EmailVerified: false, PreferredLanguage: "en"},
}

// Provider is a running example OpenID provider.
type Provider struct {
	// Issuer is the provider's issuer URL, "http://localhost:PORT/".
	Issuer string
	Users  []User
}

// ToolPath finds a test server's binary: in $ADMIT_TOOLS_BIN, else
// ~/.cache/admit-tools/bin, else on PATH. Without it the test is skipped,
// or fails when CI=true.
func ToolPath(tb testing.TB, name string) string {
	tb.Helper()
	var dirs []string
	if d := os.Getenv("ADMIT_TOOLS_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	if d, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "admit-tools", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found in $ADMIT_TOOLS_BIN, ~/.cache/admit-tools/bin or PATH: run .ci/tools oidc", name)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// StartProvider starts the example provider on a free port with the given
// redirect URIs registered for its clients and the given users
// (DefaultUsers when none), and stops it when the test ends. The provider
// listens on the port on all interfaces (it takes no address) and names
// itself http://localhost:PORT/.
func StartProvider(tb testing.TB, redirectURIs []string, users ...User) *Provider {
	tb.Helper()
	bin := ToolPath(tb, ProviderBinary)
	if len(users) == 0 {
		users = DefaultUsers
	}
	byID := map[string]User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	data, err := json.Marshal(byID)
	if err != nil {
		tb.Fatalf("oidctest: users file: %v", err)
	}
	usersFile := filepath.Join(tb.TempDir(), "users.json")
	if err := os.WriteFile(usersFile, data, 0o600); err != nil {
		tb.Fatalf("oidctest: users file: %v", err)
	}
	// The binary takes a port, not a listener: pick a free one and retry
	// should another process take it meanwhile.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("oidctest: free port: %v", err)
		}
		p, err := startProvider(tb, bin, port, usersFile, redirectURIs, users)
		if err == nil {
			return p
		}
		lastErr = err
	}
	tb.Fatalf("oidctest: %v", lastErr)
	return nil
}

// logBuffer is a goroutine-safe buffer for the provider's output.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startProvider(tb testing.TB, bin string, port int, usersFile string, redirectURIs []string, users []User) (*Provider, error) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	var redirects string
	for i, u := range redirectURIs {
		if i > 0 {
			redirects += ","
		}
		redirects += u
	}
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "USERS_FILE="+usersFile, "REDIRECT_URI="+redirects)
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		cancel()
		<-exited
	}
	issuer := fmt.Sprintf("http://localhost:%d/", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(issuer + ".well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			stop()
			return nil, fmt.Errorf("%s exited on port %d:\n%s", bin, port, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("%s did not answer on port %d in 20s:\n%s", bin, port, logs.String())
		}
	}
	tb.Cleanup(func() {
		stop()
		if tb.Failed() {
			tb.Logf("oidc-provider output:\n%s", logs.String())
		}
	})
	return &Provider{Issuer: issuer, Users: users}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
