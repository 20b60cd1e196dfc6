package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// LoadDirectory returns every identifier a join may present (one meeting's
// with meetingPK != 0), read in one snapshot.
func (db *DB) LoadDirectory(ctx context.Context, meetingPK int64, now time.Time) (*admit.Directory, error) {
	tx, err := db.rdb.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d := &admit.Directory{}
	// ?1 = 0 selects every meeting.
	rows, err := tx.QueryContext(ctx, `SELECT pk, number FROM meetings
		WHERE deleted_at IS NULL AND (?1 = 0 OR pk = ?1)`, meetingPK)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m admit.DirMeeting
		if err := rows.Scan(&m.PK, &m.Number); err != nil {
			rows.Close()
			return nil, err
		}
		d.Meetings = append(d.Meetings, m)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT idx, meeting_pk, COALESCE(occurrence_pk, 0), occurrence_idx,
		reserved_from, reserved_until, revoked_at IS NOT NULL
		FROM access_codes WHERE reserved_until > ?2 AND (?1 = 0 OR meeting_pk = ?1)`, meetingPK, sqlstore.Nanos(now))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c admit.DirCode
		var from, until int64
		if err := rows.Scan(&c.Index, &c.MeetingPK, &c.OccurrencePK, &c.Occurrence, &from, &until, &c.Revoked); err != nil {
			rows.Close()
			return nil, err
		}
		c.From, c.Until = sqlstore.FromNanos(from), sqlstore.FromNanos(until)
		d.Codes = append(d.Codes, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT i.token_index, i.meeting_pk, i.pk, i.id, i.name
		FROM invitees i JOIN meetings m ON m.pk = i.meeting_pk
		WHERE i.token_index IS NOT NULL AND m.deleted_at IS NULL AND (?1 = 0 OR i.meeting_pk = ?1)`, meetingPK)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t admit.DirToken
		if err := rows.Scan(&t.Index, &t.MeetingPK, &t.InviteePK, &t.InviteeID, &t.Name); err != nil {
			rows.Close()
			return nil, err
		}
		d.Tokens = append(d.Tokens, t)
	}
	return d, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
