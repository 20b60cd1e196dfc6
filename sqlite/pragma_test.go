package sqlite

import (
	"path/filepath"
	"testing"
)

// TestPragmas checks the settings durability and concurrency rely on.
func TestPragmas(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "admit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	}
	for _, tt := range tests {
		var got string
		if err := db.wdb.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("write connection: PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
		}
	}
	var fk, ro string
	if err := db.rdb.db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := db.rdb.db.QueryRow("PRAGMA query_only").Scan(&ro); err != nil {
		t.Fatal(err)
	}
	if fk != "1" || ro != "1" {
		t.Errorf("read pool: foreign_keys %s, query_only %s; want 1, 1", fk, ro)
	}
	if stats := db.wdb.Stats(); stats.MaxOpenConnections != 1 {
		t.Errorf("write pool allows %d connections, want 1", stats.MaxOpenConnections)
	}
}
