package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

var _ admit.OutboxStore = (*DB)(nil)

const outboxColumns = `id, message_id, account_id, meeting_id, invitee_id, occurrence, kind, recipient, payload,
	state, attempts, last_error, next_attempt_at, lease_owner, lease_until, created_at, sent_at`

func scanOutbox(row interface{ Scan(...any) error }) (*admit.OutboxMessage, error) {
	var m admit.OutboxMessage
	var kind, state string
	var next, sent sql.NullInt64
	var leaseUntil, created int64
	if err := row.Scan(&m.ID, &m.MessageID, &m.AccountID, &m.MeetingID, &m.InviteeID, &m.Occurrence, &kind, &m.To,
		&m.Payload, &state, &m.Attempts, &m.LastError, &next, &m.LeaseOwner, &leaseUntil, &created, &sent); err != nil {
		return nil, err
	}
	m.Kind, m.State = admit.OutboxKind(kind), admit.OutboxState(state)
	m.NextAttemptAt, m.SentAt, m.CreatedAt = fromNullNanos(next), ptrFromNanos(sent), fromNanos(created)
	if leaseUntil != 0 {
		m.LeaseUntil = fromNanos(leaseUntil)
	}
	return &m, nil
}

func checkOutbox(msgs []*admit.OutboxMessage) error {
	for _, m := range msgs {
		if m.MessageID == "" || m.To == "" || !m.Kind.Valid() {
			return admit.FieldErrorf("outbox", "an outbox message needs a Message-ID, a recipient and a kind")
		}
	}
	return nil
}

// enqueueOutbox inserts msgs in tx and returns their IDs (0 for a reminder
// already enqueued).
func enqueueOutbox(ctx context.Context, tx querier, now time.Time, msgs []*admit.OutboxMessage) ([]int64, error) {
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		err := tx.QueryRowContext(ctx, `INSERT INTO outbox (message_id, account_id, meeting_id, invitee_id, occurrence,
			kind, recipient, payload, state, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			m.MessageID, m.AccountID, m.MeetingID, m.InviteeID, m.Occurrence, string(m.Kind), m.To, m.Payload,
			nanos(now), nanos(now)).Scan(&ids[i])
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// applyEnqueued sets what EnqueueOutbox promises on msgs, once committed.
func applyEnqueued(msgs []*admit.OutboxMessage, ids []int64, now time.Time) {
	for i, m := range msgs {
		if ids[i] == 0 {
			continue
		}
		m.ID, m.CreatedAt, m.State, m.NextAttemptAt = ids[i], now, admit.OutboxQueued, now
	}
}

// EnqueueOutbox implements admit.OutboxStore.
func (db *DB) EnqueueOutbox(ctx context.Context, now time.Time, msgs ...*admit.OutboxMessage) error {
	if err := checkOutbox(msgs); err != nil {
		return err
	}
	now = now.UTC()
	var ids []int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) (err error) {
		ids, err = enqueueOutbox(ctx, tx, now, msgs)
		return err
	})
	if err != nil {
		return err
	}
	applyEnqueued(msgs, ids, now)
	return nil
}

// ClaimOutbox implements admit.OutboxStore. The single writer makes two
// claims one after the other.
func (db *DB) ClaimOutbox(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]*admit.OutboxMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []*admit.OutboxMessage
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET lease_owner = ?, lease_until = ?
			WHERE id IN (SELECT id FROM outbox WHERE state <> 'sent' AND next_attempt_at IS NOT NULL
				AND next_attempt_at <= ? AND (lease_owner = '' OR lease_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING `+outboxColumns, node, nanos(now.Add(lease)), nanos(now), nanos(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// leaseLost tells ECONFLICT (another node holds it) from ENOTFOUND.
func leaseLost(ctx context.Context, tx querier, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return notFound("outbox message")
	}
	return admit.Errorf(admit.ECONFLICT, "outbox message %d is leased to another node", id)
}

// MarkOutboxSent implements admit.OutboxStore.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, node string, now time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, next_attempt_at = NULL,
			lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`, nanos(now), id, node)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return leaseLost(ctx, tx, id)
		}
		return nil
	})
}

// MarkOutboxFailed implements admit.OutboxStore.
func (db *DB) MarkOutboxFailed(ctx context.Context, id int64, node string, answer string, next time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failing', attempts = attempts + 1, last_error = ?,
			next_attempt_at = ?, lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`,
			answer, nullNanos(next), id, node)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return leaseLost(ctx, tx, id)
		}
		return nil
	})
}

