package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlite"
	"github.com/admit-project/admit/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) admit.Store { return MustOpenDB(tb) })
}

// MustOpenDB opens a new database in a temporary directory.
func MustOpenDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "admit.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "admit.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 < 1 {
		t.Fatalf("schema version = %d, want at least 1", v1)
	}
	a := &admit.Account{Name: "Acme", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if v2, err := db.SchemaVersion(ctx); err != nil || v2 != v1 {
		t.Errorf("schema version after reopen = %d, %v; want %d", v2, err, v1)
	}
	if got, err := db.FindAccountByID(ctx, a.ID); err != nil || got.Name != "Acme" {
		t.Errorf("account after reopen = %v, %v", got, err)
	}
}

// TestTwoHandles opens the file twice, as the CLI and the server do, and
// writes through both at once.
func TestTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "admit.db")
	server, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	cli, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	if mode := journalMode(t, path); mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}

	a := &admit.Account{Name: "Acme", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	if err := server.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	for _, db := range []*sqlite.DB{server, cli} {
		go func() {
			for i := range 50 {
				e := &admit.Event{At: time.Now(), AccountID: a.ID, Actor: "cli", Action: "test", Outcome: "ok", Detail: string(rune('a' + i%26))}
				if err := db.AppendEvents(ctx, e); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for name, db := range map[string]*sqlite.DB{"server": server, "cli": cli} {
		events, err := db.FindEvents(ctx, admit.EventFilter{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 100 {
			t.Errorf("%s sees %d events, want 100", name, len(events))
		}
	}
	if got, err := cli.FindAccountByID(ctx, a.ID); err != nil || got.Name != "Acme" {
		t.Errorf("cli reads the server's account: %v, %v", got, err)
	}
}

// TestNumbersNeverDeleted checks that the schema itself refuses to forget a
// meeting number.
func TestNumbersNeverDeleted(t *testing.T) {
	db := MustOpenDB(t)
	defer db.Close()
	path := db.Path()
	raw := openRaw(t, path)
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO numbers (number, meeting_pk, issued_at) VALUES ('81234567890', 1, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM numbers`); err == nil {
		t.Error("DELETE FROM numbers succeeded")
	}
	if _, err := raw.Exec(`UPDATE numbers SET meeting_pk = 2`); err == nil {
		t.Error("UPDATE numbers succeeded")
	}
	if _, err := raw.Exec(`INSERT INTO numbers (number, meeting_pk, issued_at) VALUES ('81234567890', 2, 0)`); err == nil {
		t.Error("second INSERT of a number succeeded")
	}
}
