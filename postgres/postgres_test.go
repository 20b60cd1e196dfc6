package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/storetest"
)

// defaultDSN is the database tests use unless ADMIT_TEST_POSTGRES names
// another.
const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) admit.Store { return MustOpenDB(tb, FreshSchema(tb)) })
}

var (
	setupOnce sync.Once
	setupErr  error
)

// BaseDSN returns the test database's DSN, skipping the test when
// PostgreSQL cannot be reached (failing it under CI=true).
func BaseDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("ADMIT_TEST_POSTGRES")
	if dsn == "" {
		dsn = defaultDSN
	}
	setupOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			setupErr = err
			return
		}
		defer conn.Close(ctx)
		// Once, in the default schema, so that the migrations of the
		// schemas made by the tests find it there.
		_, setupErr = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS btree_gist`)
	})
	if setupErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL at %s is required under CI=true: %v", redact(dsn), setupErr)
		}
		tb.Skipf("PostgreSQL at %s not reachable (set ADMIT_TEST_POSTGRES): %v", redact(dsn), setupErr)
	}
	return dsn
}

// FreshSchema creates a new schema, dropped when the test ends, and
// returns a DSN whose search_path is that schema.
func FreshSchema(tb testing.TB) string {
	tb.Helper()
	dsn := BaseDSN(tb)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "admit_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(tb, dsn, schema)
}

// WithSearchPath returns dsn with its search_path set to schema.
func WithSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return dsn
}

// MustOpenDB opens the store at dsn, closing it when the test ends unless
// the caller closes it first.
func MustOpenDB(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}
