package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/admit-project/admit"
)

// findJoinMeeting returns the live meeting selected by where, without
// occurrences or invitees; its shared passcodes hold Index only.
func (db *DB) findJoinMeeting(ctx context.Context, where string, arg any) (*admit.Meeting, error) {
	row := db.rdb.QueryRowContext(ctx, `SELECT `+meetingColumns+`,
		(SELECT idx FROM credentials WHERE meeting_pk = m.pk AND kind = 'passcode' AND invitee_pk IS NULL),
		(SELECT idx FROM credentials WHERE meeting_pk = m.pk AND kind = 'phone_passcode' AND invitee_pk IS NULL)
		FROM meetings m WHERE m.deleted_at IS NULL AND `+where, arg)
	var pass, phone []byte
	m, err := scanMeeting(scanExtra{row, []any{&pass, &phone}})
	if err != nil {
		return nil, err
	}
	if pass != nil {
		m.Passcode = &admit.Secret{Index: pass}
	}
	if phone != nil {
		m.PhonePasscode = &admit.Secret{Index: phone}
	}
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

// FindAccessCode returns the access code with the index whose reservation
// holds now, with its occurrence. A revoked code is returned with Revoked
// set; when its occurrence was since removed, Occurrence holds only
// MeetingPK and Index. ENOTFOUND.
func (db *DB) FindAccessCode(ctx context.Context, index []byte, now time.Time) (*admit.AccessCodeMatch, error) {
	n := nanos(now)
	var meetingPK int64
	var occIdx int
	var occPK sql.NullInt64
	var revoked sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT c.meeting_pk, c.occurrence_idx, c.occurrence_pk, c.revoked_at
		FROM access_codes c WHERE c.idx = ? AND c.reserved_from <= ? AND c.reserved_until > ?
		ORDER BY c.reserved_from DESC LIMIT 1`, index, n, n).Scan(&meetingPK, &occIdx, &occPK, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("access code")
	} else if err != nil {
		return nil, err
	}
	match := &admit.AccessCodeMatch{Revoked: revoked.Valid}
	if occPK.Valid {
		occs, err := findOccurrences(ctx, db.rdb, `o.pk = ?`, occPK.Int64)
		if err != nil {
			return nil, err
		}
		if len(occs) == 1 {
			match.Occurrence = occs[0]
		}
	}
	if match.Occurrence == nil {
		match.Occurrence, match.Revoked = &admit.Occurrence{MeetingPK: meetingPK, Index: occIdx}, true
	}
	return match, nil
}

// FindInviteeByToken returns the invitee of a live meeting whose link token
// has the index (Token and other secrets not filled). ENOTFOUND.
func (db *DB) FindInviteeByToken(ctx context.Context, index []byte) (*admit.Invitee, error) {
	var inv admit.Invitee
	var contact sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT i.pk, i.id, i.meeting_pk, i.contact_id, i.name, i.email, i.phone
		FROM invitees i JOIN meetings m ON m.pk = i.meeting_pk
		WHERE i.token_index = ? AND m.deleted_at IS NULL`, index).
		Scan(&inv.PK, &inv.ID, &inv.MeetingPK, &contact, &inv.Name, &inv.Email, &inv.Phone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("invitee")
	} else if err != nil {
		return nil, err
	}
	if contact.Valid {
		inv.ContactID = &contact.Int64
	}
	return &inv, nil
}

// FindOccurrence returns an occurrence by primary key (even one since
// removed from its meeting, so that its roster stays readable), with
// MeetingPK and its current access code. ENOTFOUND.
func (db *DB) FindOccurrence(ctx context.Context, pk int64) (*admit.Occurrence, error) {
	o, err := scanOccurrence(db.rdb.QueryRowContext(ctx, `SELECT `+occurrenceColumns+` FROM occurrences o
		LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL
		WHERE o.pk = ?`, pk))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("occurrence")
	}
	return o, err
}
