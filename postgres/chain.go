package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// The audit chain is computed by the appending node, in the transaction
// that appends the events: it locks the chain's head (SELECT … FOR UPDATE
// on audit_head's one row), hashes each entry on the head's hash
// (admit.ChainHash, under the audit key), inserts it and writes the new
// head back. The lock is held until the commit, so appends by every node
// and every connection form one chain. Every transaction takes the head's
// lock last, after its other row locks, so that it cannot deadlock with
// the locks of max_uses and guess budgets.

// auditState is the key the chain is hashed with.
type auditState struct {
	key atomic.Pointer[[]byte]
}

func (a *auditState) keyBytes() []byte {
	if k := a.key.Load(); k != nil {
		return *k
	}
	return nil
}

// SetAuditKey sets the key the audit chain is hashed with (keys.Ring's
// AuditKey). Without a key the chain is hashed under an empty key, which
// proves order but not origin: call it right after Open. Every node of one
// service must use the same key (the same key file).
func (db *DB) SetAuditKey(ctx context.Context, key []byte) error {
	k := append([]byte(nil), key...)
	db.audit.key.Store(&k)
	var pending int64
	err := db.pool.QueryRow(ctx, `SELECT pending FROM audit_head WHERE id = 1`).Scan(&pending)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // a missing head is the verifier's to report
	} else if err != nil {
		return err
	}
	if pending != 0 {
		return fmt.Errorf("postgres: %d audit entries are not hashed yet (import from a store opened with its key)", pending)
	}
	return nil
}

// appendEvents makes events the chain's next links, in order, setting their
// Seq, PrevHash, Hash and ID, in tx. Their At must be set.
func (db *DB) appendEvents(ctx context.Context, tx pgx.Tx, events []*admit.Event) error {
	var seq int64
	var hash []byte
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`).Scan(&seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return errors.New("postgres: the audit head is missing (the store was tampered with)")
	} else if err != nil {
		return fmt.Errorf("postgres: audit head: %w", err)
	}
	key := db.audit.keyBytes()
	n := len(events)
	at, account, seqs := make([]int64, n), make([]int64, n), make([]int64, n)
	actor, action, target, source, outcome, detail := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	prev, hashes := make([][]byte, n), make([][]byte, n)
	for i, e := range events {
		e.Seq, e.PrevHash = seq+1, hash
		e.Hash = admit.ChainHash(key, e.PrevHash, e)
		seq, hash = e.Seq, e.Hash
		at[i], account[i], seqs[i] = nanos(e.At), e.AccountID, e.Seq
		actor[i], action[i], target[i], source[i], outcome[i], detail[i] = e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail
		prev[i], hashes[i] = e.PrevHash, e.Hash
	}
	// Every entry and the new head in one statement: the head's lock is
	// held for two round trips and the commit, however many entries.
	rows, err := tx.Query(ctx, `WITH ins AS (
			INSERT INTO events (at, account_id, actor, action, target, source, outcome, detail, seq, prev_hash, hash)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::text[], $9::bigint[], $10::bytea[], $11::bytea[])
			RETURNING id, seq),
		head AS (UPDATE audit_head SET seq = $12, hash = $13, mac = $14 WHERE id = 1)
		SELECT id, seq FROM ins`,
		at, account, actor, action, target, source, outcome, detail, seqs, prev, hashes,
		seq, hash, admit.HeadMAC(key, seq, hash))
	if err != nil {
		return err
	}
	defer rows.Close()
	first := events[0].Seq
	got := 0
	for rows.Next() {
		var id, s int64
		if err := rows.Scan(&id, &s); err != nil {
			return err
		}
		if i := s - first; i >= 0 && i < int64(n) {
			events[i].ID = id
			got++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("postgres: %d audit entries inserted, want %d", got, n)
	}
	return nil
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

const eventColumns = `id, seq, at, account_id, actor, action, target, source, outcome, detail, prev_hash, hash`

// FindEvents lists events matching f, oldest first (by Seq).
func (db *DB) FindEvents(ctx context.Context, f admit.EventFilter) ([]*admit.Event, error) {
	var limit *int64
	if f.Limit > 0 {
		l := int64(f.Limit)
		limit = &l
	}
	rows, err := db.pool.Query(ctx, `SELECT `+eventColumns+` FROM events
		WHERE id > $1 AND seq > $2 AND ($3::bigint = 0 OR account_id = $3) AND ($4::text = '' OR target = $4)
		ORDER BY seq LIMIT $5`, f.AfterID, f.AfterSeq, f.AccountID, f.Target, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.Event)
}

// AuditHead returns the audit chain's last link as audit_head records it.
func (db *DB) AuditHead(ctx context.Context) (admit.ChainHead, error) {
	return auditHead(ctx, db.pool)
}

func auditHead(ctx context.Context, q querier) (admit.ChainHead, error) {
	return rowscan.ChainHead(q.QueryRow(ctx, `SELECT seq, hash, mac FROM audit_head WHERE id = 1`), pgx.ErrNoRows)
}

// ScanEvents calls fn with every event after afterSeq in Seq order, as
// stored, and returns the chain's head, in one snapshot. Entries without a
// seq (which only tampering makes) come last, as Seq 0.
func (db *DB) ScanEvents(ctx context.Context, afterSeq int64, fn func(*admit.Event) error) (admit.ChainHead, error) {
	var head admit.ChainHead
	err := db.read(ctx, func(tx pgx.Tx) error {
		var err error
		if head, err = auditHead(ctx, tx); err != nil {
			return fmt.Errorf("postgres: audit head: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT `+eventColumns+` FROM events
			WHERE seq > $1 OR seq IS NULL ORDER BY seq IS NULL, seq, id`, afterSeq)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := rowscan.Event(rows)
			if err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return head, err
}
