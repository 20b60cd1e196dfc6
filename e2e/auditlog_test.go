package e2e_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestAuditLogWipeCaughtByWitness runs the real binary with a file
// witness, then wipes the stored log (entries, tree, checkpoints) and
// restarts the server, which starts a fresh, validly signed log: the
// witness refuses its checkpoints, and `admit audit verify` against the
// witness names the witnessed checkpoint the log fails.
func TestAuditLogWipeCaughtByWitness(t *testing.T) {
	data := t.TempDir()
	witness := "file:" + filepath.Join(t.TempDir(), "witness.jsonl")
	s := startServer(t, data, "--audit-witness", witness)
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, map[string]any{"topic": "Wipe", "start": monday.Add(time.Hour).Format(time.RFC3339), "duration_minutes": 30})
	s.setClock(monday.Add(time.Hour))
	for range 3 {
		wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode + "0"}), "wrong passcode")
	}
	out := verifyPlaced(t, s.cli, "--audit-witness", witness)
	if !strings.Contains(out, "from "+witness) {
		t.Fatalf("verify against the witness: %q", out)
	}
	s.stop()

	raw, err := sql.Open("sqlite", filepath.Join(data, "admit.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER events_append_only_delete`, `DELETE FROM events`, `DELETE FROM audit_nodes`,
		`DELETE FROM audit_checkpoints`, `DELETE FROM audit_tree`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	s = startServer(t, data, "--audit-witness", witness)
	s.setClock(monday.Add(time.Hour))
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode + "0"}), "after the wipe")
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.logs.String(), "REFUSED") {
		if time.Now().After(deadline) {
			t.Fatalf("the witness never refused the new log; log:\n%s", s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err = s.cliErr("audit", "verify", "--audit-witness", witness)
	if err == nil || !strings.Contains(out, "audit log BROKEN: checkpoint of size ") || !strings.Contains(out, "truncated or wiped") {
		t.Errorf("verify after the wipe: %v, %q; want the witnessed checkpoint named", err, out)
	}
}
