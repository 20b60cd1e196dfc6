package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

const meetingColumns = `m.pk, m.id, m.account_id, m.host_id, m.number, m.topic, m.kind, m.starts_at,
	m.duration, m.timezone, m.recurrence, m.security, m.pwd_index, m.created_at, m.updated_at, m.deleted_at, m.alternative_hosts,
	m.reminder_lead`

// scanMeeting reads a row of meetingColumns.
func scanMeeting(row interface{ Scan(...any) error }) (*admit.Meeting, error) {
	var m admit.Meeting
	var kind, sec string
	var rec sql.NullString
	var start, deleted sql.NullInt64
	var created, updated, lead int64
	var alt string
	err := row.Scan(&m.PK, &m.ID, &m.AccountID, &m.HostID, &m.Number, &m.Topic, &kind, &start,
		&m.Duration, &m.Timezone, &rec, &sec, &m.PwdIndex, &created, &updated, &deleted, &alt, &lead)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("meeting")
	} else if err != nil {
		return nil, err
	}
	m.Kind, m.Start = admit.Kind(kind), fromNullNanos(start)
	m.CreatedAt, m.UpdatedAt, m.DeletedAt = fromNanos(created), fromNanos(updated), ptrFromNanos(deleted)
	m.ReminderLead = time.Duration(lead)
	if rec.Valid {
		m.Recurrence = new(admit.Recurrence)
		if err := json.Unmarshal([]byte(rec.String), m.Recurrence); err != nil {
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
// deleted, with occurrences, current access codes, invitees and credentials.
func findWholeMeeting(ctx context.Context, q querier, where string, args ...any) (*admit.Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx,
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
	if m.Occurrences, err = findOccurrences(ctx, q, `o.meeting_pk = ? ORDER BY o.idx`, m.PK); err != nil {
		return err
	}

	rows, err := q.QueryContext(ctx, `SELECT pk, id, meeting_pk, contact_id, name, email, phone, token_index, token_sealed, token_generation
		FROM invitees WHERE meeting_pk = ? ORDER BY pk`, m.PK)
	if err != nil {
		return err
	}
	m.Invitees, err = rowscan.Collect(rows, rowscan.Invitee)
	rows.Close()
	if err != nil {
		return err
	}

	rows, err = q.QueryContext(ctx, `SELECT kind, invitee_pk, idx, sealed FROM credentials WHERE meeting_pk = ?`, m.PK)
	if err != nil {
		return err
	}
	defer rows.Close()
	return rowscan.Credentials(rows, m)
}

const occurrenceColumns = `o.pk, o.meeting_pk, o.idx, o.starts_at, o.ends_at, o.opens_at, o.closes_at, o.ended_at,
	c.idx, c.sealed, COALESCE(c.uses, 0)`

// findOccurrences lists the occurrences selected by where (on alias o; it
// may end in ORDER BY and LIMIT), not removed, with their current codes.
func findOccurrences(ctx context.Context, q querier, where string, args ...any) ([]*admit.Occurrence, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+occurrenceColumns+` FROM occurrences o
		LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL
		WHERE o.removed_at IS NULL AND `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.Occurrence)
}

// FindMeetingByID returns the account's meeting, not deleted, whole.
// ENOTFOUND.
func (db *DB) FindMeetingByID(ctx context.Context, accountID int64, id string) (*admit.Meeting, error) {
	return findWholeMeeting(ctx, db.rdb, `m.id = ? AND m.account_id = ?`, id, accountID)
}

// FindMeetingByNumber returns the account's meeting with the number, not
// deleted, whole. ENOTFOUND.
func (db *DB) FindMeetingByNumber(ctx context.Context, accountID int64, number string) (*admit.Meeting, error) {
	return findWholeMeeting(ctx, db.rdb, `m.number = ? AND m.account_id = ?`, number, accountID)
}

// FindPersonalRoom returns the host's personal room, whole. ENOTFOUND.
func (db *DB) FindPersonalRoom(ctx context.Context, hostID int64) (*admit.Meeting, error) {
	return findWholeMeeting(ctx, db.rdb, `m.host_id = ? AND m.kind = ? ORDER BY m.pk LIMIT 1`, hostID, string(admit.KindPersonal))
}

// FindMeetings lists meetings, whole, that match f, ordered by their first
// matching occurrence's start (personal rooms, which match any range, first).
func (db *DB) FindMeetings(ctx context.Context, f admit.MeetingFilter) ([]*admit.Meeting, error) {
	from, to := nullNanos(f.From), nullNanos(f.To)
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
		m, err := findWholeMeeting(ctx, db.rdb, `m.pk = ?`, pk)
		if admit.ErrorCode(err) == admit.ENOTFOUND {
			continue // deleted meanwhile
		} else if err != nil {
			return nil, err
		}
		meetings = append(meetings, m)
	}
	return meetings, nil
}
