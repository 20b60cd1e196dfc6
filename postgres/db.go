package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultMaxConns is the least size of a store's pool when the URL does not
// set pool_max_conns.
const DefaultMaxConns = 10

// DB is an admit.Store on a PostgreSQL database.
type DB struct {
	pool   *pgxpool.Pool
	schema string // the connection's current schema, which names the channels

	chg   *listener
	batch *batcher // the join path's group commit

	// The statements both stores share, on this store's pool and
	// transactions.
	sqlstore.Shared

	// Now returns the current time; it stamps CreatedAt of accounts, users,
	// tokens and contacts, and events without a time.
	Now func() time.Time

	refMu    sync.Mutex
	meetings map[int64]meetingRef // by pk, for join audit entries
}

var _ admit.Store = (*DB)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// DSN; options such as search_path go in it), applies pending migrations
// and starts listening for changes.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default (4 on a small machine) is short for the join
		// path's groups, its reads and the limiter at once.
		cfg.MaxConns = max(cfg.MaxConns, DefaultMaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool, Now: func() time.Time { return time.Now().UTC() }, meetings: make(map[int64]meetingRef)}
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&db.schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if db.schema == "" {
		pool.Close()
		return nil, errors.New("postgres: no current schema (check search_path)")
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	changes, feed, err := channelNames(db.schema)
	if err != nil {
		pool.Close()
		return nil, err
	}
	db.chg = startListener(cfg.ConnConfig.Copy(), changes, feed)
	db.batch = newBatcher(db)
	db.Shared = sqlstore.Shared{Read: sq(db.pool), Write: db.sharedWrite, Now: func() time.Time { return db.Now() },
		SkipLocked: "FOR UPDATE SKIP LOCKED", Meetings: db.meetingSQL()}
	return db, nil
}

// Migrate applies the pending migrations of the database at url and returns
// the schema version, without starting a store.
func Migrate(ctx context.Context, url string) (int64, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	defer pool.Close()
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		return 0, err
	}
	return db.SchemaVersion(ctx)
}

// provider returns goose's provider of the embedded migrations, with a
// session lock (a PostgreSQL advisory lock) so that nodes that start
// together apply each migration once.
func (db *DB) provider() (*goose.Provider, func() error, error) {
	sdb := stdlib.OpenDBFromPool(db.pool)
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		sdb.Close()
		return nil, nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sdb, mustSub(migrations, "migrations"), goose.WithSessionLocker(locker),
		goose.WithAllowOutofOrder(true)) // a migration of an earlier range (00140) may land after a later one
	if err != nil {
		sdb.Close()
		return nil, nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, sdb.Close, nil
}

func (db *DB) migrate(ctx context.Context) error {
	p, closeDB, err := db.provider()
	if err != nil {
		return err
	}
	defer closeDB()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// SchemaVersion returns the version of the last migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, closeDB, err := db.provider()
	if err != nil {
		return 0, err
	}
	defer closeDB()
	return p.GetDBVersion(ctx)
}

// Close waits for queued join writes to commit, stops the listener and
// closes the pool.
func (db *DB) Close() error {
	if db.batch != nil {
		db.batch.close()
	}
	if db.chg != nil {
		db.chg.close()
	}
	db.pool.Close()
	return nil
}

// Pool returns the store's connection pool (for export, import and tests).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Schema returns the schema the store's tables are in.
func (db *DB) Schema() string { return db.schema }

// maxRetries bounds the retries of a transaction that lost a serialization
// or deadlock race.
const maxRetries = 5

// write runs fn in a transaction (READ COMMITTED) and commits it. A
// transaction that PostgreSQL aborts as a deadlock victim or a
// serialization failure is run again, so fn must set its results afresh
// on each run. changes says that fn changes what the join path caches: on
// success this store's MeetingChanges looks at the log again at once,
// without waiting for the notification.
func (db *DB) write(ctx context.Context, changes bool, fn func(ctx context.Context, tx pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return fn(ctx, tx) })
		if err != nil && attempt < maxRetries && retryable(err) {
			continue
		}
		if err == nil && changes && db.chg != nil {
			db.chg.localChange()
		}
		return err
	}
}

