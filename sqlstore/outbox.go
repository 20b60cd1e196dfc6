package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

var _ admit.OutboxStore = (*Shared)(nil)

const outboxColumns = `id, message_id, account_id, meeting_id, invitee_id, occurrence, kind, recipient, payload,
	state, attempts, last_error, next_attempt_at, lease_owner, lease_until, created_at, sent_at`

func scanOutbox(row rowscan.Scanner) (*admit.OutboxMessage, error) {
	var m admit.OutboxMessage
	var kind, state string
	var next, sent *int64
	var leaseUntil, created int64
	if err := row.Scan(&m.ID, &m.MessageID, &m.AccountID, &m.MeetingID, &m.InviteeID, &m.Occurrence, &kind, &m.To,
		&m.Payload, &state, &m.Attempts, &m.LastError, &next, &m.LeaseOwner, &leaseUntil, &created, &sent); err != nil {
		return nil, err
	}
	m.Kind, m.State = admit.OutboxKind(kind), admit.OutboxState(state)
	m.NextAttemptAt, m.SentAt, m.CreatedAt = FromNullNanos(next), PtrFromNanos(sent), FromNanos(created)
	if leaseUntil != 0 {
		m.LeaseUntil = FromNanos(leaseUntil)
	}
	return &m, nil
}

// checkOutbox refuses messages without a Message-ID, a recipient or a kind.
func checkOutbox(msgs []*admit.OutboxMessage) error {
	for _, m := range msgs {
		if m.MessageID == "" || m.To == "" || !m.Kind.Valid() {
			return admit.FieldErrorf("outbox", "an outbox message needs a Message-ID, a recipient and a kind")
		}
	}
	return nil
}

