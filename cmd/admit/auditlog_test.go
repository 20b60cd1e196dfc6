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

// TestAuditVerifyReportsWhatIsNotPlaced: an entry written before
// "audit verify" runs is either counted in its report or said to be not
// placed yet, even when the integrator places it while verify reads (a
// report of "OK" without it, and nothing pending, made the e2e test that
// waits for every entry to be placed return early).
func TestAuditVerifyReportsWhatIsNotPlaced(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	sf := storeFlags{Data: data}
	db, _, err := openStore(ctx, &sf, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut}
	signer, stop, err := m.startIntegrator(ctx, db, &sf, &logFlags{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	appendEvents := func(n int) {
		t.Helper()
		for range n {
			if err := db.AppendEvents(ctx, &admit.Event{At: time.Now(), AccountID: 1, Actor: "cli", Action: "test", Outcome: "ok"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	appendEvents(2)
	log, _ := auditLogOf(db)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		cp, ok, err := translog.LatestCheckpoint(ctx, log, signer.Verifier())
		if err != nil {
			t.Fatal(err)
		}
		if ok && cp.Size == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the integrator did not cover 2 entries: %+v", cp)
		}
	}
	stop()

	appendEvents(3) // not placed: the integrator is stopped
	placed := 0
	testHookBetweenReads = func() {
		in := &translog.Integrator{Store: log, Signer: signer}
		n, err := in.Step(ctx)
		if err != nil {
			t.Errorf("placing the entries while verify reads: %v", err)
		}
		placed += n
	}
	defer func() { testHookBetweenReads = nil }()
	if err := m.Run(ctx, []string{"audit", "verify", "--data", data}); err != nil {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	got := out.String()
	if placed != 3 {
		t.Fatalf("the integrator placed %d entries between verify's reads, want 3", placed)
	}
	if !strings.HasPrefix(got, "audit log OK: 5 entries") && !strings.Contains(got, "3 entries are not placed") {
		t.Errorf("verify = %q; want the 5 entries counted, or the 3 new ones said to be not placed", got)
	}
}
