package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// The audit chain is computed by the writer, in the transaction that
// appends the events: the writer holds the database's write lock (BEGIN
// IMMEDIATE) for the whole group commit, so reading the head from
// audit_head once per group and writing it back once before the commit
// makes every append, by this process or another, one link of one chain.
// An append costs no statement of its own: the writer hashes the entry in
// Go (giving it its id and seq) and queues it, and inserts the group's
// entries with a few multi-row INSERTs just before the commit, so a
// refused join under attack stays one INSERT (its attempt). An operation
// that fails drops its queued entries; a failed flush fails the group, so
// nothing acknowledged is lost.

// SetAuditKey sets the key the audit chain is hashed with (keys.Ring's
// AuditKey) and hashes the entries written before the chain existed, if
// any. Without a key the chain is hashed under an empty key, which proves
// order but not origin: call it right after Open.
func (db *DB) SetAuditKey(ctx context.Context, key []byte) error {
	k := append([]byte(nil), key...)
	db.w.audit.key.Store(&k)
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		var pending int64
		err := tx.QueryRowContext(ctx, `SELECT pending FROM audit_head WHERE id = 1`).Scan(&pending)
		if errors.Is(err, sql.ErrNoRows) || pending == 0 {
			return nil // a missing head is the verifier's to report
		} else if err != nil {
			return err
		}
		return tx.loadHead(ctx)
	})
}

// auditState is what the writer keeps for the chain between groups.
type auditState struct {
	key      atomic.Pointer[[]byte]
	meetings map[int64]meetingRef // by pk; a meeting's id and account never change
}

// meetingRef is what a join's audit entry names of its meeting.
type meetingRef struct {
	id        string
	accountID int64
}

// maxMeetingRefs bounds the writer's cache of meeting references.
const maxMeetingRefs = 1 << 14

func newAuditState() *auditState {
	return &auditState{meetings: make(map[int64]meetingRef)}
}

func (a *auditState) keyBytes() []byte {
	if k := a.key.Load(); k != nil {
		return *k
	}
	return nil
}

// chainHead is the head as a group commit sees it: loaded from audit_head
// on the group's first append, written back before its commit when dirty.
type chainHead struct {
	loaded bool
	seq    int64
	hash   []byte
	lastID int64 // the greatest events.id
	queued int   // len(wtx.events) at this head
	dirty  bool  // audit_head must be written even without queued events
}

// loadHead reads the chain's head for the transaction, first hashing the
// entries written before the chain existed (audit_head.pending).
func (t *wtx) loadHead(ctx context.Context) error {
	if t.head.loaded {
		return nil
	}
	var h chainHead
	var pending int64
	err := t.QueryRowContext(ctx, `SELECT seq, hash, pending, (SELECT ifnull(max(id), 0) FROM events)
		FROM audit_head WHERE id = 1`).Scan(&h.seq, &h.hash, &pending, &h.lastID)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("sqlite: the audit head is missing (the store was tampered with)")
	} else if err != nil {
		return fmt.Errorf("sqlite: audit head: %w", err)
	}
	h.loaded = true
	if pending > 0 {
		if t.single {
			// Hashing them takes many statements: not in an operation
			// without a savepoint. SetAuditKey does it first.
			return errors.New("sqlite: audit entries written before the chain are not hashed yet (SetAuditKey)")
		}
		if err := t.hashPending(ctx, &h, pending); err != nil {
			return err
		}
	}
	t.head = h
	return nil
}

