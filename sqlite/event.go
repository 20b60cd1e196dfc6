package sqlite

import (
	"context"

	"github.com/admit-project/admit"
)

// AppendEvents appends audit events, in order, setting their ID (and At,
// when zero).
func (db *DB) AppendEvents(ctx context.Context, events ...*admit.Event) error {
	if len(events) == 0 {
		return nil
	}
	now := db.Now().UTC()
	ids := make([]int64, len(events))
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		for i, e := range events {
			at := e.At
			if at.IsZero() {
				at = now
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO events
				(at, account_id, actor, action, target, source, outcome, detail)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				nanos(at), e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail).Scan(&ids[i])
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range events {
		e.ID = ids[i]
		if e.At.IsZero() {
			e.At = now
		}
	}
	return nil
}

// FindEvents lists events matching f, oldest first.
func (db *DB) FindEvents(ctx context.Context, f admit.EventFilter) ([]*admit.Event, error) {
	q := `SELECT id, at, account_id, actor, action, target, source, outcome, detail FROM events WHERE id > ?`
	args := []any{f.AfterID}
	if f.AccountID != 0 {
		q += ` AND account_id = ?`
		args = append(args, f.AccountID)
	}
	if f.Target != "" {
		q += ` AND target = ?`
		args = append(args, f.Target)
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []*admit.Event
	for rows.Next() {
		var e admit.Event
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.AccountID, &e.Actor, &e.Action, &e.Target, &e.Source, &e.Outcome, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromNanos(at)
		events = append(events, &e)
	}
	return events, rows.Err()
}
