package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// MeetingSQL is what saving and reading meetings runs differently on each
// store (Shared.Meetings).
type MeetingSQL struct {
	// Least is the SQL function of the least of two values: SQLite's
	// two-argument MIN, PostgreSQL's LEAST.
	Least string
	// Created, if not "", is run with the pk of a meeting just inserted
	// (PostgreSQL's budget row, there from the start).
	Created string
	// NumberTaken reports whether err, of inserting (insert) or updating a
	// meeting's row, says that the meeting's number is another's.
	NumberTaken func(err error, insert bool) bool
	// CodeTaken reports whether err says that an access code's reservation
	// overlaps another of the same code: PostgreSQL's exclusion constraint
	// access_codes_no_overlap, SQLite's triggers that raise a constraint
	// violation.
	CodeTaken func(err error) bool
	// LockOccurrence ends EndOccurrence's SELECT of the occurrence: a lock
	// where transactions run at once ("FOR NO KEY UPDATE OF o"), "" where
	// one writer runs them one after the other.
	LockOccurrence string
	// LastOccurrence returns the index of the meeting's last occurrence (0
	// for none), in q, OpenPersonalOccurrence's transaction; ENOTFOUND when
	// the meeting is not live. Where transactions run at once it locks the
	// meeting's row till the transaction ends, so that two nodes opening
	// the room at once open one occurrence.
	LastOccurrence func(ctx context.Context, q Querier, meetingPK int64) (int, error)
	// Snapshot, if not nil, runs fn on reads that see one snapshot, for the
	// lookups of whole meetings (PostgreSQL: a read-only REPEATABLE READ
	// transaction); nil: they run on Shared.Read.
	Snapshot func(ctx context.Context, fn func(q Querier) error) error
}

var _ admit.OutboxSaver = (*Shared)(nil)

// SaveMeeting writes m whole, in one transaction. With m.PK == 0 it inserts
// the meeting; otherwise it makes the stored meeting equal to m, as
// admit.Store describes. PKs and times are set on m only once the
// transaction has committed, so that on error m is as it was. ECONFLICT
// (fields "meeting_id", "access_code", "credential"); ENOTFOUND when m.PK
// names no live meeting.
func (s *Shared) SaveMeeting(ctx context.Context, m *admit.Meeting, now time.Time) error {
	return s.SaveMeetingWithOutbox(ctx, m, now, nil)
}

// SaveMeetingWithOutbox implements admit.OutboxSaver: SaveMeeting and the
// messages in one transaction.
func (s *Shared) SaveMeetingWithOutbox(ctx context.Context, m *admit.Meeting, now time.Time, msgs []*admit.OutboxMessage) error {
	now = now.UTC()
	var save *meetingSave
	err := s.withOutbox(ctx, Write{Changes: true}, now, msgs, func(ctx context.Context, q Querier) error {
		save = &meetingSave{sql: &s.Meetings, q: q, now: now, m: m}
		return save.save(ctx)
	})
	if err != nil {
		return err
	}
	for _, set := range save.apply {
		set()
	}
	return nil
}

// meetingSave is one SaveMeeting in progress. apply collects the changes to
// make to m (PKs, times) once the transaction commits.
type meetingSave struct {
	sql   *MeetingSQL
	q     Querier
	now   time.Time
	m     *admit.Meeting
	pk    int64
	apply []func()
}

