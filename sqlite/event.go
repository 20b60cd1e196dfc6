package sqlite

import (
	"context"
	"database/sql"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
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

// FindEvents lists events matching f, by ID (the order written): oldest
// first, or newest first with f.NewestFirst. Events not yet placed in the
// audit log's tree (Seq 0) are listed too, unless f.AfterSeq is set.
func (db *DB) FindEvents(ctx context.Context, f admit.EventFilter) ([]*admit.Event, error) {
	return sqlstore.FindEvents(ctx, db.Read, f, actionPrefix)
}

// actionPrefix is FindEvents' test of an action prefix: its first
// len(prefix) characters.
func actionPrefix(prefix string) (string, []any) {
	return `substr(action, 1, ?) = ?`, []any{len(prefix), prefix}
}

// ScanEvents calls fn with every event after afterSeq in Seq order, as
// stored, and returns the chain's head, in one read transaction (see
// sqlstore.ScanEvents).
func (db *DB) ScanEvents(ctx context.Context, afterSeq int64, fn func(*admit.Event) error) (admit.ChainHead, error) {
	tx, err := db.rdb.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return admit.ChainHead{}, err
	}
	defer tx.Rollback()
	return sqlstore.ScanEvents(ctx, sq(tx), "sqlite", afterSeq, fn)
}
