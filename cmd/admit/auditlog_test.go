package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/translog"
)

// TestAuditLogCommands runs the audit log's commands in process on an
// embedded store: the integrator signs and witnesses, then public-key,
// checkpoint, verify (against the witness and a kept checkpoint), prove and
// consistency; an edit made in the file is named by verify.
func TestAuditLogCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	witness := "file:" + filepath.Join(dir, "witness.jsonl")
	sf := storeFlags{Data: data}
	lf := logFlags{Witnesses: []string{witness}}
	db, _, err := openStore(ctx, &sf, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut}
	run := func(cmd string, args ...string) (string, error) {
		t.Helper()
		out.Reset()
		err := m.Run(ctx, append([]string{"audit", cmd, "--data", data}, args...))
		return out.String(), err
	}
	signer, stop, err := m.startIntegrator(ctx, db, &sf, &lf, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := db.AppendEvents(ctx, &admit.Event{At: time.Now(), AccountID: 1, Actor: "cli", Action: "test", Outcome: "ok", Detail: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	log, _ := auditLogOf(db)
	deadline := time.Now().Add(30 * time.Second)
	for {
		cp, ok, err := translog.LatestCheckpoint(ctx, log, signer.Verifier())
		if err != nil {
			t.Fatal(err)
		}
		if ok && cp.Size == 20 && !cp.WitnessedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the integrator did not cover 20 entries: %+v", cp)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	db.Close()
	if fi, err := os.Stat(filepath.Join(data, "audit-signing.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signing key file: %v", err)
	}

	pub, err := run("public-key")
	if err != nil || strings.TrimSpace(pub) != signer.PublicKey() {
		t.Fatalf("public-key: %q %v", pub, err)
	}
	note, err := run("checkpoint")
	if err != nil || !strings.Contains(note, "\n20\n") {
		t.Fatalf("checkpoint: %q %v", note, err)
	}
	kept := filepath.Join(dir, "kept.txt")
	os.WriteFile(kept, []byte(note), 0o600)
	// An auditor with only the public key.
	if got, err := run("verify", "--public-key", pub, "--checkpoint", kept); err != nil || !strings.HasPrefix(got, "audit log OK: 20 entries") {
		t.Fatalf("verify --checkpoint: %q %v", got, err)
	}
	if got, err := run("verify", "--audit-witness", witness); err != nil || !strings.Contains(got, "from "+witness) {
		t.Fatalf("verify against the witness: %q %v", got, err)
	}
	proof, err := run("prove", "7")
	var pj inclusionJSON
	if err != nil || json.Unmarshal([]byte(proof), &pj) != nil || pj.Entry.Seq != 7 || pj.TreeSize != 20 || len(pj.Proof) == 0 {
		t.Fatalf("prove 7: %q %v", proof, err)
	}
	if got, err := run("consistency", "--old", kept); err != nil || !strings.Contains(got, `"old_size":20`) {
		t.Fatalf("consistency: %q %v", got, err)
	}

	raw, err := sql.Open("sqlite", sf.sqlitePath())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`DROP TRIGGER events_append_only_update`, `UPDATE events SET detail = 'x' WHERE seq = 2`} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	if _, err := run("verify", "--audit-witness", witness); err == nil || !strings.Contains(err.Error(), "entry 2:") {
		t.Fatalf("verify after an edit: %v, want entry 2 named", err)
	}
}
