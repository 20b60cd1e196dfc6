package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// AppendEvents appends audit events, in order, to the audit chain, setting
// their ID, Seq, PrevHash and Hash (and At, when zero). It returns once
// they are durably committed.
func (db *DB) AppendEvents(ctx context.Context, events ...*admit.Event) error {
	if len(events) == 0 {
		return nil
	}
	now := db.Now().UTC()
	out := make([]admit.Event, len(events))
	for i, e := range events {
		out[i] = *e
		if out[i].At.IsZero() {
			out[i].At = now
		}
	}
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		for i := range out {
			if err := tx.appendEvent(ctx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range events {
		*e = out[i]
	}
	return nil
}

const eventColumns = `id, seq, at, account_id, actor, action, target, source, outcome, detail, prev_hash, hash`

// FindEvents lists events matching f, by ID (the order written): oldest
// first, or newest first with f.NewestFirst. Events not yet placed in the
// audit log's tree (Seq 0) are listed too, unless f.AfterSeq is set.
func (db *DB) FindEvents(ctx context.Context, f admit.EventFilter) ([]*admit.Event, error) {
	q := `SELECT ` + eventColumns + ` FROM events WHERE id > ?`
	args := []any{f.AfterID}
	if f.AfterSeq != 0 {
		q += ` AND seq > ?`
		args = append(args, f.AfterSeq)
	}
	if f.BeforeID != 0 {
		q += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	if f.AccountID != 0 {
		q += ` AND account_id = ?`
		args = append(args, f.AccountID)
	}
	if f.Target != "" {
		q += ` AND target = ?`
		args = append(args, f.Target)
	}
	if f.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		q += ` AND substr(action, 1, ?) = ?`
		args = append(args, len(f.Action), f.Action)
	}
	if !f.Since.IsZero() {
		q += ` AND at >= ?`
		args = append(args, nanos(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND at < ?`
		args = append(args, nanos(f.Until))
	}
	if f.NewestFirst {
		q += ` ORDER BY id DESC`
	} else {
		q += ` ORDER BY id`
	}
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.Event)
}

// AuditHead returns the audit chain's last link as audit_head records it.
func (db *DB) AuditHead(ctx context.Context) (admit.ChainHead, error) {
	return auditHead(ctx, db.rdb)
}

func auditHead(ctx context.Context, q querier) (admit.ChainHead, error) {
	return rowscan.ChainHead(q.QueryRowContext(ctx, `SELECT seq, hash, mac FROM audit_head WHERE id = 1`), sql.ErrNoRows)
}

// ScanEvents calls fn with every event after afterSeq in Seq order, as
// stored, and returns the chain's head, in one read transaction. Entries
// without a seq (which only tampering makes) come last, as Seq 0.
func (db *DB) ScanEvents(ctx context.Context, afterSeq int64, fn func(*admit.Event) error) (admit.ChainHead, error) {
	tx, err := db.rdb.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return admit.ChainHead{}, err
	}
	defer tx.Rollback()
	head, err := auditHead(ctx, tx)
	if err != nil {
		return head, fmt.Errorf("sqlite: audit head: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE seq > ? OR seq IS NULL ORDER BY seq IS NULL, seq, id`, afterSeq)
	if err != nil {
		return head, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := rowscan.Event(rows)
		if err != nil {
			return head, err
		}
		if err := fn(e); err != nil {
			return head, err
		}
	}
	return head, rows.Err()
}
