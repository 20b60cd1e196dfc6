package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// ImportTable is a table of an import source, before its rows.
type ImportTable struct {
	Name    string
	Columns []string
	Rows    int64 // how many rows the source says follow
}

// ImportSource is a stream of tables and their rows, as `admit export`
// writes an embedded store.
type ImportSource interface {
	// NextTable returns the next table; io.EOF after the last.
	NextTable() (*ImportTable, error)
	// NextRow returns the current table's next row (values int64, string,
	// []byte or nil); io.EOF after its last.
	NextRow() ([]any, error)
}

// ImportCount is, for one table, how many rows the source had and how many
// the store holds after the import.
type ImportCount struct {
	Table   string
	Source  int64
	Stored  int64
	Skipped bool // not copied: see skippedTables
}

// skippedTables are not copied. meeting_changes is the log that tells
// caches what to forget: the import's own inserts write the store's log.
var skippedTables = []string{"meeting_changes"}

// Import copies src into the store, which must be empty (no account, no
// event, nothing), in one transaction: rows are copied as they are (ids
// included), identity columns are set past the greatest id copied, audit_head
// takes the source's head, and before the commit every table's row count
// is compared with the source's and the audit chain is verified under key.
// On any error nothing is written. ECONFLICT when the store is not empty;
// EINVALID when src names a table or column the schema has not.
func (db *DB) Import(ctx context.Context, src ImportSource, key []byte) ([]ImportCount, error) {
	var counts []ImportCount
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		counts = nil
		schema, err := loadColumns(ctx, tx)
		if err != nil {
			return err
		}
		if err := mustBeEmpty(ctx, tx, schema); err != nil {
			return err
		}
		for {
			t, err := src.NextTable()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			c, err := importTable(ctx, tx, schema, t, src)
			if err != nil {
				return fmt.Errorf("import %s: %w", t.Name, err)
			}
			counts = append(counts, c)
		}
		if err := setIdentities(ctx, tx, schema); err != nil {
			return err
		}
		for i, c := range counts {
			if c.Skipped {
				continue
			}
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{c.Table}.Sanitize()+migrationRows(c.Table)).Scan(&counts[i].Stored); err != nil {
				return err
			}
			if counts[i].Stored != c.Source {
				return fmt.Errorf("import %s: %d rows stored, the source has %d", c.Table, counts[i].Stored, c.Source)
			}
		}
		// Every meeting has its budget row from the start (see dummyBudgets).
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_budgets (meeting_pk) SELECT pk FROM meetings ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		return verifyChain(ctx, tx, key)
	})
	if err != nil {
		return nil, err
	}
	if db.chg != nil {
		db.chg.localChange()
	}
	return counts, nil
}

// tableColumns are a table's columns and which of them are identities.
type tableColumns struct {
	columns    []string
	identities []string
}

