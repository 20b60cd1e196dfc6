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
	// KeyFingerprint returns the recorded fingerprint of the store's master
	// key ("" when none) and whether the store holds data.
	KeyFingerprint(ctx context.Context) (string, bool, error)
	// SetKeyFingerprint records the fingerprint of the store's master key.
	SetKeyFingerprint(ctx context.Context, fingerprint string) error
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
	if sf.DB != "" && !isPostgres(sf.DB) {
		return admit.FieldErrorf("db", "--db must be empty (the embedded store under --data) or a postgres:// URL")
	}
	return nil
}

// keyPath returns the master key file: --key-file, or admit.key under --data.
// Every node serving one PostgreSQL store must use the same key file.
func (sf *storeFlags) keyPath() string {
	if sf.KeyFile != "" {
		return sf.KeyFile
	}
	return filepath.Join(sf.Data, "admit.key")
}

// sqlitePath is the embedded store's file under --data.
func (sf *storeFlags) sqlitePath() string { return filepath.Join(sf.Data, "admit.db") }

// describe names the store for messages, without a password.
func (sf *storeFlags) describe() string {
	if sf.DB == "" {
		return "data in " + sf.Data
	}
	return "store " + redactURL(sf.DB)
}

// args returns the flags that name the store again, for the commands the
// server suggests (the URL without its password).
func (sf *storeFlags) args() string {
	if sf.DB == "" {
		return "--data " + sf.Data
	}
	return "--db '" + redactURL(sf.DB) + "' --key-file " + sf.keyPath()
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
	if sf.DB != "" {
		db, err := postgres.Open(ctx, sf.DB)
		if err != nil {
			return nil, nil, err
		}
		db.Now = now
		return db, postgres.NewFeed(db), nil
	}
	if err := os.MkdirAll(sf.Data, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := sqlite.Open(sf.sqlitePath())
	if err != nil {
		return nil, nil, err
	}
	db.Now = now
	return db, nil, nil
}

// MigrateCmd is "admit migrate".
type MigrateCmd struct{}

// Run runs `admit migrate`: it applies the pending migrations of the
// store and prints its schema version. (Every command migrates the store
// it opens; this one does nothing else, for deployments that migrate
// before starting the nodes.)
func (c *MigrateCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	if err := sf.checkDB(); err != nil {
		return err
	}
	var v int64
	if sf.DB != "" {
		var err error
		if v, err = postgres.Migrate(ctx, sf.DB); err != nil {
			return err
		}
	} else {
		db, _, err := openStore(ctx, sf, time.Now)
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
