package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// Audit entries are inserted in the transaction of the change they
// record, with no place in the audit log's tree (seq and leaf_hash NULL)
// and no lock shared with other writers: the integrator (package
// translog, through AuditLog), elected among the nodes, places them once a
// second. The old hash chain's columns (prev_hash, hash) and audit_head are
// kept for the entries written before; the tree was built from them.

// SetAuditKey is kept for the callers of the old hash chain, which no
// longer hashes anything: the audit log's checkpoints are signed by its own
// key (translog.Signer). It does nothing.
func (db *DB) SetAuditKey(ctx context.Context, key []byte) error { return nil }

// appendEvents inserts events in tx, in order, setting their ID: each with
// no place in the audit log's tree yet (seq and leaf_hash NULL), for the
// integrator to place. It takes no lock that other writers take: the ids
// come from the identity's sequence, the rows are new.
func (db *DB) appendEvents(ctx context.Context, tx pgx.Tx, events []*admit.Event) error {
	n := len(events)
	if n == 1 {
		e := events[0]
		e.Seq, e.PrevHash, e.Hash = 0, nil, nil
		return tx.QueryRow(ctx, `INSERT INTO events (at, account_id, actor, action, target, source, outcome, detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			sqlstore.Nanos(e.At), e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail).Scan(&e.ID)
	}
	ids := make([]int64, n)
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, $1)`, n)
	if err != nil {
		return err
	}
	for i := 0; rows.Next(); i++ {
		if err := rows.Scan(&ids[i]); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	at, account := make([]int64, n), make([]int64, n)
	actor, action, target, source, outcome, detail := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, e := range events {
		e.ID, e.Seq, e.PrevHash, e.Hash = ids[i], 0, nil, nil
		at[i], account[i] = sqlstore.Nanos(e.At), e.AccountID
		actor[i], action[i], target[i], source[i], outcome[i], detail[i] = e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail
	}
	_, err = tx.Exec(ctx, `INSERT INTO events (id, at, account_id, actor, action, target, source, outcome, detail)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
		ids, at, account, actor, action, target, source, outcome, detail)
	return err
}

// AppendEvents appends audit events, in order, to the audit chain, setting
// their ID, Seq, PrevHash and Hash (and At, when zero). It returns once
// they are committed.
func (db *DB) AppendEvents(ctx context.Context, events ...*admit.Event) error {
	if len(events) == 0 {
		return nil
	}
	now := db.Now().UTC()
	var out []admit.Event
	err := db.write(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		out = make([]admit.Event, len(events))
		ptrs := make([]*admit.Event, len(events))
		for i, e := range events {
			out[i] = *e
			if out[i].At.IsZero() {
				out[i].At = now
			}
			ptrs[i] = &out[i]
		}
		return db.appendEvents(ctx, tx, ptrs)
	})
	if err != nil {
		return err
	}
	for i, e := range events {
		*e = out[i]
	}
	return nil
}

// meetingRef is what a join's audit entry names of its meeting.
type meetingRef struct {
	id        string
	accountID int64
}

// maxMeetingRefs bounds the cache of meeting references.
const maxMeetingRefs = 1 << 14

// joinEvent returns the audit entry of a join attempt (see
// admit.JoinEvent), for the attempt's group to append.
func (db *DB) joinEvent(ctx context.Context, tx querier, a *admit.Attempt, participantID string) (*admit.Event, error) {
	if a.MeetingID != "" {
		return admit.JoinEvent(a, participantID, a.AccountID, a.MeetingID), nil
	}
	ref, err := db.meetingRef(ctx, tx, a.MeetingPK, a.OccurrencePK)
	if err != nil {
		return nil, err
	}
	return admit.JoinEvent(a, participantID, ref.accountID, ref.id), nil
}

// meetingRef returns the public id and account of the meeting with the pk
// (or, with pk 0, of the occurrence's meeting); nothing when neither is
// known. A meeting's id and account never change, so they are cached.
func (db *DB) meetingRef(ctx context.Context, tx querier, pk, occurrencePK int64) (meetingRef, error) {
	if pk == 0 && occurrencePK == 0 {
		return meetingRef{}, nil
	}
	if pk != 0 {
		db.refMu.Lock()
		ref, ok := db.meetings[pk]
		db.refMu.Unlock()
		if ok {
			return ref, nil
		}
	}
	var ref meetingRef
	var err error
	if pk != 0 {
		err = tx.QueryRow(ctx, `SELECT id, account_id FROM meetings WHERE pk = $1`, pk).Scan(&ref.id, &ref.accountID)
	} else {
		err = tx.QueryRow(ctx, `SELECT m.pk, m.id, m.account_id FROM occurrences o
			JOIN meetings m ON m.pk = o.meeting_pk WHERE o.pk = $1`, occurrencePK).Scan(&pk, &ref.id, &ref.accountID)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return meetingRef{}, nil
	} else if err != nil {
		return meetingRef{}, err
	}
	db.refMu.Lock()
	if len(db.meetings) >= maxMeetingRefs {
		clear(db.meetings)
	}
	db.meetings[pk] = ref
	db.refMu.Unlock()
	return ref, nil
}

// eventColumns are rowscan.Event's (for import.go).
const eventColumns = sqlstore.EventColumns

// FindEvents lists events matching f, by ID (the order written): oldest
// first, or newest first with f.NewestFirst. Events not yet placed in the
// audit log's tree (Seq 0) are listed too, unless f.AfterSeq is set.
func (db *DB) FindEvents(ctx context.Context, f admit.EventFilter) ([]*admit.Event, error) {
	return sqlstore.FindEvents(ctx, db.Read, f, actionPrefix)
}

// actionPrefix is FindEvents' test of an action prefix.
func actionPrefix(prefix string) (string, []any) {
	return `starts_with(action, ?)`, []any{prefix}
}

// auditHead reads the audit chain's head in q (for import.go).
func auditHead(ctx context.Context, q querier) (admit.ChainHead, error) {
	return sqlstore.AuditHead(ctx, sq(q))
}

// ScanEvents calls fn with every event after afterSeq in Seq order, as
// stored, and returns the chain's head, in one snapshot (see
// sqlstore.ScanEvents).
func (db *DB) ScanEvents(ctx context.Context, afterSeq int64, fn func(*admit.Event) error) (admit.ChainHead, error) {
	var head admit.ChainHead
	err := db.read(ctx, func(tx pgx.Tx) (err error) {
		head, err = sqlstore.ScanEvents(ctx, sq(tx), "postgres", afterSeq, fn)
		return err
	})
	return head, err
}
