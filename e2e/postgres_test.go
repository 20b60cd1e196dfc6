package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgSchema creates a fresh schema in the test database (ADMIT_TEST_POSTGRES,
// by default the local one), dropped when the test ends, and returns a URL
// whose search_path is that schema. Without PostgreSQL the test is skipped,
// or fails under CI=true.
func pgSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("ADMIT_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL not reachable (set ADMIT_TEST_POSTGRES): %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "admit_e2e_" + hex.EncodeToString(b)
	for _, q := range []string{`CREATE EXTENSION IF NOT EXISTS btree_gist`, `CREATE SCHEMA ` + schema} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestExportImportToPostgres makes meetings, joins and an audit trail on
// the embedded store, exports it while the server runs, imports the dump
// into a new PostgreSQL schema, and serves from PostgreSQL: the same
// meetings, with the same secrets (joins with the old passcode and access
// code work), a valid audit chain that goes on growing, and new rows that
// do not collide with imported ones.
func TestExportImportToPostgres(t *testing.T) {
	db := pgSchema(t)
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	one := s.schedule(tok, map[string]any{"topic": "One", "start": monday.Add(time.Hour).Format(time.RFC3339), "duration_minutes": 30})
	rec := s.schedule(tok, map[string]any{"topic": "Weekly", "kind": "recurring", "start": monday.Add(2 * time.Hour).Format(time.RFC3339),
		"duration_minutes": 30, "recurrence": map[string]any{"freq": "weekly", "count": 3}})
	s.setClock(monday.Add(time.Hour))
	wantAdmitted(t, s.join(map[string]any{"meeting_id": one.MeetingID, "passcode": one.Passcode, "name": "Bob"}), "before the export")
	wantRefused(t, s.join(map[string]any{"meeting_id": one.MeetingID, "passcode": one.Passcode + "0"}), "wrong passcode")
	before := listMeetings(t, s, tok)
	var entries int
	fmt.Sscanf(verifyPlaced(t, s.cli), "audit log OK: %d entries", &entries)
	if entries < 4 {
		t.Fatalf("the embedded store's chain has %d entries; want at least 4", entries)
	}

	dump := filepath.Join(t.TempDir(), "admit.jsonl")
	out := s.cli("export", "--out", dump)
	if !strings.Contains(out, "exported ") || !strings.Contains(out, fmt.Sprintf("meetings: %d rows", len(before))) {
		t.Errorf("export = %q", out)
	}
	s.stop()
	raw, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{one.Passcode, rec.Passcode, rec.Occurrences[0].AccessCode} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the dump holds a secret in plaintext (%d bytes)", len(secret))
		}
	}
	if fi, err := os.Stat(dump); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("dump mode %v, want 0600", fi.Mode().Perm())
	}

	out = s.cli("import", "--db", db, dump)
	for _, want := range []string{fmt.Sprintf("meetings: %[1]d rows imported, %[1]d in the dump", len(before)), "participants: 1 rows imported, 1 in the dump",
		fmt.Sprintf("events: %d rows imported, %d in the dump", entries, entries), fmt.Sprintf("audit log OK: %d entries", entries)} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	// Importing again is refused: the target is no longer empty.
	if out, err := s.cliErr("import", "--db", db, dump); err == nil || !strings.Contains(out, "not empty") {
		t.Errorf("second import: %v\n%s; want a refusal", err, out)
	}

	pg := startServer(t, s.data, "--db", db)
	pg.setClock(monday.Add(time.Hour))
	after := listMeetings(t, pg, tok)
	if !slices.Equal(before, after) {
		t.Errorf("meetings on PostgreSQL = %v; on the embedded store %v", after, before)
	}
	wantAdmitted(t, pg.join(map[string]any{"meeting_id": one.MeetingID, "passcode": one.Passcode, "name": "Carol"}), "imported passcode")
	pg.setClock(rec.Occurrences[0].Start)
	wantAdmitted(t, pg.join(map[string]any{"access_code": rec.Occurrences[0].AccessCode, "passcode": rec.Passcode, "name": "Dan"}), "imported access code")
	wantRefused(t, pg.join(map[string]any{"meeting_id": one.MeetingID, "passcode": "nope12345"}), "wrong passcode on PostgreSQL")
	shown := decodeMeeting(t, pg.do("GET", "/api/v1/meetings/"+one.ID, tok, nil).must(t, 200))
	if shown.Passcode != one.Passcode {
		t.Errorf("passcode on PostgreSQL %q, want %q", shown.Passcode, one.Passcode)
	}
	// New rows get new ids past the imported ones.
	third := pg.schedule(tok, map[string]any{"topic": "Three", "start": monday.Add(48 * time.Hour).Format(time.RFC3339), "duration_minutes": 30})
	if third.MeetingID == one.MeetingID || third.MeetingID == rec.MeetingID {
		t.Errorf("new meeting reuses an imported number %s", third.MeetingID)
	}
	pg.cli("user", "create", "--db", db, "--email", "bea@example.com", "--name", "Bea")

	out = verifyPlaced(t, pg.cli, "--db", db)
	var n int
	fmt.Sscanf(out, "audit log OK: %d entries", &n)
	if n < entries+4 {
		t.Errorf("verify on PostgreSQL = %q; want the %d imported entries and at least 4 more", out, entries)
	}
}

