package sqlstore

import (
	"context"
	"fmt"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// EventColumns are rowscan.Event's columns of the events table.
const EventColumns = `id, seq, at, account_id, actor, action, target, source, outcome, detail, prev_hash, hash`

// FindEvents lists the events matching f (admit.Store's FindEvents), by ID
// (the order written): oldest first, or newest first with f.NewestFirst.
// Events not yet placed in the audit log's tree (Seq 0) are listed too,
// unless f.AfterSeq is set. actionPrefix returns the store's condition that
// action starts with f.Action, and its arguments: SQLite has no
// starts_with, and has always compared the first len(f.Action) characters.
func FindEvents(ctx context.Context, q Querier, f admit.EventFilter, actionPrefix func(string) (string, []any)) ([]*admit.Event, error) {
	query := `SELECT ` + EventColumns + ` FROM events WHERE id > ?`
	args := []any{f.AfterID}
	and := func(cond string, vals ...any) {
		query += ` AND ` + cond
		args = append(args, vals...)
	}
	if f.AfterSeq != 0 {
		and(`seq > ?`, f.AfterSeq)
	}
	if f.BeforeID != 0 {
		and(`id < ?`, f.BeforeID)
	}
	if f.AccountID != 0 {
		and(`account_id = ?`, f.AccountID)
	}
	if f.Target != "" {
		and(`target = ?`, f.Target)
	}
	if f.Actor != "" {
		and(`actor = ?`, f.Actor)
	}
	if f.Action != "" {
		cond, vals := actionPrefix(f.Action)
		and(cond, vals...)
	}
	if !f.Since.IsZero() {
		and(`at >= ?`, Nanos(f.Since))
	}
	if !f.Until.IsZero() {
		and(`at < ?`, Nanos(f.Until))
	}
	if f.NewestFirst {
		query += ` ORDER BY id DESC`
	} else {
		query += ` ORDER BY id`
	}
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return QueryAll(ctx, q, rowscan.Event, query, args...)
}

// AuditHead returns the audit chain's last link as audit_head records it
// (admit.Store's AuditHead).
func (s *Shared) AuditHead(ctx context.Context) (admit.ChainHead, error) {
	return AuditHead(ctx, s.Read)
}

// AuditHead reads the audit chain's head in q. No row is the zero head:
// the verifier reports the entries past it.
func AuditHead(ctx context.Context, q Querier) (admit.ChainHead, error) {
	var h admit.ChainHead
	err := q.QueryRow(ctx, `SELECT seq, hash, mac FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.Hash, &h.MAC)
	if err != nil && q.NoRows(err) {
		return admit.ChainHead{}, nil
	}
	return h, err
}

// ScanEvents does admit.Store's ScanEvents in q, a read transaction of the
// store's (one snapshot): it calls fn with every event after afterSeq in
// Seq order, as stored, and returns the chain's head. Entries without a
// seq (which only tampering makes) come last, as Seq 0. store names the
// store in errors.
func ScanEvents(ctx context.Context, q Querier, store string, afterSeq int64, fn func(*admit.Event) error) (admit.ChainHead, error) {
	head, err := AuditHead(ctx, q)
	if err != nil {
		return head, fmt.Errorf("%s: audit head: %w", store, err)
	}
	rows, err := q.Query(ctx, `SELECT `+EventColumns+` FROM events
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
