package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
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

// Binary returns the path of a tool binary: in $ADMIT_TOOLS_BIN, else in
// ~/.cache/admit-tools/bin, else on PATH; "" when there is none.
func Binary(name string) string {
	var dirs []string
	if d := os.Getenv("ADMIT_TOOLS_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	if d, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "admit-tools", "bin"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, ".cache", "admit-tools", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return ""
}

// Mailpit is a running Mailpit.
type Mailpit struct {
	SMTPHost string // 127.0.0.1
	SMTPPort int
	APIURL   string // http://127.0.0.1:port
	// RootCAs trusts the server's certificate when it was started with TLS.
	RootCAs *x509.CertPool

	t    testing.TB
	bin  string
	args []string
	log  *bytes.Buffer

	mu  sync.Mutex
	cmd *exec.Cmd
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: finding a free port: %v", err)
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Options change how Start's Mailpit listens.
type Options struct {
	// STARTTLS requires STARTTLS; ImplicitTLS requires TLS from the first
	// byte. Either makes a self-signed certificate for 127.0.0.1, trusted by
	// Mailpit.RootCAs.
	STARTTLS    bool
	ImplicitTLS bool
	// Auth requires SMTP authentication, with Username and Password.
	Auth bool
}

// The credentials a Mailpit started with Options.Auth accepts.
const (
	Username = "admit"
	Password = "mailpit-test-password"
)

// Start starts Mailpit with its chaos triggers enabled and its messages in
// a database under t.TempDir(), so that they outlive a Stop and Restart.
func Start(t testing.TB) *Mailpit {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, o Options) *Mailpit {
	t.Helper()
	bin := Binary("mailpit")
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mailtest: no mailpit binary (run .ci/tools mailpit, or set ADMIT_TOOLS_BIN)")
		}
		t.Skip("mailtest: no mailpit binary; run .ci/tools mailpit (or set ADMIT_TOOLS_BIN) to run this test")
		return nil
	}
	smtpPort, httpPort := FreePort(t), FreePort(t)
	m := &Mailpit{
		SMTPHost: "127.0.0.1", SMTPPort: smtpPort, APIURL: "http://127.0.0.1:" + strconv.Itoa(httpPort),
		t: t, bin: bin, log: &bytes.Buffer{},
		args: []string{
			"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
			"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
			"--database", filepath.Join(t.TempDir(), "mailpit.db"),
			"--disable-version-check", "--smtp-disable-rdns", "--enable-chaos",
			"--max", "0",
		},
	}
	dir := t.TempDir()
	if o.STARTTLS || o.ImplicitTLS {
		cert, key, pool, err := selfSigned(dir)
		if err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
			return nil
		}
		m.RootCAs = pool
		m.args = append(m.args, "--smtp-tls-cert", cert, "--smtp-tls-key", key)
		if o.ImplicitTLS {
			m.args = append(m.args, "--smtp-require-tls")
		} else {
			m.args = append(m.args, "--smtp-require-starttls")
		}
	}
	if o.Auth {
		file := filepath.Join(dir, "smtp-auth")
		if err := os.WriteFile(file, []byte(Username+":"+Password+"\n"), 0o600); err != nil {
			t.Fatalf("mailtest: auth file: %v", err)
			return nil
		}
		m.args = append(m.args, "--smtp-auth-file", file)
		if !o.STARTTLS && !o.ImplicitTLS {
			m.args = append(m.args, "--smtp-auth-allow-insecure")
		}
	}
	t.Cleanup(m.Stop)
	m.Restart()
	return m
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(dir string) (certFile, keyFile string, pool *x509.CertPool, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return "", "", nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", nil, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", nil, err
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return "", "", nil, err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return "", "", nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "", "", nil, err
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool, nil
}

// SMTPAddr is host:port of the SMTP listener.
func (m *Mailpit) SMTPAddr() string { return net.JoinHostPort(m.SMTPHost, strconv.Itoa(m.SMTPPort)) }