// enqueueOutbox inserts msgs (checked by checkOutbox) in q, a transaction,
// and returns their IDs (0 for a reminder already enqueued), for
// applyEnqueued once the transaction is committed.
func enqueueOutbox(ctx context.Context, q Querier, now time.Time, msgs []*admit.OutboxMessage) ([]int64, error) {
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		err := q.QueryRow(ctx, `INSERT INTO outbox (message_id, account_id, meeting_id, invitee_id, occurrence,
			kind, recipient, payload, state, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			m.MessageID, m.AccountID, m.MeetingID, m.InviteeID, m.Occurrence, string(m.Kind), m.To, m.Payload,
			Nanos(now), Nanos(now)).Scan(&ids[i])
		if err != nil && !q.NoRows(err) {
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
func (s *Shared) EnqueueOutbox(ctx context.Context, now time.Time, msgs ...*admit.OutboxMessage) error {
	return s.withOutbox(ctx, Write{}, now, msgs, nil)
}

// withOutbox runs do (if any) and enqueues msgs in one write at now (UTC),
// then sets on msgs what EnqueueOutbox promises.
func (s *Shared) withOutbox(ctx context.Context, w Write, now time.Time, msgs []*admit.OutboxMessage, do func(ctx context.Context, q Querier) error) error {
	if err := checkOutbox(msgs); err != nil {
		return err
	}
	now = now.UTC()
	var ids []int64
	err := s.Write(ctx, w, func(ctx context.Context, q Querier) (err error) {
		if do != nil {
			if err := do(ctx, q); err != nil {
				return err
			}
		}
		ids, err = enqueueOutbox(ctx, q, now, msgs)
		return err
	})
	if err != nil {
		return err
	}
	applyEnqueued(msgs, ids, now)
	return nil
}

// ClaimOutbox implements admit.OutboxStore: with SkipLocked, claims made at
// once on several nodes take different messages.
func (s *Shared) ClaimOutbox(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]*admit.OutboxMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []*admit.OutboxMessage
	err := s.Write(ctx, Write{}, func(ctx context.Context, q Querier) (err error) {
		out, err = QueryAll(ctx, q, scanOutbox, `UPDATE outbox SET lease_owner = ?, lease_until = ?
			WHERE id IN (SELECT id FROM outbox WHERE state <> 'sent' AND next_attempt_at IS NOT NULL
				AND next_attempt_at <= ? AND (lease_owner = '' OR lease_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ? `+s.SkipLocked+`)
			RETURNING `+outboxColumns, node, Nanos(now.Add(lease)), Nanos(now), Nanos(now), limit)
		return err
	})
	return out, err
}

// leased runs an update of a message leased to node, and tells ECONFLICT
// (another node holds it) from ENOTFOUND when it changes nothing.
func (s *Shared) leased(ctx context.Context, id int64, query string, args ...any) error {
	return s.Write(ctx, Write{}, func(ctx context.Context, q Querier) error {
		n, err := q.Exec(ctx, query, args...)
		if err != nil || n > 0 {
			return err
		}
		if err := q.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return NotFound("outbox message")
		}
		return admit.Errorf(admit.ECONFLICT, "outbox message %d is leased to another node", id)
	})
}

// MarkOutboxSent implements admit.OutboxStore.
func (s *Shared) MarkOutboxSent(ctx context.Context, id int64, node string, now time.Time) error {
	return s.leased(ctx, id, `UPDATE outbox SET state = 'sent', sent_at = ?, next_attempt_at = NULL,
		lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`, Nanos(now), id, node)
}

// MarkOutboxFailed implements admit.OutboxStore.
func (s *Shared) MarkOutboxFailed(ctx context.Context, id int64, node string, answer string, next time.Time) error {
	return s.leased(ctx, id, `UPDATE outbox SET state = 'failing', attempts = attempts + 1, last_error = ?,
		next_attempt_at = ?, lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`,
		answer, NullNanos(next), id, node)
}

// ResendOutbox implements admit.OutboxStore.
func (s *Shared) ResendOutbox(ctx context.Context, accountID, id int64, now time.Time) error {
	return s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		n, err := q.Exec(ctx, `UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?,
			sent_at = NULL, lease_owner = '', lease_until = 0 WHERE id = ? AND account_id = ?`, Nanos(now), id, accountID)
		if err == nil && n == 0 {
			err = NotFound("outbox message")
		}
		return err
	})
}

// FindOutbox implements admit.OutboxStore.
func (s *Shared) FindOutbox(ctx context.Context, f admit.OutboxFilter) ([]*admit.OutboxMessage, error) {
	where, args := []string{"account_id = ?"}, []any{f.AccountID}
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
	return QueryAll(ctx, s.Read, scanOutbox, `SELECT `+outboxColumns+` FROM outbox WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
}

var _ admit.ReminderStore = (*Shared)(nil)

// FindStartingOccurrences implements admit.ReminderStore. The lead of
// each occurrence is admit.EffectiveReminderLead's, in SQL.
func (s *Shared) FindStartingOccurrences(ctx context.Context, from time.Time, defaultLead time.Duration, limit int) ([]admit.OccurrenceRef, error) {
	if limit <= 0 {
		limit = 1000
	}
	horizon := max(defaultLead, admit.MaxReminderLead)
	return QueryAll(ctx, s.Read, func(row rowscan.Scanner) (admit.OccurrenceRef, error) {
		var r admit.OccurrenceRef
		var start, meetingLead, accountLead int64
		err := row.Scan(&r.AccountID, &r.MeetingID, &r.Index, &start, &meetingLead, &accountLead)
		r.Start, r.MeetingLead, r.AccountLead = FromNanos(start), time.Duration(meetingLead), time.Duration(accountLead)
		return r, err
	}, `SELECT m.account_id, m.id, o.idx, o.starts_at, m.reminder_lead, COALESCE(am.reminder_lead, 0)
		FROM occurrences o JOIN meetings m ON m.pk = o.meeting_pk
			LEFT JOIN account_mail am ON am.account_id = m.account_id
		WHERE o.starts_at >= ? AND o.starts_at < ? AND o.ended_at IS NULL AND o.removed_at IS NULL
			AND m.deleted_at IS NULL
			AND o.starts_at < ? + CASE WHEN m.reminder_lead > 0 THEN m.reminder_lead
				WHEN COALESCE(am.reminder_lead, 0) > 0 THEN am.reminder_lead ELSE ? END
		ORDER BY o.starts_at, o.pk LIMIT ?`, Nanos(from), Nanos(from.Add(horizon)), Nanos(from), int64(defaultLead), limit)
}