func (s *meetingSave) save(ctx context.Context) error {
	m := s.m
	sec, err := json.Marshal(m.Security)
	if err != nil {
		return err
	}
	var rec any // NULL without a recurrence
	if m.Recurrence != nil {
		js, err := json.Marshal(m.Recurrence)
		if err != nil {
			return err
		}
		rec = string(js)
	}

	// The number: free, or already this meeting's. A number issued
	// meanwhile by a concurrent transaction is caught by the unique keys
	// of meetings and numbers.
	var owner int64
	err = s.q.QueryRow(ctx, `SELECT meeting_pk FROM numbers WHERE number = ?`, m.Number).Scan(&owner)
	numberIssued := err == nil
	if err != nil && !s.q.NoRows(err) {
		return err
	}
	if numberIssued && (m.PK == 0 || owner != m.PK) {
		return numberConflict()
	}

	if m.PK == 0 {
		err = s.q.QueryRow(ctx, `INSERT INTO meetings (id, account_id, host_id, number, topic, kind,
			starts_at, duration, timezone, recurrence, security, pwd_index, created_at, updated_at, reminder_lead)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
			m.ID, m.AccountID, m.HostID, m.Number, m.Topic, string(m.Kind), NullNanos(m.Start), m.Duration,
			m.Timezone, rec, string(sec), m.PwdIndex, Nanos(s.now), Nanos(s.now), int64(m.ReminderLead)).Scan(&s.pk)
		if s.sql.NumberTaken(err, true) {
			return numberConflict()
		} else if err != nil {
			return err
		}
		if s.sql.Created != "" {
			if _, err := s.q.Exec(ctx, s.sql.Created, s.pk); err != nil {
				return err
			}
		}
		s.apply = append(s.apply, func() { m.PK, m.CreatedAt, m.UpdatedAt = s.pk, s.now, s.now })
	} else {
		s.pk = m.PK
		n, err := s.q.Exec(ctx, `UPDATE meetings SET id = ?, account_id = ?, host_id = ?, number = ?,
			topic = ?, kind = ?, starts_at = ?, duration = ?, timezone = ?, recurrence = ?, security = ?,
			pwd_index = ?, updated_at = ?, reminder_lead = ? WHERE pk = ? AND deleted_at IS NULL`,
			m.ID, m.AccountID, m.HostID, m.Number, m.Topic, string(m.Kind), NullNanos(m.Start), m.Duration,
			m.Timezone, rec, string(sec), m.PwdIndex, Nanos(s.now), int64(m.ReminderLead), m.PK)
		if s.sql.NumberTaken(err, false) {
			return numberConflict()
		}
		if err := notFoundUnless(n, err, "meeting"); err != nil {
			return err
		}
		s.apply = append(s.apply, func() { m.UpdatedAt = s.now })
	}
	alt, err := json.Marshal(nonNilIDs(m.AlternativeHosts))
	if err != nil {
		return err
	}
	if _, err := s.q.Exec(ctx, `UPDATE meetings SET alternative_hosts = ? WHERE pk = ?`, string(alt), s.pk); err != nil {
		return err
	}
	if !numberIssued {
		_, err := s.q.Exec(ctx, `INSERT INTO numbers (number, meeting_pk, issued_at) VALUES (?, ?, ?)`,
			m.Number, s.pk, Nanos(s.now))
		if s.q.Conflict(err) {
			return numberConflict()
		} else if err != nil {
			return err
		}
	}

	if err := s.saveOccurrences(ctx); err != nil {
		return err
	}
	if err := s.saveInvitees(ctx); err != nil {
		return err
	}
	return s.saveCredentials(ctx)
}

// notFoundUnless is ENOTFOUND (naming what) when a statement that ran without
// error changed no row.
func notFoundUnless(n int64, err error, what string) error {
	if err == nil && n == 0 {
		return NotFound(what)
	}
	return err
}

func numberConflict() error {
	return &admit.Error{Code: admit.ECONFLICT, Field: "meeting_id", Message: "This meeting ID is not available."}
}

func accessCodeConflict(index int) error {
	return &admit.Error{Code: admit.ECONFLICT, Field: "access_code",
		Message: "This access code is reserved by another occurrence.", Detail: map[string]any{"occurrence": index}}
}

func credentialConflict() error {
	return &admit.Error{Code: admit.ECONFLICT, Field: "credential", Message: "This credential is already in use."}
}

func (s *meetingSave) saveOccurrences(ctx context.Context) error {
	rows, err := s.q.Query(ctx, `SELECT o.pk, o.idx, COALESCE(c.pk, 0), c.idx FROM occurrences o
		LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL
		WHERE o.meeting_pk = ? AND o.removed_at IS NULL`, s.pk)
	if err != nil {
		return err
	}
	stored, err := rowscan.StoredOccurrences(rows)
	rows.Close()
	if err != nil {
		return err
	}
	// Remove first, so that an index removed and added again is a new
	// occurrence only when it is not in m.
	for _, idx := range s.m.RemovedOccurrences(rowscan.Indexes(stored)) {
		if err := s.removeOccurrence(ctx, stored[idx]); err != nil {
			return err
		}
		delete(stored, idx)
	}

	for _, o := range s.m.Occurrences {
		if so := stored[o.Index]; so != nil {
			if err := s.updateOccurrence(ctx, o, so); err != nil {
				return err
			}
			continue
		}
		pk, err := s.sql.addOccurrence(ctx, s.q, s.pk, o)
		if err != nil {
			return err
		}
		s.apply = append(s.apply, func() { o.PK, o.MeetingPK, o.Uses = pk, s.pk, 0 })
	}
	return nil
}

// addOccurrence inserts o as an occurrence of the meeting, with its access
// code (if any) as its current code, in q, a transaction, and returns its
// pk. ECONFLICT (field "access_code") when the code is reserved.
func (d *MeetingSQL) addOccurrence(ctx context.Context, q Querier, meetingPK int64, o *admit.Occurrence) (int64, error) {
	var pk int64
	err := q.QueryRow(ctx, `INSERT INTO occurrences
		(meeting_pk, idx, starts_at, ends_at, opens_at, closes_at, ended_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
		meetingPK, o.Index, Nanos(o.Start), Nanos(o.End), Nanos(o.OpensAt), Nanos(o.ClosesAt), PtrNanos(o.EndedAt)).Scan(&pk)
	if err != nil {
		return 0, err
	}
	return pk, d.insertCode(ctx, q, meetingPK, pk, o)
}

// updateOccurrence makes the stored occurrence so equal to o. It never
// clears EndedAt, nor touches the uses counted by Admit.
func (s *meetingSave) updateOccurrence(ctx context.Context, o *admit.Occurrence, so *rowscan.StoredOccurrence) error {
	_, err := s.q.Exec(ctx, `UPDATE occurrences SET starts_at = ?, ends_at = ?, opens_at = ?, closes_at = ?,
		ended_at = COALESCE(ended_at, ?) WHERE pk = ?`,
		Nanos(o.Start), Nanos(o.End), Nanos(o.OpensAt), Nanos(o.ClosesAt), PtrNanos(o.EndedAt), so.PK)
	if err != nil {
		return err
	}
	pk := so.PK
	s.apply = append(s.apply, func() { o.PK, o.MeetingPK = pk, s.pk })

	switch {
	case o.AccessCode == nil || o.AccessCode.Index == nil:
		return revokeCodes(ctx, s.q, s.now, `occurrence_pk = ?`, so.PK)
	case so.CodePK != 0 && bytes.Equal(so.CodeIndex, o.AccessCode.Index):
		// The same code: its reservation follows the window, and never
		// starts later than it did.
		_, err := s.q.Exec(ctx, `UPDATE access_codes SET sealed = ?, reserved_from = `+s.sql.Least+`(reserved_from, ?), reserved_until = ?
			WHERE pk = ?`, o.AccessCode.Sealed, Nanos(o.ReservedFrom()), Nanos(o.ReservedUntil()), so.CodePK)
		if s.sql.CodeTaken(err) {
			return accessCodeConflict(o.Index)
		}
		return err
	default:
		if err := revokeCodes(ctx, s.q, s.now, `occurrence_pk = ?`, so.PK); err != nil {
			return err
		}
		return s.sql.insertCode(ctx, s.q, s.pk, so.PK, o)
	}
}

// insertCode inserts o's access code as the current code of occurrence pk.
// The store refuses a reservation that overlaps another of the same code
// (see CodeTaken).
func (d *MeetingSQL) insertCode(ctx context.Context, q Querier, meetingPK, pk int64, o *admit.Occurrence) error {
	if o.AccessCode == nil || o.AccessCode.Index == nil {
		return nil
	}
	_, err := q.Exec(ctx, `INSERT INTO access_codes
		(occurrence_pk, meeting_pk, occurrence_idx, idx, sealed, reserved_from, reserved_until)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		pk, meetingPK, o.Index, o.AccessCode.Index, o.AccessCode.Sealed, Nanos(o.ReservedFrom()), Nanos(o.ReservedUntil()))
	if d.CodeTaken(err) {
		return accessCodeConflict(o.Index)
	}
	return err
}

// revokeCodes revokes, at now, the current access codes matching where.
// Revoked codes keep their reservation.
func revokeCodes(ctx context.Context, q Querier, now time.Time, where string, args ...any) error {
	_, err := q.Exec(ctx, `UPDATE access_codes SET revoked_at = ? WHERE revoked_at IS NULL AND `+where,
		append([]any{Nanos(now)}, args...)...)
	return err
}

// removeOccurrence revokes the occurrence's code and deletes it; an
// occurrence that participants joined is kept, ended and marked removed.
func (s *meetingSave) removeOccurrence(ctx context.Context, so *rowscan.StoredOccurrence) error {
	if err := revokeCodes(ctx, s.q, s.now, `occurrence_pk = ?`, so.PK); err != nil {
		return err
	}
	n, err := s.q.Exec(ctx, `DELETE FROM occurrences WHERE pk = ?
		AND NOT EXISTS (SELECT 1 FROM participants WHERE occurrence_pk = ?)`, so.PK, so.PK)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	now := Nanos(s.now)
	if _, err := s.q.Exec(ctx, `UPDATE occurrences SET removed_at = ?, ended_at = COALESCE(ended_at, ?)
		WHERE pk = ?`, now, now, so.PK); err != nil {
		return err
	}
	return leaveActive(ctx, s.q, s.now, `occurrence_pk = ?`, so.PK)
}

func (s *meetingSave) saveInvitees(ctx context.Context) error {
	keep := make(map[int64]bool)
	for _, inv := range s.m.Invitees {
		if inv.PK != 0 {
			keep[inv.PK] = true
		}
	}
	stored, err := QueryAll(ctx, s.q, func(row rowscan.Scanner) (pk int64, err error) {
		err = row.Scan(&pk)
		return pk, err
	}, `SELECT pk FROM invitees WHERE meeting_pk = ?`, s.pk)
	if err != nil {
		return err
	}
	for _, pk := range stored {
		if keep[pk] {
			continue
		}
		if _, err := s.q.Exec(ctx, `DELETE FROM invitees WHERE pk = ?`, pk); err != nil {
			return err
		}
	}

	for _, inv := range s.m.Invitees {
		var tokIdx, tokSealed []byte
		if inv.Token != nil {
			tokIdx, tokSealed = inv.Token.Index, inv.Token.Sealed
		}
		var contact any // NULL without a contact
		if inv.ContactID != nil {
			contact = *inv.ContactID
		}
		if inv.PK == 0 {
			var pk int64
			err := s.q.QueryRow(ctx, `INSERT INTO invitees
				(id, meeting_pk, contact_id, name, email, phone, token_index, token_sealed, token_generation)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
				inv.ID, s.pk, contact, inv.Name, inv.Email, inv.Phone, tokIdx, tokSealed, inv.TokenGeneration).Scan(&pk)
			if s.q.Conflict(err) {
				return credentialConflict()
			} else if err != nil {
				return err
			}
			s.apply = append(s.apply, func() { inv.PK, inv.MeetingPK = pk, s.pk })
			continue
		}
		n, err := s.q.Exec(ctx, `UPDATE invitees SET id = ?, contact_id = ?, name = ?, email = ?, phone = ?,
			token_index = ?, token_sealed = ?, token_generation = ? WHERE pk = ? AND meeting_pk = ?`,
			inv.ID, contact, inv.Name, inv.Email, inv.Phone, tokIdx, tokSealed, inv.TokenGeneration, inv.PK, s.pk)
		if s.q.Conflict(err) {
			return credentialConflict()
		}
		if err := notFoundUnless(n, err, "invitee"); err != nil {
			return err
		}
	}
	return nil
}