// ResendOutbox implements admit.OutboxStore.
func (db *DB) ResendOutbox(ctx context.Context, accountID, id int64, now time.Time) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?,
			sent_at = NULL, lease_owner = '', lease_until = 0 WHERE id = ? AND account_id = ?`, nanos(now), id, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("outbox message")
		}
		return nil
	})
}

// FindOutbox implements admit.OutboxStore.
func (db *DB) FindOutbox(ctx context.Context, f admit.OutboxFilter) ([]*admit.OutboxMessage, error) {
	where := []string{"account_id = ?"}
	args := []any{f.AccountID}
	if f.MeetingID != "" {
		where, args = append(where, "meeting_id = ?"), append(args, f.MeetingID)
	}
	if f.InviteeID != "" {
		where, args = append(where, "invitee_id = ?"), append(args, f.InviteeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	args = append(args, limit)
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*admit.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

var _ admit.OutboxSaver = (*DB)(nil)

// SaveMeetingWithOutbox implements admit.OutboxSaver: SaveMeeting and the
// messages in one savepoint of the writer's group commit.
func (db *DB) SaveMeetingWithOutbox(ctx context.Context, m *admit.Meeting, now time.Time, msgs []*admit.OutboxMessage) error {
	if err := checkOutbox(msgs); err != nil {
		return err
	}
	now = now.UTC()
	var s *meetingSave
	var ids []int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		s = &meetingSave{tx: tx, now: now, m: m}
		if err := s.save(ctx); err != nil {
			return err
		}
		var err error
		ids, err = enqueueOutbox(ctx, tx, now, msgs)
		return err
	})
	if err != nil {
		return err
	}
	for _, set := range s.apply {
		set()
	}
	applyEnqueued(msgs, ids, now)
	return nil
}

// DeleteMeetingWithOutbox implements admit.OutboxSaver.
func (db *DB) DeleteMeetingWithOutbox(ctx context.Context, meetingPK int64, now time.Time, msgs []*admit.OutboxMessage) error {
	if err := checkOutbox(msgs); err != nil {
		return err
	}
	now = now.UTC()
	var ids []int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := deleteMeeting(ctx, tx, meetingPK, now); err != nil {
			return err
		}
		var err error
		ids, err = enqueueOutbox(ctx, tx, now, msgs)
		return err
	})
	if err != nil {
		return err
	}
	applyEnqueued(msgs, ids, now)
	return nil
}

var _ admit.ReminderStore = (*DB)(nil)

// FindStartingOccurrences implements admit.ReminderStore. The lead of
// each occurrence is admit.EffectiveReminderLead's, in SQL.
func (db *DB) FindStartingOccurrences(ctx context.Context, from time.Time, defaultLead time.Duration, limit int) ([]admit.OccurrenceRef, error) {
	if limit <= 0 {
		limit = 1000
	}
	horizon := max(defaultLead, admit.MaxReminderLead)
	rows, err := db.rdb.QueryContext(ctx, `SELECT m.account_id, m.id, o.idx, o.starts_at, m.reminder_lead, COALESCE(am.reminder_lead, 0)
		FROM occurrences o JOIN meetings m ON m.pk = o.meeting_pk
			LEFT JOIN account_mail am ON am.account_id = m.account_id
		WHERE o.starts_at >= ? AND o.starts_at < ? AND o.ended_at IS NULL AND o.removed_at IS NULL
			AND m.deleted_at IS NULL
			AND o.starts_at < ? + CASE WHEN m.reminder_lead > 0 THEN m.reminder_lead
				WHEN COALESCE(am.reminder_lead, 0) > 0 THEN am.reminder_lead ELSE ? END
		ORDER BY o.starts_at, o.pk LIMIT ?`, nanos(from), nanos(from.Add(horizon)), nanos(from), int64(defaultLead), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []admit.OccurrenceRef
	for rows.Next() {
		var r admit.OccurrenceRef
		var start, meetingLead, accountLead int64
		if err := rows.Scan(&r.AccountID, &r.MeetingID, &r.Index, &start, &meetingLead, &accountLead); err != nil {
			return nil, err
		}
		r.Start, r.MeetingLead, r.AccountLead = fromNanos(start), time.Duration(meetingLead), time.Duration(accountLead)
		out = append(out, r)
	}
	return out, rows.Err()
}