// listMeetings returns "id number topic" of every meeting the token sees,
// sorted.
func listMeetings(t *testing.T, s *server, tok string) []string {
	t.Helper()
	r := s.do("GET", "/api/v1/meetings", tok, nil).must(t, 200)
	var out []string
	for _, m := range r.body["meetings"].([]any) {
		m := m.(map[string]any)
		out = append(out, fmt.Sprint(m["id"], " ", m["meeting_id"], " ", m["topic"]))
	}
	slices.Sort(out)
	return out
}

// TestRevocationReachesOtherNode runs two servers on one PostgreSQL store:
// a code regenerated, a passcode regenerated and a meeting deleted through
// one stop working on the other (through LISTEN/NOTIFY; the other node
// catches up within moments, so it is polled, not timed).
func TestRevocationReachesOtherNode(t *testing.T) {
	db := pgSchema(t)
	data := t.TempDir()
	a := startServer(t, data, "--db", db)
	b := startServer(t, data, "--db", db)
	a.cli("user", "create", "--db", db, "--email", "ada@example.com", "--name", "Ada")
	tok := strings.TrimSpace(a.cli("token", "create", "--db", db, "--email", "ada@example.com"))
	a.setClock(monday)
	b.setClock(monday)
	m := a.schedule(tok, scheduledAt(monday.Add(10*time.Minute), nil))
	code, pass := m.Occurrences[0].AccessCode, m.Passcode
	wantAdmitted(t, b.join(map[string]any{"access_code": code, "passcode": pass}), "on b, the code made on a")

	until := func(what string, body map[string]any) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := b.join(body)
			if r.status == 403 {
				wantRefused(t, r, what)
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: b still answers %d %s", what, r.status, r.raw)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	m2 := decodeMeeting(t, a.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "access_code", "occurrence": 1}).must(t, 200))
	until("on b, the code replaced on a", map[string]any{"access_code": code, "passcode": pass})
	wantAdmitted(t, b.join(map[string]any{"access_code": m2.Occurrences[0].AccessCode, "passcode": pass}), "on b, the new code")

	m3 := decodeMeeting(t, a.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "passcode"}).must(t, 200))
	until("on b, the passcode replaced on a", map[string]any{"meeting_id": m.MeetingID, "passcode": pass})
	wantAdmitted(t, b.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m3.Passcode}), "on b, the new passcode")

	a.do("DELETE", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 204)
	until("on b, the meeting deleted on a", map[string]any{"meeting_id": m.MeetingID, "passcode": m3.Passcode})
	b.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 404)
}

// TestMigrateCommand migrates a new PostgreSQL schema and an embedded store
// with `admit migrate`, twice (the second finds nothing to do), and refuses
// a --db that names no backend.
func TestMigrateCommand(t *testing.T) {
	db := pgSchema(t)
	data := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "ADMIT_DATA=", "ADMIT_DB=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, args := range [][]string{{"migrate", "--db", db, "--data", data}, {"migrate", "--data", data}} {
		var versions [2]string
		for i := range versions {
			out, err := run(args...)
			if err != nil || !strings.HasPrefix(out, "store migrated to schema version ") {
				t.Fatalf("admit %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			versions[i] = out
		}
		if versions[0] != versions[1] {
			t.Errorf("admit %s: %q, then %q; want the same version", strings.Join(args, " "), versions[0], versions[1])
		}
	}
	out, err := run("migrate", "--db", "mysql://localhost/x")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, "--db must be") {
		t.Errorf("admit migrate --db mysql://…: %v\n%s; want exit 2 naming --db", err, out)
	}
}
