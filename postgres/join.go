package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
	"github.com/admit-project/admit/sqlstore"
)

// FindJoinMeetingByPK returns the live meeting with the primary key,
// without occurrences or invitees (the Passcode fields hold Index only).
// ENOTFOUND.
func (db *DB) FindJoinMeetingByPK(ctx context.Context, pk int64) (*admit.Meeting, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+sqlstore.MeetingColumns+`,
		(SELECT idx FROM credentials WHERE meeting_pk = m.pk AND kind = 'passcode' AND invitee_pk IS NULL),
		(SELECT idx FROM credentials WHERE meeting_pk = m.pk AND kind = 'phone_passcode' AND invitee_pk IS NULL)
		FROM meetings m WHERE m.deleted_at IS NULL AND m.pk = $1`, pk)
	var pass, phone []byte
	m, err := scanMeeting(row, &pass, &phone)
	if err != nil {
		return nil, err
	}
	rowscan.PasscodeIndex(m, admit.CredPasscode, pass)
	rowscan.PasscodeIndex(m, admit.CredPhonePasscode, phone)
	return m, nil
}

// FindOccurrence returns an occurrence by primary key (even one since
// removed from its meeting, so that its roster stays readable), with
// MeetingPK and its current access code. ENOTFOUND.
func (db *DB) FindOccurrence(ctx context.Context, pk int64) (*admit.Occurrence, error) {
	o, err := rowscan.Occurrence(db.pool.QueryRow(ctx, `SELECT `+sqlstore.OccurrenceColumns+sqlstore.OccurrenceFrom+`WHERE o.pk = $1`, pk))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("occurrence")
	}
	return o, err
}

// FindJoinDataByPK returns what the join path needs of the live meeting with
// the primary key, read in one snapshot (one round trip). ENOTFOUND.
func (db *DB) FindJoinDataByPK(ctx context.Context, pk int64) (*admit.JoinData, error) {
	var d *admit.JoinData
	err := db.snapshot(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT `+sqlstore.MeetingColumns+` FROM meetings m WHERE m.deleted_at IS NULL AND m.pk = $1`, pk)
		b.Queue(`SELECT c.idx, c.kind, c.invitee_pk, i.id, i.name FROM credentials c
			LEFT JOIN invitees i ON i.pk = c.invitee_pk
			WHERE c.meeting_pk = $1`, pk)
		b.Queue(`SELECT `+sqlstore.OccurrenceColumns+sqlstore.OccurrenceFrom+`WHERE o.removed_at IS NULL AND o.meeting_pk = $1 ORDER BY o.idx`, pk)
	}, func(br pgx.BatchResults) error {
		m, err := scanMeeting(br.QueryRow())
		if err != nil {
			return err
		}
		d = &admit.JoinData{Meeting: m, Credentials: map[string]*admit.Credential{}}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			var idx []byte
			var c admit.Credential
			var invPK *int64
			var invID, invName *string
			if err := rows.Scan(&idx, &c.Kind, &invPK, &invID, &invName); err != nil {
				rows.Close()
				return err
			}
			if invPK != nil {
				c.InviteePK = *invPK
			}
			if invID != nil {
				c.InviteeID = *invID
			}
			if invName != nil {
				c.InviteeName = *invName
			}
			rowscan.PasscodeIndex(m, c.Kind, idx)
			d.Credentials[string(idx)] = &c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		orows, err := br.Query()
		if err != nil {
			return err
		}
		defer orows.Close()
		for orows.Next() {
			o, err := rowscan.Occurrence(orows)
			if err != nil {
				return err
			}
			d.Occurrences = append(d.Occurrences, o)
		}
		return orows.Err()
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// LoadDirectory returns every identifier a join may present (one meeting's
// with meetingPK != 0), read in one snapshot (one round trip).
func (db *DB) LoadDirectory(ctx context.Context, meetingPK int64, now time.Time) (*admit.Directory, error) {
	d := &admit.Directory{}
	err := db.snapshot(ctx, func(b *pgx.Batch) {
		// $1 = 0 selects every meeting.
		b.Queue(`SELECT pk, number FROM meetings
			WHERE deleted_at IS NULL AND ($1::bigint = 0 OR pk = $1)`, meetingPK)
		b.Queue(`SELECT idx, meeting_pk, COALESCE(occurrence_pk, 0), occurrence_idx,
			reserved_from, reserved_until, revoked_at IS NOT NULL
			FROM access_codes WHERE reserved_until > $2 AND ($1::bigint = 0 OR meeting_pk = $1)`, meetingPK, sqlstore.Nanos(now))
		b.Queue(`SELECT i.token_index, i.meeting_pk, i.pk, i.id, i.name
			FROM invitees i JOIN meetings m ON m.pk = i.meeting_pk
			WHERE i.token_index IS NOT NULL AND m.deleted_at IS NULL AND ($1::bigint = 0 OR i.meeting_pk = $1)`, meetingPK)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			var m admit.DirMeeting
			if err := rows.Scan(&m.PK, &m.Number); err != nil {
				rows.Close()
				return err
			}
			d.Meetings = append(d.Meetings, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			var c admit.DirCode
			var from, until int64
			if err := rows.Scan(&c.Index, &c.MeetingPK, &c.OccurrencePK, &c.Occurrence, &from, &until, &c.Revoked); err != nil {
				rows.Close()
				return err
			}
			c.From, c.Until = sqlstore.FromNanos(from), sqlstore.FromNanos(until)
			d.Codes = append(d.Codes, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t admit.DirToken
			if err := rows.Scan(&t.Index, &t.MeetingPK, &t.InviteePK, &t.InviteeID, &t.Name); err != nil {
				return err
			}
			d.Tokens = append(d.Tokens, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
