package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

// sq is a querier (the pool or a transaction) as the statements both
// stores share run it: their "?" placeholders become $1, $2, ….
func sq(q querier) sqlstore.Querier { return pgQ{q} }

type pgQ struct{ q querier }

func (p pgQ) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := p.q.Exec(ctx, sqlstore.Numbered(query), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (p pgQ) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return p.q.Query(ctx, sqlstore.Numbered(query), args...)
}

func (p pgQ) QueryRow(ctx context.Context, query string, args ...any) rowscan.Scanner {
	return p.q.QueryRow(ctx, sqlstore.Numbered(query), args...)
}

func (pgQ) NoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// Conflict is a unique key violation.
func (pgQ) Conflict(err error) bool { return isUnique(err) }
