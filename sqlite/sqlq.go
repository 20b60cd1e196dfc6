package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

// sq is a querier (the read pool or a writer's transaction) as the
// statements both stores share run it.
func sq(q querier) sqlstore.Querier { return sqlQ{q} }

type sqlQ struct{ q querier }

func (s sqlQ) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqlQ) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (s sqlQ) QueryRow(ctx context.Context, query string, args ...any) rowscan.Scanner {
	return s.q.QueryRowContext(ctx, query, args...)
}

func (sqlQ) NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Conflict is any constraint violation, as the store has always mapped it:
// a unique key, a foreign key, or a trigger's RAISE(ABORT).
func (sqlQ) Conflict(err error) bool { return isConstraint(err) }

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }
