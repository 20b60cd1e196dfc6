package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

const meetingColumns = `m.pk, m.id, m.account_id, m.host_id, m.number, m.topic, m.kind, m.starts_at,
	m.duration, m.timezone, m.recurrence, m.security, m.pwd_index, m.created_at, m.updated_at, m.deleted_at, m.alternative_hosts,
	m.reminder_lead`

// scanMeeting reads a row of meetingColumns, followed by extra.
func scanMeeting(row pgx.Row, extra ...any) (*admit.Meeting, error) {
	var m admit.Meeting
	var kind, sec string
	var rec *string
	var start, deleted *int64
	var created, updated, lead int64
	var alt string
	dest := append([]any{&m.PK, &m.ID, &m.AccountID, &m.HostID, &m.Number, &m.Topic, &kind, &start,
		&m.Duration, &m.Timezone, &rec, &sec, &m.PwdIndex, &created, &updated, &deleted, &alt, &lead}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("meeting")
	} else if err != nil {
		return nil, err
	}
	m.Kind, m.Start = admit.Kind(kind), fromNullNanos(start)
	m.CreatedAt, m.UpdatedAt, m.DeletedAt = fromNanos(created), fromNanos(updated), ptrFromNanos(deleted)
	m.ReminderLead = time.Duration(lead)
	if rec != nil {
		m.Recurrence = new(admit.Recurrence)
		if err := json.Unmarshal([]byte(*rec), m.Recurrence); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal([]byte(sec), &m.Security); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(alt), &m.AlternativeHosts); err != nil {
		return nil, err
	}
	return &m, nil
}

// findWholeMeeting returns the meeting selected by where (on alias m), not
// deleted, with occurrences, current access codes, invitees and
// credentials, read in one snapshot.
func (db *DB) findWholeMeeting(ctx context.Context, where string, args ...any) (*admit.Meeting, error) {
	var m *admit.Meeting
	err := db.read(ctx, func(tx pgx.Tx) error {
		var err error
		m, err = findWholeMeeting(ctx, tx, where, args...)
		return err
	})
	return m, err
}

func findWholeMeeting(ctx context.Context, q querier, where string, args ...any) (*admit.Meeting, error) {
	m, err := scanMeeting(q.QueryRow(ctx,
		`SELECT `+meetingColumns+` FROM meetings m WHERE m.deleted_at IS NULL AND `+where, args...))
	if err != nil {
		return nil, err
	}
	if err := loadMeetingParts(ctx, q, m); err != nil {
		return nil, err
	}
	return m, nil
}

// loadMeetingParts fills m's occurrences, invitees and secrets.
func loadMeetingParts(ctx context.Context, q querier, m *admit.Meeting) error {
	var err error
	if m.Occurrences, err = findOccurrences(ctx, q, `o.meeting_pk = $1 ORDER BY o.idx`, m.PK); err != nil {
		return err
	}

	rows, err := q.Query(ctx, `SELECT pk, id, meeting_pk, contact_id, name, email, phone, token_index, token_sealed, token_generation
		FROM invitees WHERE meeting_pk = $1 ORDER BY pk`, m.PK)
	if err != nil {
		return err
	}
	m.Invitees, err = rowscan.Collect(rows, rowscan.Invitee)
	rows.Close()
	if err != nil {
		return err
	}

	rows, err = q.Query(ctx, `SELECT kind, invitee_pk, idx, sealed FROM credentials WHERE meeting_pk = $1`, m.PK)
	if err != nil {
		return err
	}
	defer rows.Close()
	return rowscan.Credentials(rows, m)
}

const occurrenceColumns = `o.pk, o.meeting_pk, o.idx, o.starts_at, o.ends_at, o.opens_at, o.closes_at, o.ended_at,
	c.idx, c.sealed, COALESCE(c.uses, 0)`

const occurrenceFrom = ` FROM occurrences o
	LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL `

// findOccurrences lists the occurrences selected by where (on alias o; it
// may end in ORDER BY and LIMIT), not removed, with their current codes.
func findOccurrences(ctx context.Context, q querier, where string, args ...any) ([]*admit.Occurrence, error) {
	rows, err := q.Query(ctx, `SELECT `+occurrenceColumns+occurrenceFrom+`WHERE o.removed_at IS NULL AND `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.Occurrence)
}

// FindMeetingByID returns the account's meeting, not deleted, whole.
// ENOTFOUND.
func (db *DB) FindMeetingByID(ctx context.Context, accountID int64, id string) (*admit.Meeting, error) {
	return db.findWholeMeeting(ctx, `m.id = $1 AND m.account_id = $2`, id, accountID)
}

// FindMeetingByNumber returns the account's meeting with the number, not
// deleted, whole. ENOTFOUND.
func (db *DB) FindMeetingByNumber(ctx context.Context, accountID int64, number string) (*admit.Meeting, error) {
	return db.findWholeMeeting(ctx, `m.number = $1 AND m.account_id = $2`, number, accountID)
}

// FindPersonalRoom returns the host's personal room, whole. ENOTFOUND.
func (db *DB) FindPersonalRoom(ctx context.Context, hostID int64) (*admit.Meeting, error) {
	return db.findWholeMeeting(ctx, `m.host_id = $1 AND m.kind = $2 ORDER BY m.pk LIMIT 1`, hostID, string(admit.KindPersonal))
}

// FindMeetings lists meetings, whole, that match f, ordered by their first
// matching occurrence's start (personal rooms, which match any range, first).
func (db *DB) FindMeetings(ctx context.Context, f admit.MeetingFilter) ([]*admit.Meeting, error) {
	var limit *int64
	if f.Limit > 0 {
		l := int64(f.Limit)
		limit = &l
	}
	var meetings []*admit.Meeting
	err := db.read(ctx, func(tx pgx.Tx) error {
		meetings = nil
		rows, err := tx.Query(ctx, `SELECT pk FROM (
			SELECT m.pk, m.kind, (SELECT MIN(o.starts_at) FROM occurrences o
				WHERE o.meeting_pk = m.pk AND o.removed_at IS NULL
				  AND ($1::bigint IS NULL OR o.ends_at > $1) AND ($2::bigint IS NULL OR o.starts_at < $2)) AS first
			FROM meetings m
			WHERE m.account_id = $3 AND m.deleted_at IS NULL AND ($4::bigint = 0 OR m.host_id = $4)) s
		WHERE s.kind = 'personal' OR s.first IS NOT NULL OR ($1::bigint IS NULL AND $2::bigint IS NULL)
		ORDER BY COALESCE(s.first, 0), s.pk LIMIT $5`, nullNanos(f.From), nullNanos(f.To), f.AccountID, f.HostID, limit)
		if err != nil {
			return err
		}
		pks, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		meetings, err = loadWholeMeetings(ctx, tx, pks)
		return err
	})
	return meetings, err
}

// loadWholeMeetings returns the live meetings with the pks, in their order,
// whole, in four queries whatever their number.
func loadWholeMeetings(ctx context.Context, q querier, pks []int64) ([]*admit.Meeting, error) {
	if len(pks) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.deleted_at IS NULL AND m.pk = ANY($1)`, pks)
	if err != nil {
		return nil, err
	}
	byPK := make(map[int64]*admit.Meeting, len(pks))
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		m.Occurrences, m.Invitees = nil, nil
		byPK[m.PK] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	occs, err := findOccurrences(ctx, q, `o.meeting_pk = ANY($1) ORDER BY o.meeting_pk, o.idx`, pks)
	if err != nil {
		return nil, err
	}
	for _, o := range occs {
		if m := byPK[o.MeetingPK]; m != nil {
			m.Occurrences = append(m.Occurrences, o)
		}
	}

	rows, err = q.Query(ctx, `SELECT pk, id, meeting_pk, contact_id, name, email, phone, token_index, token_sealed, token_generation
		FROM invitees WHERE meeting_pk = ANY($1) ORDER BY meeting_pk, pk`, pks)
	if err != nil {
		return nil, err
	}
	invitees := make(map[int64]*admit.Invitee)
	for rows.Next() {
		var inv admit.Invitee
		var tokIdx, tokSealed []byte
		if err := rows.Scan(&inv.PK, &inv.ID, &inv.MeetingPK, &inv.ContactID, &inv.Name, &inv.Email, &inv.Phone, &tokIdx, &tokSealed, &inv.TokenGeneration); err != nil {
			rows.Close()
			return nil, err
		}
		if tokIdx != nil {
			inv.Token = &admit.Secret{Index: tokIdx, Sealed: tokSealed}
		}
		if m := byPK[inv.MeetingPK]; m != nil {
			m.Invitees = append(m.Invitees, &inv)
			invitees[inv.PK] = &inv
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = q.Query(ctx, `SELECT meeting_pk, kind, invitee_pk, idx, sealed FROM credentials WHERE meeting_pk = ANY($1)`, pks)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var meetingPK int64
		var kind string
		var invPK *int64
		sec := new(admit.Secret)
		if err := rows.Scan(&meetingPK, &kind, &invPK, &sec.Index, &sec.Sealed); err != nil {
			return nil, err
		}
		m := byPK[meetingPK]
		if m == nil {
			continue
		}
		var inv *admit.Invitee
		if invPK != nil {
			inv = invitees[*invPK]
		}
		if slot := rowscan.CredentialSlot(m, inv, kind); slot != nil {
			*slot = sec
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	out := make([]*admit.Meeting, 0, len(pks))
	for _, pk := range pks {
		if m := byPK[pk]; m != nil {
			out = append(out, m)
		}
	}
	return out, nil
}