// saveCredentials replaces the meeting's credentials with m's.
func (s *meetingSave) saveCredentials(ctx context.Context) error {
	if _, err := s.q.Exec(ctx, `DELETE FROM credentials WHERE meeting_pk = ?`, s.pk); err != nil {
		return err
	}
	put := func(kind string, invitee func() (int64, error), sec *admit.Secret) error {
		if sec == nil || sec.Index == nil {
			return nil
		}
		var inv any
		if invitee != nil {
			pk, err := invitee()
			if err != nil {
				return err
			}
			inv = NullInt64(pk)
		}
		_, err := s.q.Exec(ctx, `INSERT INTO credentials (meeting_pk, idx, kind, invitee_pk, sealed)
			VALUES (?, ?, ?, ?, ?)`, s.pk, sec.Index, kind, inv, sec.Sealed)
		if s.q.Conflict(err) {
			return credentialConflict()
		}
		return err
	}
	if err := put(admit.CredPasscode, nil, s.m.Passcode); err != nil {
		return err
	}
	if err := put(admit.CredPhonePasscode, nil, s.m.PhonePasscode); err != nil {
		return err
	}
	for _, inv := range s.m.Invitees {
		pk := func() (int64, error) { return s.inviteePK(ctx, inv) }
		if err := put(admit.CredInviteePasscode, pk, inv.Passcode); err != nil {
			return err
		}
		if err := put(admit.CredInviteePhonePasscode, pk, inv.PhonePasscode); err != nil {
			return err
		}
		if err := put(admit.CredInviteePIN, pk, inv.PIN); err != nil {
			return err
		}
	}
	return nil
}