// hashPending hashes entries h.seq+1 to pending, which were written before
// the chain existed (the migration gave them their seq, in id order).
func (t *wtx) hashPending(ctx context.Context, h *chainHead, pending int64) error {
	rows, err := t.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE seq > ? AND seq <= ? ORDER BY seq`, h.seq, pending)
	if err != nil {
		return err
	}
	var events []*admit.Event
	for rows.Next() {
		e, err := rowscan.Event(rows)
		if err != nil {
			rows.Close()
			return err
		}
		events = append(events, e)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	key := t.audit.keyBytes()
	for _, e := range events {
		if e.Seq != h.seq+1 || e.Hash != nil {
			return fmt.Errorf("sqlite: audit entry %d written before the chain is missing or already hashed", h.seq+1)
		}
		e.PrevHash = h.hash
		e.Hash = admit.ChainHash(key, e.PrevHash, e)
		if _, err := t.ExecContext(ctx, `UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?`, e.PrevHash, e.Hash, e.ID); err != nil {
			return err
		}
		h.seq, h.hash = e.Seq, e.Hash
	}
	if h.seq != pending {
		return fmt.Errorf("sqlite: audit entries %d to %d written before the chain are missing", h.seq+1, pending)
	}
	h.dirty = true
	return nil
}

// appendEvent makes e the chain's next link, setting e's ID, Seq, PrevHash
// and Hash, and queues it for the group's flush. e.At must be set; e must
// not change until the group commits.
func (t *wtx) appendEvent(ctx context.Context, e *admit.Event) error {
	if err := t.loadHead(ctx); err != nil {
		return err
	}
	e.ID, e.Seq, e.PrevHash = t.head.lastID+1, t.head.seq+1, t.head.hash
	e.Hash = admit.ChainHash(t.audit.keyBytes(), e.PrevHash, e)
	t.events = append(t.events, e)
	t.head.lastID, t.head.seq, t.head.hash, t.head.queued = e.ID, e.Seq, e.Hash, len(t.events)
	return nil
}

// restoreHead undoes the appends of a failed operation: h is the head from
// before it.
func (t *wtx) restoreHead(h chainHead) {
	if !h.loaded {
		h = chainHead{} // the operation loaded the head; load it again next time
	}
	clear(t.events[h.queued:])
	t.events = t.events[:h.queued]
	t.head = h
}

// flushEvents inserts the group's queued entries and writes the head back
// to audit_head, before the commit.
func (t *wtx) flushEvents(ctx context.Context) error {
	if len(t.events) == 0 && !t.head.dirty {
		return nil
	}
	for rest := t.events; len(rest) > 0; {
		n := 1
		for _, size := range []int{64, 16, 4} {
			if len(rest) >= size {
				n = size
				break
			}
		}
		args := make([]any, 0, n*11)
		for _, e := range rest[:n] {
			args = append(args, e.ID, nanos(e.At), e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail, e.Seq, e.PrevHash, e.Hash)
		}
		if _, err := t.ExecContext(ctx, insertEvents(n), args...); err != nil {
			return err
		}
		rest = rest[n:]
	}
	mac := admit.HeadMAC(t.audit.keyBytes(), t.head.seq, t.head.hash)
	_, err := t.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ?, mac = ?, pending = 0 WHERE id = 1`, t.head.seq, t.head.hash, mac)
	return err
}

// insertEvents returns the INSERT of n events.
func insertEvents(n int) string {
	q := `INSERT INTO events (id, at, account_id, actor, action, target, source, outcome, detail, seq, prev_hash, hash) VALUES `
	for i := range n {
		if i > 0 {
			q += `, `
		}
		q += `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	return q
}

// appendJoinEvent appends the audit entry of a join attempt (see
// admit.JoinEvent) in the attempt's write.
func (t *wtx) appendJoinEvent(ctx context.Context, a *admit.Attempt, participantID string) error {
	ref, err := t.meetingRef(ctx, a.MeetingPK, a.OccurrencePK)
	if err != nil {
		return err
	}
	return t.appendEvent(ctx, admit.JoinEvent(a, participantID, ref.accountID, ref.id))
}

// meetingRef returns the public id and account of the meeting with the pk
// (or, with pk 0, of the occurrence's meeting); nothing when neither is
// known.
func (t *wtx) meetingRef(ctx context.Context, pk, occurrencePK int64) (meetingRef, error) {
	if pk == 0 && occurrencePK == 0 {
		return meetingRef{}, nil
	}
	if ref, ok := t.audit.meetings[pk]; ok && pk != 0 {
		return ref, nil
	}
	var ref meetingRef
	var err error
	if pk != 0 {
		err = t.QueryRowContext(ctx, `SELECT id, account_id FROM meetings WHERE pk = ?`, pk).Scan(&ref.id, &ref.accountID)
	} else {
		err = t.QueryRowContext(ctx, `SELECT m.pk, m.id, m.account_id FROM occurrences o
			JOIN meetings m ON m.pk = o.meeting_pk WHERE o.pk = ?`, occurrencePK).Scan(&pk, &ref.id, &ref.accountID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return meetingRef{}, nil
	} else if err != nil {
		return meetingRef{}, err
	}
	if len(t.audit.meetings) >= maxMeetingRefs {
		clear(t.audit.meetings)
	}
	t.audit.meetings[pk] = ref
	return ref, nil
}
