package sqlite

import (
	"context"
	"database/sql"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

// Lookups of whole meetings are sqlstore.Shared's; FindMeetings, with
// SQLite's numbered placeholders, is here.

// scanMeeting reads a row of sqlstore.MeetingColumns. ENOTFOUND.
func scanMeeting(row rowscan.Scanner) (*admit.Meeting, error) {
	m, err := sqlstore.ScanMeeting(row)
	return orNotFound(m, err, "meeting")
}

// FindMeetings lists meetings, whole, that match f, ordered by their first
// matching occurrence's start (personal rooms, which match any range, first).
func (db *DB) FindMeetings(ctx context.Context, f admit.MeetingFilter) ([]*admit.Meeting, error) {
	from, to := sqlstore.NullNanos(f.From), sqlstore.NullNanos(f.To)
	q := `SELECT m.pk, (SELECT MIN(o.starts_at) FROM occurrences o
			WHERE o.meeting_pk = m.pk AND o.removed_at IS NULL
			  AND (?1 IS NULL OR o.ends_at > ?1) AND (?2 IS NULL OR o.starts_at < ?2)) AS first
		FROM meetings m
		WHERE m.account_id = ?3 AND m.deleted_at IS NULL AND (?4 = 0 OR m.host_id = ?4)
		  AND (m.kind = 'personal' OR first IS NOT NULL OR (?1 IS NULL AND ?2 IS NULL))
		ORDER BY COALESCE(first, 0), m.pk`
	args := []any{from, to, f.AccountID, f.HostID}
	if f.Limit > 0 {
		q += ` LIMIT ?5`
		args = append(args, f.Limit)
	}
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var pks []int64
	for rows.Next() {
		var pk int64
		var first sql.NullInt64
		if err := rows.Scan(&pk, &first); err != nil {
			rows.Close()
			return nil, err
		}
		pks = append(pks, pk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	meetings := make([]*admit.Meeting, 0, len(pks))
	for _, pk := range pks {
		m, err := sqlstore.FindWholeMeeting(ctx, db.Read, `m.pk = ?`, pk)
		if admit.ErrorCode(err) == admit.ENOTFOUND {
			continue // deleted meanwhile
		} else if err != nil {
			return nil, err
		}
		meetings = append(meetings, m)
	}
	return meetings, nil
}
