package e2e_test

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestAuditTrail drives meetings and joins through the server, checks the
// trail through the API, verifies and exports it with the CLI (while the
// server runs), then tampers with the stopped store and verifies again.
func TestAuditTrail(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, map[string]any{"topic": "Audit", "start": monday.Add(time.Hour).Format(time.RFC3339), "duration_minutes": 30})
	s.setClock(monday.Add(time.Hour))
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}), "right passcode")
	for range 3 {
		wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode + "0"}), "wrong passcode")
	}

	// The API pages by id, in the order written.
	var ids []float64
	actions := map[string]int{}
	for after := 0.0; ; {
		r := s.do("GET", fmt.Sprintf("/api/v1/audit?after=%v&limit=2", after), tok, nil).must(t, 200)
		events := r.body["events"].([]any)
		if len(events) == 0 {
			break
		}
		for _, e := range events {
			e := e.(map[string]any)
			after = e["id"].(float64)
			ids = append(ids, after)
			actions[e["action"].(string)]++
		}
	}
	if actions["meeting.create"] != 1 || actions["join.admitted"] != 1 || actions["join.refused"] != 3 {
		t.Errorf("API audit actions = %v; want a meeting.create, a join.admitted and 3 join.refused", actions)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Errorf("API ids %v are not increasing", ids)
		}
	}

	// The server's integrator places every entry and signs a checkpoint
	// within a second or two.
	out := verifyPlaced(t, s.cli)
	var n int
	fmt.Sscanf(out, "audit log OK: %d entries", &n)
	if n < len(ids) {
		t.Errorf("verify checked %d entries; the account alone has %d", n, len(ids))
	}
	cp := s.do("GET", "/api/v1/audit/checkpoint", tok, nil).must(t, 200)
	if cp.body["size"].(float64) < float64(len(ids)) || cp.body["public_key"] != strings.TrimSpace(s.cli("audit", "public-key")) {
		t.Errorf("API checkpoint: %v", cp.body)
	}

	jsonl := s.cli("audit", "export")
	lines := strings.Split(strings.TrimSpace(jsonl), "\n")
	if len(lines) != n {
		t.Errorf("export jsonl: %d lines, want %d", len(lines), n)
	}
	var last struct {
		Seq int `json:"seq"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Seq != n {
		t.Errorf("last jsonl line %s: %v", lines[len(lines)-1], err)
	}
	csvFile := filepath.Join(t.TempDir(), "audit.csv")
	s.cli("audit", "export", "--format", "csv", "--out", csvFile)
	f, err := os.Open(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(records) != n+1 || records[0][0] != "seq" || records[n][0] != fmt.Sprint(n) {
		t.Errorf("export csv: %d records, %v", len(records), err)
	}
	s.stop()

	// Tamper with the stored trail: the second entry's detail.
	raw, err := sql.Open("sqlite", filepath.Join(s.data, "admit.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER events_append_only_update`, `UPDATE events SET detail = 'nothing to see' WHERE seq = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	out, err = s.cliErr("audit", "verify")
	if err == nil || !strings.Contains(out, "audit log BROKEN: entry 2: ") {
		t.Errorf("verify after tampering: %v, %q; want it to fail at entry 2", err, out)
	}
}

// verifyPlaced runs `admit audit verify` (through cli) until the server's
// integrator has placed every entry and signed a checkpoint over them (a
// second or two), and returns its output.
func verifyPlaced(t *testing.T, cli func(args ...string) string, args ...string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		out := cli(append([]string{"audit", "verify"}, args...)...)
		if strings.HasPrefix(out, "audit log OK: ") && !strings.Contains(out, "not placed") && !strings.Contains(out, "not covered") {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("verify = %q", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
