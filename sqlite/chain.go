package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// Audit entries are written by the writer, in the transaction of the change
// they record, with no place in the audit log's tree (seq and leaf_hash
// NULL): the integrator (package translog, through AuditLog) places them,
// once a second. An append costs no statement of its own: the writer gives
// the entry its id in Go and queues it, and inserts the group's entries with
// a few multi-row INSERTs just before the commit, so a refused join under
// attack stays one INSERT (its attempt). An operation that fails drops its
// queued entries; a failed flush fails the group, so nothing acknowledged
// is lost.

// SetAuditKey is kept for the callers of the old hash chain, which no
// longer hashes anything: the audit log's checkpoints are signed by its own
// key (translog.Signer). It does nothing.
func (db *DB) SetAuditKey(ctx context.Context, key []byte) error { return nil }

// auditState is what the writer keeps for audit entries between groups.
type auditState struct {
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

// chainHead is where a group's appends stand: the greatest events.id,
// loaded on the group's first append, and how many entries are queued.
type chainHead struct {
	loaded bool
	lastID int64 // the greatest events.id
	queued int   // len(wtx.events) at this head
}

// loadHead reads the greatest events.id for the transaction.
func (t *wtx) loadHead(ctx context.Context) error {
	if t.head.loaded {
		return nil
	}
	var h chainHead
	if err := t.QueryRowContext(ctx, `SELECT ifnull(max(id), 0) FROM events`).Scan(&h.lastID); err != nil {
		return fmt.Errorf("sqlite: audit entries: %w", err)
	}
	h.loaded = true
	t.head = h
	return nil
}

// appendEvent gives e its ID (its Seq stays 0 until the integrator places
// it) and queues it for the group's flush. e.At must be set; e must not
// change until the group commits.
func (t *wtx) appendEvent(ctx context.Context, e *admit.Event) error {
	if err := t.loadHead(ctx); err != nil {
		return err
	}
	e.ID, e.Seq, e.PrevHash, e.Hash = t.head.lastID+1, 0, nil, nil
	t.events = append(t.events, e)
	t.head.lastID, t.head.queued = e.ID, len(t.events)
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

// flushEvents inserts the group's queued entries before the commit.
func (t *wtx) flushEvents(ctx context.Context) error {
	for rest := t.events; len(rest) > 0; {
		n := 1
		for _, size := range []int{64, 16, 4} {
			if len(rest) >= size {
				n = size
				break
			}
		}
		args := make([]any, 0, n*9)
		for _, e := range rest[:n] {
			args = append(args, e.ID, sqlstore.Nanos(e.At), e.AccountID, e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail)
		}
		if _, err := t.ExecContext(ctx, insertEvents(n), args...); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

// insertEvents returns the INSERT of n events.
func insertEvents(n int) string {
	q := `INSERT INTO events (id, at, account_id, actor, action, target, source, outcome, detail) VALUES `
	for i := range n {
		if i > 0 {
			q += `, `
		}
		q += `(?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	return q
}

// appendJoinEvent appends the audit entry of a join attempt (see
// admit.JoinEvent) in the attempt's write.
func (t *wtx) appendJoinEvent(ctx context.Context, a *admit.Attempt, participantID string) error {
	if a.MeetingID != "" {
		return t.appendEvent(ctx, admit.JoinEvent(a, participantID, a.AccountID, a.MeetingID))
	}
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
