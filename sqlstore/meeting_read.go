package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// MeetingColumns are the columns of a meeting (alias m) that ScanMeeting
// reads.
const MeetingColumns = `m.pk, m.id, m.account_id, m.host_id, m.number, m.topic, m.kind, m.starts_at,
	m.duration, m.timezone, m.recurrence, m.security, m.pwd_index, m.created_at, m.updated_at, m.deleted_at, m.alternative_hosts,
	m.reminder_lead`

// ScanMeeting reads a row of MeetingColumns, followed by extra. Its error
// on no row is the driver's.
func ScanMeeting(row rowscan.Scanner, extra ...any) (*admit.Meeting, error) {
	var m admit.Meeting
	var kind, sec string
	var rec *string
	var start, deleted *int64
	var created, updated, lead int64
	var alt string
	dest := append([]any{&m.PK, &m.ID, &m.AccountID, &m.HostID, &m.Number, &m.Topic, &kind, &start,
		&m.Duration, &m.Timezone, &rec, &sec, &m.PwdIndex, &created, &updated, &deleted, &alt, &lead}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	m.Kind, m.Start = admit.Kind(kind), FromNullNanos(start)
	m.CreatedAt, m.UpdatedAt, m.DeletedAt = FromNanos(created), FromNanos(updated), PtrFromNanos(deleted)
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

// FindWholeMeeting returns the meeting selected by where (on alias m), not
// deleted, with occurrences, current access codes, invitees and
// credentials. ENOTFOUND.
func FindWholeMeeting(ctx context.Context, q Querier, where string, args ...any) (*admit.Meeting, error) {
	m, err := QueryOne(ctx, q, func(row rowscan.Scanner) (*admit.Meeting, error) { return ScanMeeting(row) }, "meeting",
		`SELECT `+MeetingColumns+` FROM meetings m WHERE m.deleted_at IS NULL AND `+where, args...)
	if err != nil {
		return nil, err
	}
	if m.Occurrences, err = FindOccurrences(ctx, q, `o.meeting_pk = ? ORDER BY o.idx`, m.PK); err != nil {
		return nil, err
	}
	if m.Invitees, err = QueryAll(ctx, q, rowscan.Invitee, `SELECT pk, id, meeting_pk, contact_id, name, email, phone,
		token_index, token_sealed, token_generation FROM invitees WHERE meeting_pk = ? ORDER BY pk`, m.PK); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT kind, invitee_pk, idx, sealed FROM credentials WHERE meeting_pk = ?`, m.PK)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := rowscan.Credentials(rows, m); err != nil {
		return nil, err
	}
	return m, nil
}

// OccurrenceColumns are the columns of an occurrence (alias o) and its
// current access code (alias c) that rowscan.Occurrence reads;
// OccurrenceFrom joins them.
const (
	OccurrenceColumns = `o.pk, o.meeting_pk, o.idx, o.starts_at, o.ends_at, o.opens_at, o.closes_at, o.ended_at,
	c.idx, c.sealed, COALESCE(c.uses, 0)`
	OccurrenceFrom = ` FROM occurrences o
	LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL `
)

// FindOccurrences lists the occurrences selected by where (on alias o; it
// may end in ORDER BY and LIMIT), not removed, with their current codes.
func FindOccurrences(ctx context.Context, q Querier, where string, args ...any) ([]*admit.Occurrence, error) {
	return QueryAll(ctx, q, rowscan.Occurrence, `SELECT `+OccurrenceColumns+OccurrenceFrom+`WHERE o.removed_at IS NULL AND `+where, args...)
}

// findWholeMeeting is FindWholeMeeting in one snapshot where the store has
// them.
func (s *Shared) findWholeMeeting(ctx context.Context, where string, args ...any) (*admit.Meeting, error) {
	if s.Meetings.Snapshot == nil {
		return FindWholeMeeting(ctx, s.Read, where, args...)
	}
	var m *admit.Meeting
	err := s.Meetings.Snapshot(ctx, func(q Querier) (err error) {
		m, err = FindWholeMeeting(ctx, q, where, args...)
		return err
	})
	return m, err
}

// FindMeetingByID returns the account's meeting, not deleted, whole.
// ENOTFOUND.
func (s *Shared) FindMeetingByID(ctx context.Context, accountID int64, id string) (*admit.Meeting, error) {
	return s.findWholeMeeting(ctx, `m.id = ? AND m.account_id = ?`, id, accountID)
}

// FindMeetingByNumber returns the account's meeting with the number, not
// deleted, whole. ENOTFOUND.
func (s *Shared) FindMeetingByNumber(ctx context.Context, accountID int64, number string) (*admit.Meeting, error) {
	return s.findWholeMeeting(ctx, `m.number = ? AND m.account_id = ?`, number, accountID)
}

// FindPersonalRoom returns the host's personal room, whole. ENOTFOUND.
func (s *Shared) FindPersonalRoom(ctx context.Context, hostID int64) (*admit.Meeting, error) {
	return s.findWholeMeeting(ctx, `m.host_id = ? AND m.kind = ? ORDER BY m.pk LIMIT 1`, hostID, string(admit.KindPersonal))
}
