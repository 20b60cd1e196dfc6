package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// SaveMeeting writes m whole, in one transaction (a savepoint of the
// writer's group). With m.PK == 0 it inserts the meeting; otherwise it makes
// the stored meeting equal to m, as admit.Store describes. PKs and times are
// set on m only once the write has committed, so that on error m is as it
// was. ECONFLICT (fields "meeting_id", "access_code", "credential");
// ENOTFOUND when m.PK names no live meeting.
func (db *DB) SaveMeeting(ctx context.Context, m *admit.Meeting, now time.Time) error {
	now = now.UTC()
	var s *meetingSave
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		s = &meetingSave{tx: tx, now: now, m: m}
		return s.save(ctx)
	})
	if err != nil {
		return err
	}
	for _, set := range s.apply {
		set()
	}
	return nil
}

// meetingSave is one SaveMeeting in progress. apply collects the changes to
// make to m (PKs, times) once the transaction commits.
type meetingSave struct {
	tx    *wtx
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
	var rec sql.NullString
	if m.Recurrence != nil {
		js, err := json.Marshal(m.Recurrence)
		if err != nil {
			return err
		}
		rec = sql.NullString{String: string(js), Valid: true}
	}

	// The number: free, or already this meeting's.
	var owner int64
	err = s.tx.QueryRowContext(ctx, `SELECT meeting_pk FROM numbers WHERE number = ?`, m.Number).Scan(&owner)
	numberIssued := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if numberIssued && (m.PK == 0 || owner != m.PK) {
		return numberConflict()
	}

	if m.PK == 0 {
		err = s.tx.QueryRowContext(ctx, `INSERT INTO meetings (id, account_id, host_id, number, topic, kind,
			starts_at, duration, timezone, recurrence, security, pwd_index, created_at, updated_at, reminder_lead)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
			m.ID, m.AccountID, m.HostID, m.Number, m.Topic, string(m.Kind), nullNanos(m.Start), m.Duration,
			m.Timezone, rec, string(sec), m.PwdIndex, nanos(s.now), nanos(s.now), int64(m.ReminderLead)).Scan(&s.pk)
		if err != nil {
			return err
		}
		s.apply = append(s.apply, func() { m.PK, m.CreatedAt, m.UpdatedAt = s.pk, s.now, s.now })
	} else {
		s.pk = m.PK
		res, err := s.tx.ExecContext(ctx, `UPDATE meetings SET id = ?, account_id = ?, host_id = ?, number = ?,
			topic = ?, kind = ?, starts_at = ?, duration = ?, timezone = ?, recurrence = ?, security = ?,
			pwd_index = ?, updated_at = ?, reminder_lead = ? WHERE pk = ? AND deleted_at IS NULL`,
			m.ID, m.AccountID, m.HostID, m.Number, m.Topic, string(m.Kind), nullNanos(m.Start), m.Duration,
			m.Timezone, rec, string(sec), m.PwdIndex, nanos(s.now), int64(m.ReminderLead), m.PK)
		if isConstraint(err) {
			return numberConflict() // meetings.number is unique
		}
		if err := mustAffect(res, err, "meeting"); err != nil {
			return err
		}
		s.apply = append(s.apply, func() { m.UpdatedAt = s.now })
	}
	alt, err := json.Marshal(nonNilIDs(m.AlternativeHosts))
	if err != nil {
		return err
	}
	if _, err := s.tx.ExecContext(ctx, `UPDATE meetings SET alternative_hosts = ? WHERE pk = ?`, string(alt), s.pk); err != nil {
		return err
	}
	if !numberIssued {
		_, err := s.tx.ExecContext(ctx, `INSERT INTO numbers (number, meeting_pk, issued_at) VALUES (?, ?, ?)`,
			m.Number, s.pk, nanos(s.now))
		if isConstraint(err) {
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
	rows, err := s.tx.QueryContext(ctx, `SELECT o.pk, o.idx, COALESCE(c.pk, 0), c.idx FROM occurrences o
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
		var pk int64
		err := s.tx.QueryRowContext(ctx, `INSERT INTO occurrences
			(meeting_pk, idx, starts_at, ends_at, opens_at, closes_at, ended_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
			s.pk, o.Index, nanos(o.Start), nanos(o.End), nanos(o.OpensAt), nanos(o.ClosesAt), ptrNanos(o.EndedAt)).Scan(&pk)
		if err != nil {
			return err
		}
		o := o
		s.apply = append(s.apply, func() { o.PK, o.MeetingPK, o.Uses = pk, s.pk, 0 })
		if o.AccessCode != nil {
			if err := s.insertCode(ctx, pk, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// updateOccurrence makes the stored occurrence so equal to o. It never
// clears EndedAt, nor touches the uses counted by Admit.
func (s *meetingSave) updateOccurrence(ctx context.Context, o *admit.Occurrence, so *rowscan.StoredOccurrence) error {
	_, err := s.tx.ExecContext(ctx, `UPDATE occurrences SET starts_at = ?, ends_at = ?, opens_at = ?, closes_at = ?,
		ended_at = COALESCE(ended_at, ?) WHERE pk = ?`,
		nanos(o.Start), nanos(o.End), nanos(o.OpensAt), nanos(o.ClosesAt), ptrNanos(o.EndedAt), so.PK)
	if err != nil {
		return err
	}
	o, pk := o, so.PK
	s.apply = append(s.apply, func() { o.PK, o.MeetingPK = pk, s.pk })

	switch {
	case o.AccessCode == nil || o.AccessCode.Index == nil:
		return s.revokeCodes(ctx, `occurrence_pk = ?`, so.PK)
	case so.CodePK != 0 && bytes.Equal(so.CodeIndex, o.AccessCode.Index):
		// The same code: its reservation follows the window, and never
		// starts later than it did.
		_, err := s.tx.ExecContext(ctx, `UPDATE access_codes SET sealed = ?, reserved_from = MIN(reserved_from, ?), reserved_until = ?
			WHERE pk = ?`, o.AccessCode.Sealed, nanos(o.ReservedFrom()), nanos(o.ReservedUntil()), so.CodePK)
		if isConstraint(err) {
			return accessCodeConflict(o.Index)
		}
		return err
	default:
		if err := s.revokeCodes(ctx, `occurrence_pk = ?`, so.PK); err != nil {
			return err
		}
		return s.insertCode(ctx, so.PK, o)
	}
}

// insertCode inserts o's access code as the current code of occurrence pk.
func (s *meetingSave) insertCode(ctx context.Context, pk int64, o *admit.Occurrence) error {
	if o.AccessCode == nil || o.AccessCode.Index == nil {
		return nil
	}
	_, err := s.tx.ExecContext(ctx, `INSERT INTO access_codes
		(occurrence_pk, meeting_pk, occurrence_idx, idx, sealed, reserved_from, reserved_until)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		pk, s.pk, o.Index, o.AccessCode.Index, o.AccessCode.Sealed, nanos(o.ReservedFrom()), nanos(o.ReservedUntil()))
	if isConstraint(err) {
		return accessCodeConflict(o.Index)
	}
	return err
}

// revokeCodes revokes, at now, the current access codes matching where.
// Revoked codes keep their reservation.
func (s *meetingSave) revokeCodes(ctx context.Context, where string, args ...any) error {
	return revokeCodes(ctx, s.tx, s.now, where, args...)
}

func revokeCodes(ctx context.Context, tx *wtx, now time.Time, where string, args ...any) error {
	_, err := tx.ExecContext(ctx, `UPDATE access_codes SET revoked_at = ? WHERE revoked_at IS NULL AND `+where,
		append([]any{nanos(now)}, args...)...)
	return err
}

// removeOccurrence revokes the occurrence's code and deletes it; an
// occurrence that participants joined is kept, ended and marked removed.
func (s *meetingSave) removeOccurrence(ctx context.Context, so *rowscan.StoredOccurrence) error {
	if err := s.revokeCodes(ctx, `occurrence_pk = ?`, so.PK); err != nil {
		return err
	}
	res, err := s.tx.ExecContext(ctx, `DELETE FROM occurrences WHERE pk = ?
		AND NOT EXISTS (SELECT 1 FROM participants WHERE occurrence_pk = ?)`, so.PK, so.PK)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	now := nanos(s.now)
	if _, err := s.tx.ExecContext(ctx, `UPDATE occurrences SET removed_at = ?, ended_at = COALESCE(ended_at, ?)
		WHERE pk = ?`, now, now, so.PK); err != nil {
		return err
	}
	return leaveActive(ctx, s.tx, s.now, `occurrence_pk = ?`, so.PK)
}

func (s *meetingSave) saveInvitees(ctx context.Context) error {
	keep := make(map[int64]bool)
	for _, inv := range s.m.Invitees {
		if inv.PK != 0 {
			keep[inv.PK] = true
		}
	}
	rows, err := s.tx.QueryContext(ctx, `SELECT pk FROM invitees WHERE meeting_pk = ?`, s.pk)
	if err != nil {
		return err
	}
	var remove []int64
	for rows.Next() {
		var pk int64
		if err := rows.Scan(&pk); err != nil {
			rows.Close()
			return err
		}
		if !keep[pk] {
			remove = append(remove, pk)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, pk := range remove {
		if _, err := s.tx.ExecContext(ctx, `DELETE FROM invitees WHERE pk = ?`, pk); err != nil {
			return err
		}
	}

	for _, inv := range s.m.Invitees {
		var tokIdx, tokSealed []byte
		if inv.Token != nil {
			tokIdx, tokSealed = inv.Token.Index, inv.Token.Sealed
		}
		var contact sql.NullInt64
		if inv.ContactID != nil {
			contact = sql.NullInt64{Int64: *inv.ContactID, Valid: true}
		}
		if inv.PK == 0 {
			var pk int64
			err := s.tx.QueryRowContext(ctx, `INSERT INTO invitees
				(id, meeting_pk, contact_id, name, email, phone, token_index, token_sealed, token_generation)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
				inv.ID, s.pk, contact, inv.Name, inv.Email, inv.Phone, tokIdx, tokSealed, inv.TokenGeneration).Scan(&pk)
			if isConstraint(err) {
				return credentialConflict()
			} else if err != nil {
				return err
			}
			inv := inv
			s.apply = append(s.apply, func() { inv.PK, inv.MeetingPK = pk, s.pk })
			continue
		}
		res, err := s.tx.ExecContext(ctx, `UPDATE invitees SET id = ?, contact_id = ?, name = ?, email = ?, phone = ?,
			token_index = ?, token_sealed = ?, token_generation = ? WHERE pk = ? AND meeting_pk = ?`,
			inv.ID, contact, inv.Name, inv.Email, inv.Phone, tokIdx, tokSealed, inv.TokenGeneration, inv.PK, s.pk)
		if isConstraint(err) {
			return credentialConflict()
		}
		if err := mustAffect(res, err, "invitee"); err != nil {
			return err
		}
	}
	return nil
}

// saveCredentials replaces the meeting's credentials with m's. Those whose
// Index is unchanged are written back as they were.
func (s *meetingSave) saveCredentials(ctx context.Context) error {
	if _, err := s.tx.ExecContext(ctx, `DELETE FROM credentials WHERE meeting_pk = ?`, s.pk); err != nil {
		return err
	}
	put := func(kind string, invitee func() int64, sec *admit.Secret) error {
		if sec == nil || sec.Index == nil {
			return nil
		}
		var inv sql.NullInt64
		if invitee != nil {
			inv = nullInt64(invitee())
		}
		_, err := s.tx.ExecContext(ctx, `INSERT INTO credentials (meeting_pk, idx, kind, invitee_pk, sealed)
			VALUES (?, ?, ?, ?, ?)`, s.pk, sec.Index, kind, inv, sec.Sealed)
		if isConstraint(err) {
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
		pk := func() int64 { return s.inviteePK(ctx, inv) }
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
func (s *meetingSave) inviteePK(ctx context.Context, inv *admit.Invitee) int64 {
	if inv.PK != 0 {
		return inv.PK
	}
	var pk int64
	s.tx.QueryRowContext(ctx, `SELECT pk FROM invitees WHERE id = ? AND meeting_pk = ?`, inv.ID, s.pk).Scan(&pk)
	return pk
}

// DeleteMeeting marks the meeting deleted at now, revokes its access codes,
// ends its open occurrences and marks its active participants as left. Its
// number stays reserved. ENOTFOUND.
func (db *DB) DeleteMeeting(ctx context.Context, meetingPK int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		return deleteMeeting(ctx, tx, meetingPK, now)
	})
}

// deleteMeeting is DeleteMeeting within tx.
func deleteMeeting(ctx context.Context, tx *wtx, meetingPK int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE meetings SET deleted_at = ?, updated_at = ?
		WHERE pk = ? AND deleted_at IS NULL`, nanos(now), nanos(now), meetingPK)
	if err := mustAffect(res, err, "meeting"); err != nil {
		return err
	}
	if err := revokeCodes(ctx, tx, now, `meeting_pk = ?`, meetingPK); err != nil {
		return err
	}
	n := nanos(now)
	if _, err := tx.ExecContext(ctx, `UPDATE occurrences SET ended_at = ?
		WHERE meeting_pk = ? AND ended_at IS NULL AND opens_at <= ? AND closes_at > ?`, n, meetingPK, n, n); err != nil {
		return err
	}
	return leaveActive(ctx, tx, now,
		`occurrence_pk IN (SELECT pk FROM occurrences WHERE meeting_pk = ?)`, meetingPK)
}

// leaveActive marks the active participants matching where as left at now.
func leaveActive(ctx context.Context, tx *wtx, now time.Time, where string, args ...any) error {
	_, err := tx.ExecContext(ctx, `UPDATE participants SET state = 'left', left_at = ?
		WHERE state IN ('waiting', 'admitted') AND `+where, append([]any{nanos(now)}, args...)...)
	return err
}

// EndOccurrence ends the occurrence at now and marks its active participants
// as left. ENOTFOUND; ECONFLICT when already ended.
func (db *DB) EndOccurrence(ctx context.Context, occurrencePK int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		var ended sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT o.ended_at FROM occurrences o JOIN meetings m ON m.pk = o.meeting_pk
			WHERE o.pk = ? AND o.removed_at IS NULL AND m.deleted_at IS NULL`, occurrencePK).Scan(&ended)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("occurrence")
		} else if err != nil {
			return err
		}
		if ended.Valid && ended.Int64 <= nanos(now) {
			return admit.Errorf(admit.ECONFLICT, "The occurrence has already ended.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE occurrences SET ended_at = ? WHERE pk = ?`, nanos(now), occurrencePK); err != nil {
			return err
		}
		return leaveActive(ctx, tx, now, `occurrence_pk = ?`, occurrencePK)
	})
}

// OpenPersonalOccurrence returns the personal room's open occurrence at now,
// or atomically adds the next one built by make (Index one past the last).
// make runs on the writer's goroutine and must not call the store.
// ENOTFOUND; ECONFLICT (field "access_code") when the new occurrence's
// access code is reserved.
func (db *DB) OpenPersonalOccurrence(ctx context.Context, meetingPK int64, now time.Time, make func(index int) *admit.Occurrence) (*admit.Occurrence, error) {
	now = now.UTC()
	var found *admit.Occurrence
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		var last int
		err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT MAX(idx) FROM occurrences WHERE meeting_pk = m.pk), 0)
			FROM meetings m WHERE m.pk = ? AND m.deleted_at IS NULL`, meetingPK).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("meeting")
		} else if err != nil {
			return err
		}
		if found, err = openOccurrence(ctx, tx, meetingPK, now); err != nil || found != nil {
			return err
		}
		o := make(last + 1)
		if o == nil {
			return errors.New("sqlite: OpenPersonalOccurrence: make returned nil")
		}
		o.Index, o.MeetingPK = last+1, meetingPK
		s := &meetingSave{tx: tx, now: now, m: &admit.Meeting{PK: meetingPK}, pk: meetingPK}
		var pk int64
		err = tx.QueryRowContext(ctx, `INSERT INTO occurrences
			(meeting_pk, idx, starts_at, ends_at, opens_at, closes_at, ended_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
			meetingPK, o.Index, nanos(o.Start), nanos(o.End), nanos(o.OpensAt), nanos(o.ClosesAt), ptrNanos(o.EndedAt)).Scan(&pk)
		if err != nil {
			return err
		}
		if err := s.insertCode(ctx, pk, o); err != nil {
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
func openOccurrence(ctx context.Context, q querier, meetingPK int64, now time.Time) (*admit.Occurrence, error) {
	n := nanos(now)
	occs, err := findOccurrences(ctx, q, `o.meeting_pk = ? AND o.opens_at <= ? AND o.closes_at > ?
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