// inviteePK returns the stored PK of inv, inserted or not yet applied to it.
func (s *meetingSave) inviteePK(ctx context.Context, inv *admit.Invitee) (int64, error) {
	if inv.PK != 0 {
		return inv.PK, nil
	}
	var pk int64
	err := s.q.QueryRow(ctx, `SELECT pk FROM invitees WHERE id = ? AND meeting_pk = ?`, inv.ID, s.pk).Scan(&pk)
	if s.q.NoRows(err) {
		return 0, nil
	}
	return pk, err
}

// DeleteMeeting marks the meeting deleted at now, revokes its access codes,
// ends its open occurrences and marks its active participants as left. Its
// number stays reserved. ENOTFOUND.
func (s *Shared) DeleteMeeting(ctx context.Context, meetingPK int64, now time.Time) error {
	return s.DeleteMeetingWithOutbox(ctx, meetingPK, now, nil)
}

// DeleteMeetingWithOutbox implements admit.OutboxSaver.
func (s *Shared) DeleteMeetingWithOutbox(ctx context.Context, meetingPK int64, now time.Time, msgs []*admit.OutboxMessage) error {
	now = now.UTC()
	return s.withOutbox(ctx, Write{Changes: true}, now, msgs, func(ctx context.Context, q Querier) error {
		return DeleteMeeting(ctx, q, meetingPK, now)
	})
}

