package sqlite

import (
	"context"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

var _ admit.OutboxSaver = (*DB)(nil)

// Saving meetings is sqlstore.Shared's (SaveMeeting, DeleteMeeting,
// EndOccurrence, OpenPersonalOccurrence, …); meetingSQL is what SQLite
// runs its own way.
var meetingSQL = sqlstore.MeetingSQL{
	// SQLite has no LEAST; its MIN of two arguments is it.
	Least: "MIN",
	// The one writer checks the number in the numbers table before the
	// insert, so that a constraint the insert violates is not the number's
	// and stays as it is; an update that violates one takes another's
	// number.
	NumberTaken: func(err error, insert bool) bool { return !insert && isConstraint(err) },
	// The triggers access_codes_no_overlap_insert and _update raise a
	// constraint violation.
	CodeTaken: isConstraint,
	// The one writer runs OpenPersonalOccurrence's transactions one after
	// the other: no lock.
	LastOccurrence: func(ctx context.Context, q sqlstore.Querier, meetingPK int64) (int, error) {
		return sqlstore.QueryOne(ctx, q, rowscan.Int, "meeting", `SELECT COALESCE((SELECT MAX(idx) FROM occurrences WHERE meeting_pk = m.pk), 0)
			FROM meetings m WHERE m.pk = ? AND m.deleted_at IS NULL`, meetingPK)
	},
}

// deleteMeeting is DeleteMeeting within tx.
func deleteMeeting(ctx context.Context, tx *wtx, meetingPK int64, now time.Time) error {
	return sqlstore.DeleteMeeting(ctx, sq(tx), meetingPK, now)
}
