package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ExportTable is how Export describes a table before its rows.
type ExportTable struct {
	Name    string
	Columns []string
	Rows    int64 // how many rows follow
}

// Export reads every table of the store (but goose's version table and
// SQLite's own), in the order they were created (so that a table comes
// after those it references), in one read transaction: a consistent copy,
// even while a server writes. It calls table before each table's rows and
// row with each row, whose values are int64, float64, string, []byte or nil.
// Used by `admit export`.
func (db *DB) Export(ctx context.Context, table func(t *ExportTable) error, row func(values []any) error) error {
	tx, err := db.rdb.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY rowid`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for _, name := range names {
		if err := exportTable(ctx, tx, name, table, row); err != nil {
			return fmt.Errorf("sqlite: export %s: %w", name, err)
		}
	}
	return nil
}

func exportTable(ctx context.Context, tx *sql.Tx, name string, table func(*ExportTable) error, row func([]any) error) error {
	quoted := `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	t := &ExportTable{Name: name}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoted).Scan(&t.Rows); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quoted)
	if err != nil {
		return err
	}
	defer rows.Close()
	if t.Columns, err = rows.Columns(); err != nil {
		return err
	}
	if err := table(t); err != nil {
		return err
	}
	var n int64
	for rows.Next() {
		vals := make([]any, len(t.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := row(vals); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != t.Rows {
		return fmt.Errorf("counted %d rows, read %d", t.Rows, n)
	}
	return nil
}
