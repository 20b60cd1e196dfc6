package translog_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

func TestLoadSignerCreatesPrivateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit-signing.key")
	s, created, err := translog.LoadSigner(path, nil)
	if err != nil || !created {
		t.Fatalf("LoadSigner: created %v, %v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.HasPrefix(s.Origin(), "admit-audit-") {
		t.Errorf("origin %q", s.Origin())
	}
	again, created, err := translog.LoadSigner(path, nil)
	if err != nil || created {
		t.Fatalf("LoadSigner again: created %v, %v", created, err)
	}
	if again.PublicKey() != s.PublicKey() {
		t.Errorf("reloaded public key %q, want %q", again.PublicKey(), s.PublicKey())
	}
	if strings.Contains(s.PublicKey(), "PRIVATE") {
		t.Errorf("public key %q holds the private key", s.PublicKey())
	}
	os.Chmod(path, 0o644)
	if _, _, err := translog.LoadSigner(path, nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a readable key file: %v, want refused", err)
	}
}

func TestCheckpointSignatures(t *testing.T) {
	s := mustSigner(t)
	root := bytes.Repeat([]byte{7}, 32)
	cp, err := s.Sign(42, root, time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	v, err := translog.NewVerifier(s.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	got, err := translog.ParseCheckpoint(cp.Note, v)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != 42 || !bytes.Equal(got.Root, root) || got.Origin != s.Origin() || !got.Time.Equal(cp.Time) {
		t.Errorf("parsed %+v, want %+v", got, cp)
	}
	if !bytes.HasPrefix(cp.Note, []byte(s.Origin()+"\n42\n")) {
		t.Errorf("note %q is not in the checkpoint format", cp.Note)
	}
	other := mustSigner(t) // same origin, another key
	if _, err := translog.ParseCheckpoint(cp.Note, other.Verifier()); err == nil {
		t.Error("a checkpoint verified under another key")
	}
	edited := bytes.Replace(cp.Note, []byte("\n42\n"), []byte("\n43\n"), 1)
	if _, err := translog.ParseCheckpoint(edited, v); err == nil {
		t.Error("an edited checkpoint verified")
	}
	skey, _ := translog.GenerateSignerKey(rand.Reader, "another-log")
	elsewhere, _ := translog.NewSigner(skey)
	cp2, _ := elsewhere.Sign(1, root, time.Now())
	if _, err := translog.ParseCheckpoint(cp2.Note, v); err == nil {
		t.Error("another log's checkpoint verified")
	}
}

// leafTests are entries that differ in one field, or by moving bytes from
// one field to the next: no two may share a leaf.
var leafTests = []admit.Event{
	{Seq: 1, Actor: "ab", Action: "c"},
	{Seq: 1, Actor: "a", Action: "bc"},
	{Seq: 2, Actor: "a", Action: "bc"},
	{Seq: 1, Actor: "a", Action: "bc", Target: "meeting:1"},
	{Seq: 1, Actor: "a", Action: "bc", Source: "meeting:1"},
	{Seq: 1, Actor: "a", Action: "bc", Detail: "meeting:1"},
	{Seq: 1, Actor: "a", Action: "bc", Outcome: "ok"},
	{Seq: 1, Actor: "a", Action: "bc", AccountID: 1},
	{Seq: 1, Actor: "a", Action: "bc", At: time.Unix(0, 1)},
}

func TestLeafDataIsCanonical(t *testing.T) {
	seen := map[string]int{}
	for i, e := range leafTests {
		d := string(translog.LeafData(&e))
		if j, ok := seen[d]; ok {
			t.Errorf("entries %d and %d encode alike", j, i)
		}
		seen[d] = i
	}
	a := admit.Event{Seq: 3, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))}
	b := a
	b.At = a.At.UTC()
	b.ID, b.Hash, b.PrevHash = 99, []byte{1}, []byte{2}
	if !bytes.Equal(translog.LeafData(&a), translog.LeafData(&b)) {
		t.Error("the leaf depends on the time zone, the row id or the stored hashes")
	}
}
