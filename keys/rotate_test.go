package keys_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/admit-project/admit/keys"
)

func TestRotateAndRetire(t *testing.T) {
	path := filepath.Join(t.TempDir(), "admit.key")
	cli, _, err := keys.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	server, _, err := keys.Load(path) // another process on the same file
	if err != nil {
		t.Fatal(err)
	}
	old, _ := server.Seal([]byte("123456789"), []byte("ad"))
	idx := server.Index("p", []byte("v"))

	v, err := keys.Rotate(path)
	if err != nil || v != 2 {
		t.Fatalf("Rotate = %d, %v; want version 2", v, err)
	}
	cli.Reload()
	if of, cur := cli.Version(old); of != 1 || cur != 2 {
		t.Errorf("versions after rotate: value %d, current %d; want 1, 2", of, cur)
	}
	fresh, _ := cli.Seal([]byte("987654321"), []byte("ad"))
	// The server has not reloaded yet: it meets a value of a version it does
	// not know, and reads the key file again to open it.
	time.Sleep(150 * time.Millisecond)
	if p, err := server.Open(fresh, []byte("ad")); err != nil || string(p) != "987654321" {
		t.Fatalf("server opening a value sealed under the new key: %q, %v", p, err)
	}
	if s, _ := server.Seal([]byte("x"), nil); s[0] != 2 {
		t.Errorf("server seals under version %d after the rotation, want 2", s[0])
	}
	if p, err := server.Open(old, []byte("ad")); err != nil || string(p) != "123456789" {
		t.Errorf("old value before retiring: %q, %v", p, err)
	}
	if !bytes.Equal(idx, cli.Index("p", []byte("v"))) {
		t.Error("rotation changed the index key")
	}

	if err := keys.Retire(path, 2); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	server.Reload()
	if _, err := server.Open(old, []byte("ad")); err == nil {
		t.Error("a value sealed under a retired key still opens")
	}
	if p, err := server.Open(fresh, []byte("ad")); err != nil || string(p) != "987654321" {
		t.Errorf("current value after retiring: %q, %v", p, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v after rotation, want 0600", fi.Mode().Perm())
	}
	again, _, err := keys.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, cur := again.Version(fresh); cur != 2 {
		t.Errorf("reloaded ring's current version %d, want 2", cur)
	}
}
