package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// The outbox is sqlstore.Shared's; what is here saves or deletes a
// meeting and enqueues its messages in one transaction.

var _ admit.OutboxSaver = (*DB)(nil)

// SaveMeetingWithOutbox implements admit.OutboxSaver: SaveMeeting and the
// messages in one transaction.
func (db *DB) SaveMeetingWithOutbox(ctx context.Context, m *admit.Meeting, now time.Time, msgs []*admit.OutboxMessage) error {
	if err := sqlstore.CheckOutbox(msgs); err != nil {
		return err
	}
	now = now.UTC()
	var s *meetingSave
	var ids []int64
	err := db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		s = &meetingSave{tx: tx, now: now, m: m}
		if err := s.save(ctx); err != nil {
			return err
		}
		var err error
		ids, err = sqlstore.EnqueueOutbox(ctx, sq(tx), now, msgs)
		return err
	})
	if err != nil {
		return err
	}
	for _, set := range s.apply {
		set()
	}
	sqlstore.ApplyEnqueued(msgs, ids, now)
	return nil
}

// DeleteMeetingWithOutbox implements admit.OutboxSaver.
func (db *DB) DeleteMeetingWithOutbox(ctx context.Context, meetingPK int64, now time.Time, msgs []*admit.OutboxMessage) error {
	if err := sqlstore.CheckOutbox(msgs); err != nil {
		return err
	}
	now = now.UTC()
	var ids []int64
	err := db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		if err := deleteMeeting(ctx, tx, meetingPK, now); err != nil {
			return err
		}
		var err error
		ids, err = sqlstore.EnqueueOutbox(ctx, sq(tx), now, msgs)
		return err
	})
	if err != nil {
		return err
	}
	sqlstore.ApplyEnqueued(msgs, ids, now)
	return nil
}