// sharedWrite is sqlstore.Shared's Write. A write of one statement runs on
// the pool, a transaction of its own, without BEGIN and COMMIT around it
// (two round trips fewer), as the store's single statements always have.
func (db *DB) sharedWrite(ctx context.Context, w sqlstore.Write, fn func(ctx context.Context, q sqlstore.Querier) error) error {
	if !w.One {
		return db.write(ctx, w.Changes, func(ctx context.Context, tx pgx.Tx) error { return fn(ctx, sq(tx)) })
	}
	err := fn(ctx, sq(db.pool))
	if err == nil && w.Changes && db.chg != nil {
		db.chg.localChange()
	}
	return err
}

// read runs fn in a read-only REPEATABLE READ transaction: one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// querier is what the pool and transactions share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PostgreSQL error codes the store maps.
const (
	codeUniqueViolation    = "23505"
	codeExclusionViolation = "23P01"
	codeSerialization      = "40001"
	codeDeadlock           = "40P01"
)

// pgCode returns err's SQLSTATE and constraint name, or "".
func pgCode(err error) (code, constraint string) {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code, e.ConstraintName
	}
	return "", ""
}

func retryable(err error) bool {
	code, _ := pgCode(err)
	return code == codeSerialization || code == codeDeadlock
}

// isUnique reports whether err violates a unique key (the constraint's
// name, when given).
func isUnique(err error, constraint ...string) bool {
	code, name := pgCode(err)
	if code != codeUniqueViolation {
		return false
	}
	if len(constraint) == 0 {
		return true
	}
	for _, c := range constraint {
		if c == name {
			return true
		}
	}
	return false
}

// isOverlap reports whether err violates the access codes' exclusion
// constraint.
func isOverlap(err error) bool {
	code, name := pgCode(err)
	return code == codeExclusionViolation && name == "access_codes_no_overlap"
}

// notFound returns an ENOTFOUND error for what.
// orNotFound returns v and err, but ENOTFOUND (naming what) when err says
// there was no row.
func orNotFound[T any](v T, err error, what string) (T, error) {
	return rowscan.Found(v, err, pgx.ErrNoRows, what)
}

func notFound(what string) error {
	return admit.Errorf(admit.ENOTFOUND, "%s not found", what)
}

// mustAffect returns ENOTFOUND (naming what) when the command changed no row.
func mustAffect(tag pgconn.CommandTag, err error, what string) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound(what)
	}
	return nil
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// SetWriteObserver makes o (nil: none) be told of every group commit of
// the join path's writes, from the committing goroutines: o must not
// block.
func (db *DB) SetWriteObserver(o admit.WriteObserver) {
	db.batch.observer.Set(o)
}

// WriteBacklog returns how many join-path writes wait for a group.
func (db *DB) WriteBacklog() int { return len(db.batch.ops) }

// CheckDurability returns an error naming the setting when the server's
// fsync or synchronous_commit is off: a commit it acknowledges could then
// be lost in a crash, and with it an admission admit has answered.
func (db *DB) CheckDurability(ctx context.Context) error {
	var fsync, sync string
	if err := db.pool.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync); err != nil {
		return fmt.Errorf("postgres: read fsync and synchronous_commit: %w", err)
	}
	var off []string
	if fsync == "off" {
		off = append(off, "fsync")
	}
	if sync == "off" {
		off = append(off, "synchronous_commit")
	}
	if len(off) > 0 {
		return admit.Errorf(admit.EINVALID, "PostgreSQL has %s off: an acknowledged admission could be lost in a crash. Turn it on, or start with --allow-unsafe-durability to accept that", strings.Join(off, " and "))
	}
	return nil
}
