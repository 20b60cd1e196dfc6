package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

var _ admit.OutboxSaver = (*DB)(nil)

// meetingSQL is what PostgreSQL runs its own way when saving and reading
// meetings, which is sqlstore.Shared's (SaveMeeting, DeleteMeeting,
// EndOccurrence, OpenPersonalOccurrence, FindMeetingByID, …).
func (db *DB) meetingSQL() sqlstore.MeetingSQL {
	return sqlstore.MeetingSQL{
		Least: "LEAST",
		// The meeting's budget row exists from the start, so that its first
		// refused guess updates a row as every refusal does (see
		// dummyBudgets): an insert would take longer, and tell a real
		// meeting from an unknown one by time.
		Created:     `INSERT INTO meeting_budgets (meeting_pk) VALUES (?) ON CONFLICT DO NOTHING`,
		NumberTaken: func(err error, _ bool) bool { return isUnique(err, "meetings_number_key") },
		// The exclusion constraint refuses a reservation that overlaps
		// another of the same code, committed or not (an uncommitted one
		// makes it wait).
		CodeTaken:      isOverlap,
		LockOccurrence: "FOR NO KEY UPDATE OF o",
		// The meeting's row is locked till the transaction ends, so that
		// two nodes opening the room at once open one occurrence.
		LastOccurrence: func(ctx context.Context, q sqlstore.Querier, meetingPK int64) (int, error) {
			_, err := sqlstore.QueryOne(ctx, q, rowscan.Int, "meeting",
				`SELECT 1 FROM meetings WHERE pk = ? AND deleted_at IS NULL FOR NO KEY UPDATE`, meetingPK)
			if err != nil {
				return 0, err
			}
			return sqlstore.QueryOne(ctx, q, rowscan.Int, "meeting",
				`SELECT COALESCE(MAX(idx), 0) FROM occurrences WHERE meeting_pk = ?`, meetingPK)
		},
		// A whole meeting is read in one snapshot.
		Snapshot: func(ctx context.Context, fn func(q sqlstore.Querier) error) error {
			return db.read(ctx, func(tx pgx.Tx) error { return fn(sq(tx)) })
		},
	}
}

// deleteMeeting is DeleteMeeting within tx.
func deleteMeeting(ctx context.Context, tx pgx.Tx, meetingPK int64, now time.Time) error {
	return sqlstore.DeleteMeeting(ctx, sq(tx), meetingPK, now)
}
