package keys_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/admit-project/admit/keys"
)

func TestLoadCreatesPrivateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "admit.key")
	r1, created, err := keys.Load(path)
	if err != nil || !created {
		t.Fatalf("Load = %v, created %v; want new key", err, created)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %v, want 0600", got)
	}
	r2, created, err := keys.Load(path)
	if err != nil || created {
		t.Fatalf("reload = %v, created %v", err, created)
	}
	if !bytes.Equal(r1.Index("p", []byte("v")), r2.Index("p", []byte("v"))) {
		t.Error("reloaded key gives a different index")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := keys.Load(path); err == nil {
		t.Error("Load accepted a world-readable key file")
	}
}

func TestSealOpen(t *testing.T) {
	r, err := keys.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s1, err := r.Seal([]byte("123456789"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := r.Seal([]byte("123456789"), []byte("ad"))
	if bytes.Equal(s1, s2) {
		t.Error("two seals of one value are equal: nonce reused")
	}
	if bytes.Contains(s1, []byte("123456789")) {
		t.Error("sealed value holds the plaintext")
	}
	p, err := r.Open(s1, []byte("ad"))
	if err != nil || string(p) != "123456789" {
		t.Errorf("Open = %q, %v", p, err)
	}
	if _, err := r.Open(s1, []byte("other")); err == nil {
		t.Error("Open accepted a different additional data")
	}
	s1[len(s1)-1] ^= 1
	if _, err := r.Open(s1, []byte("ad")); err == nil {
		t.Error("Open accepted a tampered value")
	}
	other, _ := keys.New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(s2, []byte("ad")); err == nil {
		t.Error("another key opened the value")
	}
}

func TestIndexSeparatesPurposes(t *testing.T) {
	r, _ := keys.New(bytes.Repeat([]byte{1}, 32))
	a := r.Index("a", []byte("x"))
	if bytes.Equal(a, r.Index("b", []byte("x"))) {
		t.Error("purposes a and b give the same index")
	}
	if bytes.Equal(r.Index("a", []byte("bc")), r.Index("ab", []byte("c"))) {
		t.Error("purpose and value run together")
	}
	if len(a) != 32 {
		t.Errorf("index has %d bytes, want 32", len(a))
	}
}
