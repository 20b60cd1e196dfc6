package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

// findJoinMeeting returns the live meeting selected by where, without
// occurrences or invitees; its shared passcodes hold Index only.
func (db *DB) findJoinMeeting(ctx context.Context, where string, arg any) (*admit.Meeting, error) {
	row := db.rdb.QueryRowContext(ctx, `SELECT `+sqlstore.MeetingColumns+`,
		(SELECT idx FROM credentials WHERE meeting_pk = m.pk AND kind = 'passcode' AND invitee_pk IS NULL),
		(SELECT idx FROM credentials WHERE meeting_pk = m.pk AND kind = 'phone_passcode' AND invitee_pk IS NULL)
		FROM meetings m WHERE m.deleted_at IS NULL AND `+where, arg)
	var pass, phone []byte
	m, err := scanMeeting(scanExtra{row, []any{&pass, &phone}})
	if err != nil {
		return nil, err
	}
	rowscan.PasscodeIndex(m, admit.CredPasscode, pass)
	rowscan.PasscodeIndex(m, admit.CredPhonePasscode, phone)
	return m, nil
}

// scanExtra scans a row into the destinations its caller gives, followed by
// extra ones.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// FindJoinMeetingByPK returns the live meeting with the primary key,
// without occurrences or invitees (the Passcode fields hold Index only).
// ENOTFOUND.
func (db *DB) FindJoinMeetingByPK(ctx context.Context, pk int64) (*admit.Meeting, error) {
	return db.findJoinMeeting(ctx, `m.pk = ?`, pk)
}

// FindOccurrence returns an occurrence by primary key (even one since
// removed from its meeting, so that its roster stays readable), with
// MeetingPK and its current access code. ENOTFOUND.
func (db *DB) FindOccurrence(ctx context.Context, pk int64) (*admit.Occurrence, error) {
	o, err := rowscan.Occurrence(db.rdb.QueryRowContext(ctx, `SELECT `+sqlstore.OccurrenceColumns+` FROM occurrences o
		LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL
		WHERE o.pk = ?`, pk))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("occurrence")
	}
	return o, err
}