// DeleteMeeting is Shared.DeleteMeeting within q, a transaction.
func DeleteMeeting(ctx context.Context, q Querier, meetingPK int64, now time.Time) error {
	n := Nanos(now)
	changed, err := q.Exec(ctx, `UPDATE meetings SET deleted_at = ?, updated_at = ?
		WHERE pk = ? AND deleted_at IS NULL`, n, n, meetingPK)
	if err := notFoundUnless(changed, err, "meeting"); err != nil {
		return err
	}
	if err := revokeCodes(ctx, q, now, `meeting_pk = ?`, meetingPK); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE occurrences SET ended_at = ?
		WHERE meeting_pk = ? AND ended_at IS NULL AND opens_at <= ? AND closes_at > ?`, n, meetingPK, n, n); err != nil {
		return err
	}
	return leaveActive(ctx, q, now, `occurrence_pk IN (SELECT pk FROM occurrences WHERE meeting_pk = ?)`, meetingPK)
}

// leaveActive marks the active participants matching where as left at now.
func leaveActive(ctx context.Context, q Querier, now time.Time, where string, args ...any) error {
	_, err := q.Exec(ctx, `UPDATE participants SET state = 'left', left_at = ?
		WHERE state IN ('waiting', 'admitted') AND `+where, append([]any{Nanos(now)}, args...)...)
	return err
}

// EndOccurrence ends the occurrence at now and marks its active participants
// as left. ENOTFOUND; ECONFLICT when already ended.
func (s *Shared) EndOccurrence(ctx context.Context, occurrencePK int64, now time.Time) error {
	now = now.UTC()
	return s.Write(ctx, Write{Changes: true}, func(ctx context.Context, q Querier) error {
		var ended *int64
		err := q.QueryRow(ctx, `SELECT o.ended_at FROM occurrences o JOIN meetings m ON m.pk = o.meeting_pk
			WHERE o.pk = ? AND o.removed_at IS NULL AND m.deleted_at IS NULL `+s.Meetings.LockOccurrence, occurrencePK).Scan(&ended)
		if q.NoRows(err) {
			return NotFound("occurrence")
		} else if err != nil {
			return err
		}
		if ended != nil && *ended <= Nanos(now) {
			return admit.Errorf(admit.ECONFLICT, "The occurrence has already ended.")
		}
		if _, err := q.Exec(ctx, `UPDATE occurrences SET ended_at = ? WHERE pk = ?`, Nanos(now), occurrencePK); err != nil {
			return err
		}
		return leaveActive(ctx, q, now, `occurrence_pk = ?`, occurrencePK)
	})
}

// OpenPersonalOccurrence returns the personal room's open occurrence at now,
// or atomically adds the next one built by make (Index one past the last).
// make must not call the store. ENOTFOUND; ECONFLICT (field "access_code")
// when the new occurrence's access code is reserved.
func (s *Shared) OpenPersonalOccurrence(ctx context.Context, meetingPK int64, now time.Time, make func(index int) *admit.Occurrence) (*admit.Occurrence, error) {
	now = now.UTC()
	var found *admit.Occurrence
	err := s.Write(ctx, Write{Changes: true}, func(ctx context.Context, q Querier) error {
		found = nil
		last, err := s.Meetings.LastOccurrence(ctx, q, meetingPK)
		if err != nil {
			return err
		}
		if found, err = openOccurrence(ctx, q, meetingPK, now); err != nil || found != nil {
			return err
		}
		o := make(last + 1)
		if o == nil {
			return errors.New("sqlstore: OpenPersonalOccurrence: make returned nil")
		}
		o.Index, o.MeetingPK = last+1, meetingPK
		pk, err := s.Meetings.addOccurrence(ctx, q, meetingPK, o)
		if err != nil {
			return err
		}
		o.PK, o.Uses = pk, 0
		found = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// openOccurrence returns the meeting's occurrence whose window holds now
// and that has not ended (the earliest starting), or nil.
func openOccurrence(ctx context.Context, q Querier, meetingPK int64, now time.Time) (*admit.Occurrence, error) {
	n := Nanos(now)
	occs, err := FindOccurrences(ctx, q, `o.meeting_pk = ? AND o.opens_at <= ? AND o.closes_at > ?
		AND (o.ended_at IS NULL OR o.ended_at > ?) ORDER BY o.starts_at, o.idx LIMIT 1`, meetingPK, n, n, n)
	if err != nil || len(occs) == 0 {
		return nil, err
	}
	return occs[0], nil
}

// nonNilIDs stores no alternative hosts as [], not null.
func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
