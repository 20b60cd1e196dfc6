package sqlstore

import (
	"context"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// Querier runs statements written with "?" placeholders on one store's
// connection, pool or transaction.
type Querier interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a query; the caller closes the rows.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a query for one row; its Scan reports "no rows" with an
	// error for which NoRows is true.
	QueryRow(ctx context.Context, query string, args ...any) rowscan.Scanner
	// NoRows reports whether err says a QueryRow found no row.
	NoRows(err error) bool
	// Conflict reports whether err is a unique key violation.
	Conflict(err error) bool
}

// Rows is a result set being read.
type Rows interface {
	rowscan.Rows
	Close()
}

// QueryAll runs a query and reads every row with scan.
func QueryAll[T any](ctx context.Context, q Querier, scan func(rowscan.Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, scan)
}

// QueryOne runs a query for one row and reads it with scan; no row is an
// ENOTFOUND error naming what ("meeting not found").
func QueryOne[T any](ctx context.Context, q Querier, scan func(rowscan.Scanner) (T, error), what, query string, args ...any) (T, error) {
	v, err := scan(q.QueryRow(ctx, query, args...))
	if err != nil && q.NoRows(err) {
		var zero T
		return zero, NotFound(what)
	}
	return v, err
}

// NotFound returns an ENOTFOUND error for what.
func NotFound(what string) error {
	return admit.Errorf(admit.ENOTFOUND, "%s not found", what)
}

// Nanos converts t to the stored form: unix nanoseconds, UTC.
func Nanos(t time.Time) int64 { return t.UnixNano() }

// NullNanos is Nanos, with NULL (nil) for the zero time.
func NullNanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// PtrNanos is Nanos, with NULL (nil) for nil.
func PtrNanos(t *time.Time) any {
	if t == nil {
		return nil
	}
	return NullNanos(*t)
}

// NullInt64 stores 0 as NULL (nil).
func NullInt64(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// FromNanos converts a stored time back to a UTC time.Time.
func FromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// FromNullNanos converts a nullable stored time; NULL is the zero time.
func FromNullNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return FromNanos(*n)
}

// PtrFromNanos converts a nullable stored time; NULL is nil.
func PtrFromNanos(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := FromNanos(*n)
	return &t
}