// loadColumns reads the columns of every table of the current schema.
func loadColumns(ctx context.Context, tx pgx.Tx) (map[string]*tableColumns, error) {
	rows, err := tx.Query(ctx, `SELECT c.table_name, c.column_name, c.is_identity = 'YES'
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	schema := map[string]*tableColumns{}
	for rows.Next() {
		var table, column string
		var identity bool
		if err := rows.Scan(&table, &column, &identity); err != nil {
			return nil, err
		}
		tc := schema[table]
		if tc == nil {
			tc = &tableColumns{}
			schema[table] = tc
		}
		tc.columns = append(tc.columns, column)
		if identity {
			tc.identities = append(tc.identities, column)
		}
	}
	return schema, rows.Err()
}

// mustBeEmpty refuses a store that holds anything but what the migrations
// made.
func mustBeEmpty(ctx context.Context, tx pgx.Tx, schema map[string]*tableColumns) error {
	for table := range schema {
		if table == "goose_db_version" || table == "audit_head" || slices.Contains(skippedTables, table) {
			continue
		}
		var any bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{table}.Sanitize()+migrationRows(table)+`)`).Scan(&any); err != nil {
			return err
		}
		if any {
			return &admit.Error{Code: admit.ECONFLICT, Field: "db",
				Message: fmt.Sprintf("The target store is not empty (table %s has rows): import only into a new store.", table)}
		}
	}
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	if seq != 0 {
		return &admit.Error{Code: admit.ECONFLICT, Field: "db", Message: "The target store is not empty (its audit chain has entries)."}
	}
	return nil
}

func importTable(ctx context.Context, tx pgx.Tx, schema map[string]*tableColumns, t *ImportTable, src ImportSource) (ImportCount, error) {
	c := ImportCount{Table: t.Name, Source: t.Rows}
	next := func() ([]any, error) {
		row, err := src.NextRow()
		if errors.Is(err, io.EOF) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if len(row) != len(t.Columns) {
			return nil, fmt.Errorf("a row has %d values for %d columns", len(row), len(t.Columns))
		}
		return row, nil
	}
	if slices.Contains(skippedTables, t.Name) {
		c.Skipped = true
		for {
			row, err := next()
			if err != nil || row == nil {
				return c, err
			}
		}
	}
	tc := schema[t.Name]
	if tc == nil || t.Name == "goose_db_version" {
		return c, admit.FieldErrorf("table", "table %s is not in the PostgreSQL schema (a newer embedded store? run the same admit version on both)", t.Name)
	}
	for _, col := range t.Columns {
		if !slices.Contains(tc.columns, col) {
			return c, admit.FieldErrorf("column", "column %s.%s is not in the PostgreSQL schema", t.Name, col)
		}
	}
	if t.Name == "audit_head" {
		return c, importHead(ctx, tx, t, next)
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.Columns, pgx.CopyFromFunc(next))
	if err != nil {
		return c, err
	}
	if n != t.Rows {
		return c, fmt.Errorf("%d rows copied, the source says %d", n, t.Rows)
	}
	return c, nil
}

// importHead makes the store's one audit_head row the source's.
func importHead(ctx context.Context, tx pgx.Tx, t *ImportTable, next func() ([]any, error)) error {
	var n int64
	for {
		row, err := next()
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		n++
		if n > 1 {
			return errors.New("more than one audit head")
		}
		set, args := "", []any{}
		for i, col := range t.Columns {
			if col == "id" {
				continue
			}
			if set != "" {
				set += ", "
			}
			args = append(args, row[i])
			set += fmt.Sprintf("%s = $%d", pgx.Identifier{col}.Sanitize(), len(args))
		}
		if set == "" {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_head SET `+set+` WHERE id = 1`, args...); err != nil {
			return err
		}
	}
	if n != t.Rows {
		return fmt.Errorf("%d audit heads, the source says %d", n, t.Rows)
	}
	return nil
}

// setIdentities moves every identity column's sequence past the greatest
// value stored, so that new rows do not collide with imported ones.
func setIdentities(ctx context.Context, tx pgx.Tx, schema map[string]*tableColumns) error {
	for table, tc := range schema {
		for _, col := range tc.identities {
			t, c := pgx.Identifier{table}.Sanitize(), pgx.Identifier{col}.Sanitize()
			_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(MAX(`+c+`), 1), MAX(`+c+`) IS NOT NULL) FROM `+t,
				t, col)
			if err != nil {
				return fmt.Errorf("sequence of %s.%s: %w", table, col, err)
			}
		}
	}
	return nil
}

// verifyChain checks the audit chain in tx under key, as admit.Verify does.
func verifyChain(ctx context.Context, tx pgx.Tx, key []byte) error {
	head, err := auditHead(ctx, tx)
	if err != nil {
		return err
	}
	// Only the entries of the old hash chain carry its hash; the entries
	// after it are checked by the audit log's tree (imported with them,
	// and verified by admit audit verify).
	rows, err := tx.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE hash IS NOT NULL ORDER BY seq, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	v := &admit.ChainVerifier{Key: key}
	for rows.Next() {
		e, err := rowscan.Event(rows)
		if err != nil {
			return err
		}
		if bad := v.Next(e); bad != nil {
			return fmt.Errorf("the imported audit chain is broken at entry %d: %s", bad.Seq, bad.Reason)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if bad := v.Finish(head); bad != nil {
		return fmt.Errorf("the imported audit chain is broken at entry %d: %s", bad.Seq, bad.Reason)
	}
	return nil
}

// migrationRows is the condition that leaves out of a table's rows those
// the migrations made: the dummy budget rows (negative keys, see
// dummyBudgets).
func migrationRows(table string) string {
	if table == "meeting_budgets" {
		return ` WHERE meeting_pk >= 0`
	}
	return ""
}
