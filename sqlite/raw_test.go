package sqlite_test

import (
	"database/sql"
	"testing"
)

// openRaw opens the database file directly, bypassing the store.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// journalMode returns the journal mode of the database file.
func journalMode(t *testing.T, path string) string {
	t.Helper()
	db := openRaw(t, path)
	defer db.Close()
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}
