package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"github.com/admit-project/admit"
)

// readDB runs lookups on the read pool with prepared statements cached by
// their SQL text, so that the join path does not parse its queries again
// on every request.
type readDB struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newReadDB(db *sql.DB) *readDB { return &readDB{db: db, m: make(map[string]*sql.Stmt)} }

func (r *readDB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	r.mu.Lock()
	s := r.m[query]
	r.mu.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.m[query]; old != nil {
		s.Close()
		return old, nil
	}
	r.m[query] = s
	return s, nil
}

// ExecContext runs a statement (the read pool refuses writes).
func (r *readDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.db.ExecContext(ctx, query, args...)
}

// QueryContext runs a cached query.
func (r *readDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := r.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext runs a cached query for one row.
func (r *readDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := r.stmt(ctx, query)
	if err != nil {
		return r.db.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return s.QueryRowContext(ctx, args...)
}

// Close closes the cached statements and the pool.
func (r *readDB) Close() error {
	r.mu.Lock()
	for q, s := range r.m {
		s.Close()
		delete(r.m, q)
	}
	r.mu.Unlock()
	return r.db.Close()
}

// wtx is a transaction of the writer. Statements are prepared once per
// group commit and reused by every operation of the group: under load a
// group holds up to MaxBatch admissions running the same statements.
type wtx struct {
	tx     *sql.Tx
	m      map[string]*sql.Stmt // bound to tx
	store  map[string]*sql.Stmt // prepared on the write pool for the writer's lifetime
	fresh  []string             // queries to prepare on the pool once tx ends
	audit  *auditState          // the writer's, for the audit chain
	head   chainHead            // the audit chain's head in this transaction
	events []*admit.Event       // audit entries appended, to insert before the commit
	single bool                 // the running operation has no savepoint
}

// stmt returns query prepared for the transaction. A statement the writer
// has prepared on its one connection before is bound to tx without being
// parsed again (database/sql reuses the connection's statement); a new one
// is prepared in tx, and on the pool once the connection is free again (the
// pool's only connection is tx's until then), so that SQLite parses each
// statement once for the writer's lifetime, not once per batch.
func (t *wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s := t.m[query]; s != nil {
		return s, nil
	}
	var s *sql.Stmt
	if ps := t.store[query]; ps != nil {
		s = t.tx.StmtContext(ctx, ps)
	} else {
		var err error
		if s, err = t.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		t.fresh = append(t.fresh, query)
	}
	t.m[query] = s
	return s, nil
}

// ExecContext runs a statement in the transaction.
func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (t *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return t.tx.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return s.QueryRowContext(ctx, args...)
}
