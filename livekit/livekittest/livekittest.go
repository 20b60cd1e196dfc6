// Package livekittest starts a real livekit-server for tests, on loopback
// with random free ports, and stops it when the test ends.
//
// The binary is looked up in $ADMIT_TOOLS_BIN, then
// ~/.cache/admit-tools/bin, then PATH (.ci/tools builds it). Without it a
// test is skipped, except under CI=true where it fails.
//
// It may import the standard library, github.com/livekit/protocol and
// github.com/gorilla/websocket (for a media-less signalling client), and
// nothing of admit, so that any test package (livekit, e2e) can use it.
package livekittest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BinaryName is the name .ci/tools gives the LiveKit server binary.
const BinaryName = "livekit-server"

// Server is a running livekit-server.
type Server struct {
	// URL is the address clients connect to (ws://127.0.0.1:PORT).
	URL string
	// HTTPURL is the same server's HTTP address (http://127.0.0.1:PORT).
	HTTPURL string
	// APIKey and APISecret are the server's only key pair.
	APIKey    string
	APISecret string

	cmd  *exec.Cmd
	logs *logBuffer
	done chan struct{}
}

// Options configure the server.
type Options struct {
	// WebhookURL, when set, receives LiveKit's webhooks, signed with the
	// server's key.
	WebhookURL string
}

// Binary returns the path of livekit-server, or "" when it is not found.
func Binary() string {
	if dir := os.Getenv("ADMIT_TOOLS_BIN"); dir != "" {
		if p := filepath.Join(dir, BinaryName); isExecutable(p) {
			return p
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			cache = filepath.Join(home, ".cache")
		}
		if p := filepath.Join(cache, "admit-tools", "bin", BinaryName); isExecutable(p) {
			return p
		}
	}
	if p, err := exec.LookPath(BinaryName); err == nil {
		return p
	}
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Start starts a livekit-server for tb and stops it when tb ends. It skips
// the test when the binary is missing, unless CI=true.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("livekittest: %s not found in $ADMIT_TOOLS_BIN, ~/.cache/admit-tools/bin or PATH; run .ci/tools livekit", BinaryName)
		}
		tb.Skipf("livekittest: %s not found (run .ci/tools livekit to build it)", BinaryName)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		tb.Fatalf("livekittest: %v", err)
	}
	s := &Server{APIKey: "admittestkey", APISecret: hex.EncodeToString(secret), logs: &logBuffer{}, done: make(chan struct{})}
	httpPort, err := freeTCPPort()
	if err != nil {
		tb.Fatalf("livekittest: %v", err)
	}
	udpPort, err := freeUDPPort()
	if err != nil {
		tb.Fatalf("livekittest: %v", err)
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "port: %d\nbind_addresses: [127.0.0.1]\n", httpPort)
	// ICE over UDP on loopback only: tcp_port 0 turns ICE/TCP off (its
	// listener would bind every interface), and loopback candidates must be
	// enabled for the server to offer 127.0.0.1 at all.
	fmt.Fprintf(&cfg, "rtc:\n  tcp_port: 0\n  udp_port: %d\n  node_ip: 127.0.0.1\n  use_external_ip: false\n  enable_loopback_candidate: true\n  interfaces:\n    includes: [lo]\n", udpPort)
	fmt.Fprintf(&cfg, "keys:\n  %s: %s\n", s.APIKey, s.APISecret)
	fmt.Fprintf(&cfg, "room:\n  empty_timeout: 30\n  departure_timeout: 5\n")
	fmt.Fprintf(&cfg, "logging:\n  level: info\n")
	if opt.WebhookURL != "" {
		fmt.Fprintf(&cfg, "webhook:\n  api_key: %s\n  urls:\n    - %q\n", s.APIKey, opt.WebhookURL)
	}
	path := filepath.Join(tb.TempDir(), "livekit.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		tb.Fatalf("livekittest: %v", err)
	}
	s.cmd = exec.Command(bin, "--dev", "--config", path, "--bind", "127.0.0.1", "--node-ip", "127.0.0.1")
	s.cmd.Stdout = s.logs
	s.cmd.Stderr = s.logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("livekittest: starting %s: %v", bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	tb.Cleanup(func() {
		s.stop()
		if p := os.Getenv("ADMIT_LIVEKIT_LOG"); p != "" {
			_ = os.WriteFile(p, []byte(s.Logs()), 0o600)
		}
		if tb.Failed() {
			tb.Logf("livekit-server log (tail):\n%s", s.logs.tail(8000))
		}
	})
	s.HTTPURL = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	s.URL = fmt.Sprintf("ws://127.0.0.1:%d", httpPort)
	if err := s.waitReady(60 * time.Second); err != nil {
		tb.Fatalf("livekittest: %v\n%s", err, s.logs.tail(4000))
	}
	return s
}

// Logs returns what the server has written so far.
func (s *Server) Logs() string { return s.logs.tail(1 << 30) }

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("livekit-server exited before it was ready")
		default:
		}
		res, err := client.Get(s.HTTPURL + "/")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("livekit-server did not answer on %s within %s", s.HTTPURL, limit)
}

func (s *Server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(2 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// logBuffer collects the server's output, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 4<<20 {
		b.buf.Reset()
	}
	return b.buf.Write(p)
}

func (b *logBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
