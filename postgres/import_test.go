package postgres_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/postgres"
)

// source is an ImportSource over tables in memory.
type source struct {
	tables []sourceTable
	t, r   int
}

type sourceTable struct {
	name    string
	columns []string
	rows    [][]any
	claimed int64 // the row count the header claims; len(rows) when 0
}

func (s *source) NextTable() (*postgres.ImportTable, error) {
	if s.t >= len(s.tables) {
		return nil, io.EOF
	}
	t := s.tables[s.t]
	s.t++
	s.r = 0
	n := t.claimed
	if n == 0 {
		n = int64(len(t.rows))
	}
	return &postgres.ImportTable{Name: t.name, Columns: t.columns, Rows: n}, nil
}

func (s *source) NextRow() ([]any, error) {
	t := s.tables[s.t-1]
	if s.r >= len(t.rows) {
		return nil, io.EOF
	}
	s.r++
	return t.rows[s.r-1], nil
}

// chainSource returns a source with one account, one user and an audit
// chain of two entries hashed under key.
func chainSource(key []byte) *source {
	e1 := &admit.Event{ID: 5, Seq: 1, At: t0, AccountID: 3, Actor: "cli", Action: "a", Outcome: "ok"}
	e1.Hash = admit.ChainHash(key, nil, e1)
	e2 := &admit.Event{ID: 9, Seq: 2, At: t0, AccountID: 3, Actor: "cli", Action: "b", Outcome: "ok", PrevHash: e1.Hash}
	e2.Hash = admit.ChainHash(key, e1.Hash, e2)
	ev := func(e *admit.Event) []any {
		return []any{e.ID, e.At.UnixNano(), e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail, e.Seq, e.PrevHash, e.Hash}
	}
	return &source{tables: []sourceTable{
		{name: "accounts", columns: []string{"id", "name", "plan", "security", "created_at"},
			rows: [][]any{{int64(3), "Acme", "pro", `{"locked":[]}`, int64(1)}}},
		{name: "users", columns: []string{"id", "account_id", "email", "name", "role", "timezone", "created_at", "password_hash"},
			rows: [][]any{{int64(7), int64(3), "ada@example.com", "Ada", "owner", "UTC", int64(1), ""}}},
		{name: "meeting_changes", columns: []string{"seq", "meeting_pk"}, rows: [][]any{{int64(1), int64(1)}}},
		{name: "events", columns: []string{"id", "at", "account_id", "actor", "action", "target", "source", "outcome", "detail", "seq", "prev_hash", "hash"},
			rows: [][]any{ev(e1), ev(e2)}},
		{name: "audit_head", columns: []string{"id", "seq", "hash", "mac", "pending"},
			rows: [][]any{{int64(1), int64(2), e2.Hash, admit.HeadMAC(key, 2, e2.Hash), int64(0)}}},
	}}
}

var importKey = []byte("the audit key of the imported store")

func TestImport(t *testing.T) {
	db := MustOpenDB(t, FreshSchema(t))
	defer db.Close()
	ctx := context.Background()
	counts, err := db.Import(ctx, chainSource(importKey), importKey)
	must(t, err)
	got := map[string]postgres.ImportCount{}
	for _, c := range counts {
		got[c.Table] = c
	}
	if got["users"].Stored != 1 || got["events"].Stored != 2 || !got["meeting_changes"].Skipped {
		t.Errorf("counts = %+v", counts)
	}
	must(t, db.SetAuditKey(ctx, importKey))
	if n, bad, err := admit.Verify(ctx, db, importKey); err != nil || bad != nil || n != 2 {
		t.Errorf("Verify after import = %d, %+v, %v; want 2 entries", n, bad, err)
	}
	// New rows get ids past the imported ones; new entries wait for the
	// audit log's integrator.
	u := &admit.User{AccountID: 3, Email: "bea@example.com", Name: "Bea", Role: admit.RoleHost, Timezone: "UTC"}
	must(t, db.CreateUser(ctx, u))
	e := &admit.Event{At: t0, Actor: "cli", Action: "c", Outcome: "ok"}
	must(t, db.AppendEvents(ctx, e))
	if u.ID != 8 || e.ID != 10 || e.Seq != 0 {
		t.Errorf("after import: user id %d, event id %d seq %d; want 8, 10, 0 (placed by the integrator)", u.ID, e.ID, e.Seq)
	}

	// Once anything is in the store, an import is refused and changes
	// nothing.
	_, err = db.Import(ctx, chainSource(importKey), importKey)
	if admit.ErrorCode(err) != admit.ECONFLICT {
		t.Errorf("import into a non-empty store: %v, want ECONFLICT", err)
	}
}

// TestImportAllOrNothing feeds imports that fail late and checks that
// nothing of them stays.
func TestImportAllOrNothing(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(s *source)
		key   []byte
		want  string
	}{
		{"wrong key", func(*source) {}, []byte("another key"), "audit chain is broken"},
		{"row count", func(s *source) { s.tables[1].claimed = 2 }, importKey, "source says 2"},
		{"edited entry", func(s *source) { s.tables[3].rows[1][4] = "edited" }, importKey, "audit chain is broken"},
		{"unknown column", func(s *source) { s.tables[0].columns[1] = "nom" }, importKey, "column accounts.nom"},
		{"unknown table", func(s *source) { s.tables[0].name = "tables_of_tomorrow" }, importKey, "tables_of_tomorrow is not in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t, FreshSchema(t))
			defer db.Close()
			ctx := context.Background()
			src := chainSource(importKey)
			tt.spoil(src)
			_, err := db.Import(ctx, src, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Import = %v, want an error with %q", err, tt.want)
			}
			if _, err := db.FindAccountByID(ctx, 3); admit.ErrorCode(err) != admit.ENOTFOUND {
				t.Errorf("after a failed import the account is there: %v", err)
			}
			// The failed import left the store empty: a good one goes in.
			if _, err := db.Import(ctx, chainSource(importKey), importKey); err != nil {
				t.Errorf("import after a failed one: %v", err)
			}
		})
	}
}