// Restart starts Mailpit again on the same ports and database after Stop
// (Start calls it first). It waits until SMTP and the API answer.
func (m *Mailpit) Restart() {
	m.t.Helper()
	m.mu.Lock()
	if m.cmd != nil {
		m.mu.Unlock()
		m.t.Fatalf("mailtest: mailpit is already running")
		return
	}
	cmd := exec.Command(m.bin, m.args...)
	cmd.Stdout, cmd.Stderr = m.log, m.log
	if err := cmd.Start(); err != nil {
		m.mu.Unlock()
		m.t.Fatalf("mailtest: starting mailpit: %v", err)
		return
	}
	m.cmd = cmd
	m.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", m.SMTPAddr(), time.Second); err == nil {
			c.Close()
			if resp, err := http.Get(m.APIURL + "/api/v1/messages"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.t.Fatalf("mailtest: mailpit did not come up within 20 s; its output:\n%s", m.log.String())
}

// Stop stops Mailpit (the SMTP server is down until Restart).
func (m *Mailpit) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
	m.cmd = nil
}

// Summary is a message as Mailpit lists it.
type Summary struct {
	ID        string
	MessageID string
	Subject   string
	To        []struct{ Name, Address string }
	From      struct{ Name, Address string }
}

// Messages lists every message that arrived, newest first.
func (m *Mailpit) Messages(t testing.TB) []Summary {
	t.Helper()
	var out struct {
		Total    int
		Messages []Summary
	}
	m.getJSON(t, "/api/v1/messages?limit=500", &out)
	return out.Messages
}

// WaitMessages waits (up to 30 s) until at least n messages arrived and
// returns them.
func (m *Mailpit) WaitMessages(t testing.TB, n int) []Summary {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := m.Messages(t)
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) < n {
				t.Fatalf("mailtest: %d messages arrived, want %d", len(got), n)
			}
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Raw returns the message source as it arrived.
func (m *Mailpit) Raw(t testing.TB, id string) []byte {
	t.Helper()
	return m.get(t, "/api/v1/message/"+id+"/raw")
}

// DeleteAll deletes every message.
func (m *Mailpit) DeleteAll(t testing.TB) {
	t.Helper()
	m.do(t, http.MethodDelete, "/api/v1/messages", nil)
}

// Refuse makes the server answer code (4xx or 5xx) to every RCPT TO, until
// Accept; the sender sees a real SMTP refusal.
func (m *Mailpit) Refuse(t testing.TB, code int) {
	t.Helper()
	body := fmt.Sprintf(`{"Recipient":{"ErrorCode":%d,"Probability":100}}`, code)
	m.do(t, http.MethodPut, "/api/v1/chaos", []byte(body))
}

// Accept ends Refuse.
func (m *Mailpit) Accept(t testing.TB) {
	t.Helper()
	m.do(t, http.MethodPut, "/api/v1/chaos", []byte(`{}`))
}

func (m *Mailpit) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(m.get(t, path), v); err != nil {
		t.Fatalf("mailtest: GET %s: %v", path, err)
	}
}

func (m *Mailpit) get(t testing.TB, path string) []byte {
	t.Helper()
	return m.do(t, http.MethodGet, path, nil)
}

func (m *Mailpit) do(t testing.TB, method, path string, body []byte) []byte {
	t.Helper()
	req, err := http.NewRequest(method, m.APIURL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("mailtest: %s %s: %v", method, path, err)
		return nil
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("mailtest: %s %s: %v", method, path, err)
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("mailtest: %s %s: %d %s %v", method, path, resp.StatusCode, b, err)
		return nil
	}
	return b
}

// Detail is a message as Mailpit shows it: its text and HTML bodies and its
// attachments.
type Detail struct {
	ID          string
	MessageID   string
	Subject     string
	Text        string
	HTML        string
	Attachments []struct {
		PartID      string
		FileName    string
		ContentType string
	}
}

// Message returns message id in detail.
func (m *Mailpit) Message(t testing.TB, id string) *Detail {
	t.Helper()
	var d Detail
	m.getJSON(t, "/api/v1/message/"+id, &d)
	return &d
}

// Attachment returns the content of message id's attachment named name.
func (m *Mailpit) Attachment(t testing.TB, id, name string) []byte {
	t.Helper()
	d := m.Message(t, id)
	for _, a := range d.Attachments {
		if a.FileName == name {
			return m.get(t, "/api/v1/message/"+id+"/part/"+a.PartID)
		}
	}
	t.Fatalf("mailtest: message %s has no attachment %s", id, name)
	return nil
}
