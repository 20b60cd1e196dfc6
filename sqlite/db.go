package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// BusyTimeout is how long a statement waits for a lock held by another
// connection (or another process) before it fails.
const BusyTimeout = 10 * time.Second

// DB is an admit.Store on a SQLite database file.
type DB struct {
	path string
	wdb  *sql.DB // one connection, BEGIN IMMEDIATE; used only by the writer
	rdb  *readDB // a pool of read-only connections
	w    *writer

	// The statements both stores share, on this store's reads and writes.
	sqlstore.Shared

	// Now returns the current time; it stamps CreatedAt of accounts, users,
	// tokens and contacts, and events without a time.
	Now func() time.Time
}

var _ admit.Store = (*DB)(nil)

// Open opens (creating when needed) the database at path, applies pending
// migrations and starts the writer.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	db := &DB{path: path, Now: func() time.Time { return time.Now().UTC() }}
	common := []string{
		fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()),
		"foreign_keys(1)",
	}
	w := url.Values{"_pragma": append(common, "journal_mode(WAL)", "synchronous(FULL)"), "_txlock": {"immediate"}}
	var err error
	if db.wdb, err = sql.Open("sqlite", path+"?"+w.Encode()); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.wdb.SetMaxOpenConns(1)
	db.wdb.SetMaxIdleConns(1)
	db.wdb.SetConnMaxLifetime(0)
	db.wdb.SetConnMaxIdleTime(0)
	if err := db.migrate(); err != nil {
		db.wdb.Close()
		return nil, err
	}

	r := url.Values{"_pragma": append(common, "query_only(1)")}
	rdb, err := sql.Open("sqlite", path+"?"+r.Encode())
	if err != nil {
		db.wdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	rdb.SetConnMaxIdleTime(0)
	rdb.SetConnMaxLifetime(0)
	db.rdb = newReadDB(rdb)

	db.w = newWriter(db.wdb)
	db.Shared = sqlstore.Shared{Read: sq(db.rdb), Write: db.sharedWrite, Now: func() time.Time { return db.Now() },
		Meetings: meetingSQL}
	return db, nil
}

// migrate applies the embedded migrations in order; goose records the schema
// version in goose_db_version. When two processes open a new file at once,
// one of them may lose the race to apply a migration; it retries once and
// then finds the migration applied.
func (db *DB) migrate() error {
	ctx := context.Background()
	if _, err := db.wdb.ExecContext(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.path, err)
	}
	var err error
	for range 2 {
		var p *goose.Provider
		// Out of order: a migration numbered in a range given out earlier
		// (00140) may land after a later one was applied.
		p, err = goose.NewProvider(goose.DialectSQLite3, db.wdb, mustSub(migrations, "migrations"), goose.WithAllowOutofOrder(true))
		if err != nil {
			return fmt.Errorf("sqlite: migrations: %w", err)
		}
		if _, err = p.Up(ctx); err == nil {
			return nil
		}
	}
	return fmt.Errorf("sqlite: migrate %s: %w", db.path, err)
}

// SchemaVersion returns the version of the last migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, db.rdb.db, mustSub(migrations, "migrations"))
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// Close waits for queued writes to commit, stops the writer and closes the
// database.
func (db *DB) Close() error {
	db.w.close()
	return errors.Join(db.rdb.Close(), db.wdb.Close())
}

// write runs fn in a savepoint of the writer's next group commit and returns
// once that group is committed (or fn failed and was rolled back).
func (db *DB) write(ctx context.Context, fn func(ctx context.Context, tx *wtx) error) error {
	return db.w.do(ctx, fn, false)
}

// sharedWrite is sqlstore.Shared's Write: write, or writeOne for a
// write of one statement.
func (db *DB) sharedWrite(ctx context.Context, w sqlstore.Write, fn func(ctx context.Context, q sqlstore.Querier) error) error {
	return db.w.do(ctx, func(ctx context.Context, tx *wtx) error { return fn(ctx, sq(tx)) }, w.One)
}

// writeOne is write for an fn that runs exactly one statement: SQLite undoes
// a failed statement by itself, so it needs no savepoint of its own.
func (db *DB) writeOne(ctx context.Context, fn func(ctx context.Context, tx *wtx) error) error {
	return db.w.do(ctx, fn, true)
}

// mustSub returns the subtree dir of fsys, which must exist.
func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// querier is what readDB and wtx share, so that readers of rows serve both
// lookups and writes.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// isConstraint reports whether err is a SQLite constraint violation (a
// unique key, a foreign key or a trigger's RAISE(ABORT)).
func isConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// notFound returns an ENOTFOUND error for what.
// orNotFound returns v and err, but ENOTFOUND (naming what) when err says
// there was no row.
func orNotFound[T any](v T, err error, what string) (T, error) {
	return rowscan.Found(v, err, sql.ErrNoRows, what)
}

func notFound(what string) error {
	return admit.Errorf(admit.ENOTFOUND, "%s not found", what)
}

// Path returns the path of the database file.
func (db *DB) Path() string { return db.path }

// SetWriteObserver makes o (nil: none) be told of every group commit of
// the writer, from the writer's goroutine: o must not block.
func (db *DB) SetWriteObserver(o admit.WriteObserver) {
	db.w.observer.Set(o)
}

// WriteBacklog returns how many writes wait in the writer's queue.
func (db *DB) WriteBacklog() int { return len(db.w.ops) }
