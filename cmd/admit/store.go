package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/sqlite"
)

// store is what the commands need of a store: admit.Store and the methods
// both backends add to it.
type store interface {
	admit.Store
	admit.MediaStore
	// SetAuditKey sets the key the audit chain is hashed with.
	SetAuditKey(ctx context.Context, key []byte) error
	// SchemaVersion returns the version of the last migration applied.
	SchemaVersion(ctx context.Context) (int64, error)
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// isPostgres reports whether the --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// checkDB refuses a --db value that names no backend.
func (sf *storeFlags) checkDB() error {
	if sf.db != "" && !isPostgres(sf.db) {
		return admit.FieldErrorf("db", "--db must be empty (the embedded store under --data) or a postgres:// URL")
	}
	return nil
}

// keyPath returns the master key file: --key-file, or admit.key under --data.
// Every node serving one PostgreSQL store must use the same key file.
func (sf *storeFlags) keyPath() string {
	if sf.keyFile != "" {
		return sf.keyFile
	}
	return filepath.Join(sf.data, "admit.key")
}

// sqlitePath is the embedded store's file under --data.
func (sf *storeFlags) sqlitePath() string { return filepath.Join(sf.data, "admit.db") }

// describe names the store for messages, without a password.
func (sf *storeFlags) describe() string {
	if sf.db == "" {
		return "data in " + sf.data
	}
	return "store " + redactURL(sf.db)
}

// args returns the flags that name the store again, for the commands the
// server suggests (the URL without its password).
func (sf *storeFlags) args() string {
	if sf.db == "" {
		return "--data " + sf.data
	}
	return "--db '" + redactURL(sf.db) + "' --key-file " + sf.keyPath()
}

// redactURL replaces the password of a URL by "xxxxx".
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// openStore opens (creating and migrating on first use) the store sf
// names: the embedded SQLite store under --data, or PostgreSQL with --db.
// Its timestamps follow now. For PostgreSQL it also returns the change
// feed every node shares.
func openStore(ctx context.Context, sf *storeFlags, now func() time.Time) (store, admit.ChangeFeed, error) {
	if err := sf.checkDB(); err != nil {
		return nil, nil, err
	}
	if sf.db != "" {
		db, err := postgres.Open(ctx, sf.db)
		if err != nil {
			return nil, nil, err
		}
		db.Now = now
		return db, postgres.NewFeed(db), nil
	}
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := sqlite.Open(sf.sqlitePath())
	if err != nil {
		return nil, nil, err
	}
	db.Now = now
	return db, nil, nil
}

// runMigrate runs `admit migrate`: it applies the pending migrations of the
// store and prints its schema version. (Every command migrates the store
// it opens; this one does nothing else, for deployments that migrate
// before starting the nodes.)
func (m *Main) runMigrate(ctx context.Context, args []string) error {
	var sf storeFlags
	fs := m.newFlags("migrate", &sf)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if err := sf.checkDB(); err != nil {
		return err
	}
	var v int64
	if sf.db != "" {
		var err error
		if v, err = postgres.Migrate(ctx, sf.db); err != nil {
			return err
		}
	} else {
		db, _, err := openStore(ctx, &sf, time.Now)
		if err != nil {
			return err
		}
		v, err = db.SchemaVersion(ctx)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "store migrated to schema version %d (%s)\n", v, sf.describe())
	return nil
}
