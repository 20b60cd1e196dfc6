package keys_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/admit-project/admit/keys"
)

func TestFingerprint(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	fa := keys.Fingerprint(a)
	if !regexp.MustCompile(`^[0-9a-f]{4}(-[0-9a-f]{4}){3}$`).MatchString(fa) {
		t.Fatalf("fingerprint %q is not four groups of four hex digits", fa)
	}
	if fa != keys.Fingerprint(a) || fa == keys.Fingerprint(b) {
		t.Errorf("fingerprints of one key differ, or of two keys agree")
	}
	r, _ := keys.New(a)
	if r.Fingerprint() != fa || !r.MatchesFingerprint(fa+"\n") || r.MatchesFingerprint(keys.Fingerprint(b)) {
		t.Errorf("ring fingerprint %q, want %q", r.Fingerprint(), fa)
	}
	if strings.Contains(fa, "0101") {
		t.Errorf("the fingerprint shows the key")
	}
}

func TestOpenNeverCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "admit.key")
	if _, err := keys.Open(path); !errors.Is(err, keys.ErrNoKeyFile) {
		t.Fatalf("Open of a missing file: %v; want ErrNoKeyFile", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Open created a key file")
	}
	r, created, err := keys.Load(path)
	if err != nil || !created {
		t.Fatalf("Load: %v %v", created, err)
	}
	r2, err := keys.Open(path)
	if err != nil || r2.Fingerprint() != r.Fingerprint() {
		t.Fatalf("Open of the file Load made: %v", err)
	}
	advice := keys.MissingKeyAdvice(path, r.Fingerprint())
	if !strings.Contains(advice, path) || !strings.Contains(advice, r.Fingerprint()) || !strings.Contains(advice, "Restore") {
		t.Errorf("advice %q names neither the file, the fingerprint nor how to restore", advice)
	}
}

func TestInviteeLinkToken(t *testing.T) {
	r, _ := keys.New(bytes.Repeat([]byte{1}, 32))
	other, _ := keys.New(bytes.Repeat([]byte{2}, 32))
	tok := r.InviteeLinkToken("mabc", "i123", 1)
	if len(tok) != 22 || !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(tok) {
		t.Fatalf("token %q is not 22 base64url characters", tok)
	}
	if tok != r.InviteeLinkToken("mabc", "i123", 1) {
		t.Error("the same inputs gave another token")
	}
	for name, t2 := range map[string]string{
		"another generation": r.InviteeLinkToken("mabc", "i123", 2),
		"another invitee":    r.InviteeLinkToken("mabc", "i124", 1),
		"another meeting":    r.InviteeLinkToken("mabd", "i123", 1),
		"shifted boundary":   r.InviteeLinkToken("mabci", "123", 1),
		"another key":        other.InviteeLinkToken("mabc", "i123", 1),
	} {
		if t2 == tok {
			t.Errorf("%s gave the same token", name)
		}
	}
}
