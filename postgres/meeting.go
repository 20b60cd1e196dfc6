package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// SaveMeeting writes m whole, in one transaction. With m.PK == 0 it inserts
// the meeting; otherwise it makes the stored meeting equal to m, as
// admit.Store describes. PKs and times are set on m only once the
// transaction has committed, so that on error m is as it was. ECONFLICT
// (fields "meeting_id", "access_code", "credential"); ENOTFOUND when m.PK
// names no live meeting.
func (db *DB) SaveMeeting(ctx context.Context, m *admit.Meeting, now time.Time) error {
	now = now.UTC()
	var s *meetingSave
	err := db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
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
	tx    pgx.Tx
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
	var rec *string
	if m.Recurrence != nil {
		js, err := json.Marshal(m.Recurrence)
		if err != nil {
			return err
		}
		r := string(js)
		rec = &r
	}

	// The number: free, or already this meeting's. A number issued
	// meanwhile by a concurrent transaction is caught by the unique keys
	// of meetings and numbers.
	var owner int64
	err = s.tx.QueryRow(ctx, `SELECT meeting_pk FROM numbers WHERE number = $1`, m.Number).Scan(&owner)
	numberIssued := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if numberIssued && (m.PK == 0 || owner != m.PK) {
		return numberConflict()
	}

	if m.PK == 0 {
		err = s.tx.QueryRow(ctx, `INSERT INTO meetings (id, account_id, host_id, number, topic, kind,
			starts_at, duration, timezone, recurrence, security, pwd_index, created_at, updated_at, reminder_lead)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING pk`,
			m.ID, m.AccountID, m.HostID, m.Number, m.Topic, string(m.Kind), nullNanos(m.Start), m.Duration,
			m.Timezone, rec, string(sec), m.PwdIndex, nanos(s.now), nanos(s.now), int64(m.ReminderLead)).Scan(&s.pk)
		if isUnique(err, "meetings_number_key") {
			return numberConflict()
		} else if err != nil {
			return err
		}
		// The meeting's budget row exists from the start, so that its first
		// refused guess updates a row as every refusal does (see
		// dummyBudgets): an insert would take longer, and tell a real
		// meeting from an unknown one by time.
		if _, err := s.tx.Exec(ctx, `INSERT INTO meeting_budgets (meeting_pk) VALUES ($1) ON CONFLICT DO NOTHING`, s.pk); err != nil {
			return err
		}
		s.apply = append(s.apply, func() { m.PK, m.CreatedAt, m.UpdatedAt = s.pk, s.now, s.now })
	} else {
		s.pk = m.PK
		tag, err := s.tx.Exec(ctx, `UPDATE meetings SET id = $1, account_id = $2, host_id = $3, number = $4,
			topic = $5, kind = $6, starts_at = $7, duration = $8, timezone = $9, recurrence = $10, security = $11,
			pwd_index = $12, updated_at = $13, reminder_lead = $15 WHERE pk = $14 AND deleted_at IS NULL`,
			m.ID, m.AccountID, m.HostID, m.Number, m.Topic, string(m.Kind), nullNanos(m.Start), m.Duration,
			m.Timezone, rec, string(sec), m.PwdIndex, nanos(s.now), m.PK, int64(m.ReminderLead))
		if isUnique(err, "meetings_number_key") {
			return numberConflict()
		}
		if err := mustAffect(tag, err, "meeting"); err != nil {
			return err
		}
		s.apply = append(s.apply, func() { m.UpdatedAt = s.now })
	}
	alt, err := json.Marshal(nonNilIDs(m.AlternativeHosts))
	if err != nil {
		return err
	}
	if _, err := s.tx.Exec(ctx, `UPDATE meetings SET alternative_hosts = $1 WHERE pk = $2`, string(alt), s.pk); err != nil {
		return err
	}
	if !numberIssued {
		_, err := s.tx.Exec(ctx, `INSERT INTO numbers (number, meeting_pk, issued_at) VALUES ($1, $2, $3)`,
			m.Number, s.pk, nanos(s.now))
		if isUnique(err) {
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
	rows, err := s.tx.Query(ctx, `SELECT o.pk, o.idx, COALESCE(c.pk, 0), c.idx FROM occurrences o
		LEFT JOIN access_codes c ON c.occurrence_pk = o.pk AND c.revoked_at IS NULL
		WHERE o.meeting_pk = $1 AND o.removed_at IS NULL`, s.pk)
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
		pk, err := insertOccurrence(ctx, s.tx, s.pk, o)
		if err != nil {
			return err
		}
		s.apply = append(s.apply, func() { o.PK, o.MeetingPK, o.Uses = pk, s.pk, 0 })
		if o.AccessCode != nil {
			if err := s.insertCode(ctx, pk, o); err != nil {
				return err
			}
		}
	}
	return nil
}

func insertOccurrence(ctx context.Context, tx pgx.Tx, meetingPK int64, o *admit.Occurrence) (int64, error) {
	var pk int64
	err := tx.QueryRow(ctx, `INSERT INTO occurrences
		(meeting_pk, idx, starts_at, ends_at, opens_at, closes_at, ended_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING pk`,
		meetingPK, o.Index, nanos(o.Start), nanos(o.End), nanos(o.OpensAt), nanos(o.ClosesAt), ptrNanos(o.EndedAt)).Scan(&pk)
	return pk, err
}

// updateOccurrence makes the stored occurrence so equal to o. It never
// clears EndedAt, nor touches the uses counted by Admit.
func (s *meetingSave) updateOccurrence(ctx context.Context, o *admit.Occurrence, so *rowscan.StoredOccurrence) error {
	_, err := s.tx.Exec(ctx, `UPDATE occurrences SET starts_at = $1, ends_at = $2, opens_at = $3, closes_at = $4,
		ended_at = COALESCE(ended_at, $5) WHERE pk = $6`,
		nanos(o.Start), nanos(o.End), nanos(o.OpensAt), nanos(o.ClosesAt), ptrNanos(o.EndedAt), so.PK)
	if err != nil {
		return err
	}
	pk := so.PK
	s.apply = append(s.apply, func() { o.PK, o.MeetingPK = pk, s.pk })

	switch {
	case o.AccessCode == nil || o.AccessCode.Index == nil:
		return revokeCodes(ctx, s.tx, s.now, `occurrence_pk = $2`, so.PK)
	case so.CodePK != 0 && bytes.Equal(so.CodeIndex, o.AccessCode.Index):
		// The same code: its reservation follows the window, and never
		// starts later than it did.
		_, err := s.tx.Exec(ctx, `UPDATE access_codes SET sealed = $1, reserved_from = LEAST(reserved_from, $2), reserved_until = $3
			WHERE pk = $4`, o.AccessCode.Sealed, nanos(o.ReservedFrom()), nanos(o.ReservedUntil()), so.CodePK)
		if isOverlap(err) {
			return accessCodeConflict(o.Index)
		}
		return err
	default:
		if err := revokeCodes(ctx, s.tx, s.now, `occurrence_pk = $2`, so.PK); err != nil {
			return err
		}
		return s.insertCode(ctx, so.PK, o)
	}
}

// insertCode inserts o's access code as the current code of occurrence pk.
// The exclusion constraint refuses a reservation that overlaps another of
// the same code, committed or not (an uncommitted one makes it wait).
func (s *meetingSave) insertCode(ctx context.Context, pk int64, o *admit.Occurrence) error {
	if o.AccessCode == nil || o.AccessCode.Index == nil {
		return nil
	}
	_, err := s.tx.Exec(ctx, `INSERT INTO access_codes
		(occurrence_pk, meeting_pk, occurrence_idx, idx, sealed, reserved_from, reserved_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		pk, s.pk, o.Index, o.AccessCode.Index, o.AccessCode.Sealed, nanos(o.ReservedFrom()), nanos(o.ReservedUntil()))
	if isOverlap(err) {
		return accessCodeConflict(o.Index)
	}
	return err
}

// revokeCodes revokes, at now, the current access codes matching where
// (whose one argument is $2). Revoked codes keep their reservation.
func revokeCodes(ctx context.Context, tx pgx.Tx, now time.Time, where string, arg any) error {
	_, err := tx.Exec(ctx, `UPDATE access_codes SET revoked_at = $1 WHERE revoked_at IS NULL AND `+where, nanos(now), arg)
	return err
}

// removeOccurrence revokes the occurrence's code and deletes it; an
// occurrence that participants joined is kept, ended and marked removed.
func (s *meetingSave) removeOccurrence(ctx context.Context, so *rowscan.StoredOccurrence) error {
	if err := revokeCodes(ctx, s.tx, s.now, `occurrence_pk = $2`, so.PK); err != nil {
		return err
	}
	tag, err := s.tx.Exec(ctx, `DELETE FROM occurrences WHERE pk = $1
		AND NOT EXISTS (SELECT 1 FROM participants WHERE occurrence_pk = $1)`, so.PK)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	now := nanos(s.now)
	if _, err := s.tx.Exec(ctx, `UPDATE occurrences SET removed_at = $1, ended_at = COALESCE(ended_at, $1)
		WHERE pk = $2`, now, so.PK); err != nil {
		return err
	}
	return leaveActive(ctx, s.tx, s.now, `occurrence_pk = $2`, so.PK)
}

func (s *meetingSave) saveInvitees(ctx context.Context) error {
	keep := make(map[int64]bool)
	for _, inv := range s.m.Invitees {
		if inv.PK != 0 {
			keep[inv.PK] = true
		}
	}
	rows, err := s.tx.Query(ctx, `SELECT pk FROM invitees WHERE meeting_pk = $1`, s.pk)
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
		if _, err := s.tx.Exec(ctx, `DELETE FROM invitees WHERE pk = $1`, pk); err != nil {
			return err
		}
	}

	for _, inv := range s.m.Invitees {
		var tokIdx, tokSealed []byte
		if inv.Token != nil {
			tokIdx, tokSealed = inv.Token.Index, inv.Token.Sealed
		}
		if inv.PK == 0 {
			var pk int64
			err := s.tx.QueryRow(ctx, `INSERT INTO invitees
				(id, meeting_pk, contact_id, name, email, phone, token_index, token_sealed, token_generation)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING pk`,
				inv.ID, s.pk, inv.ContactID, inv.Name, inv.Email, inv.Phone, tokIdx, tokSealed, inv.TokenGeneration).Scan(&pk)
			if isUnique(err) {
				return credentialConflict()
			} else if err != nil {
				return err
			}
			s.apply = append(s.apply, func() { inv.PK, inv.MeetingPK = pk, s.pk })
			continue
		}
		tag, err := s.tx.Exec(ctx, `UPDATE invitees SET id = $1, contact_id = $2, name = $3, email = $4, phone = $5,
			token_index = $6, token_sealed = $7, token_generation = $8 WHERE pk = $9 AND meeting_pk = $10`,
			inv.ID, inv.ContactID, inv.Name, inv.Email, inv.Phone, tokIdx, tokSealed, inv.TokenGeneration, inv.PK, s.pk)
		if isUnique(err) {
			return credentialConflict()
		}
		if err := mustAffect(tag, err, "invitee"); err != nil {
			return err
		}
	}
	return nil
}

// saveCredentials replaces the meeting's credentials with m's.
func (s *meetingSave) saveCredentials(ctx context.Context) error {
	if _, err := s.tx.Exec(ctx, `DELETE FROM credentials WHERE meeting_pk = $1`, s.pk); err != nil {
		return err
	}
	put := func(kind string, invitee func() (int64, error), sec *admit.Secret) error {
		if sec == nil || sec.Index == nil {
			return nil
		}
		var inv *int64
		if invitee != nil {
			pk, err := invitee()
			if err != nil {
				return err
			}
			inv = nullInt64(pk)
		}
		_, err := s.tx.Exec(ctx, `INSERT INTO credentials (meeting_pk, idx, kind, invitee_pk, sealed)
			VALUES ($1, $2, $3, $4, $5)`, s.pk, sec.Index, kind, inv, sec.Sealed)
		if isUnique(err) {
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
	err := s.tx.QueryRow(ctx, `SELECT pk FROM invitees WHERE id = $1 AND meeting_pk = $2`, inv.ID, s.pk).Scan(&pk)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return pk, err
}

// DeleteMeeting marks the meeting deleted at now, revokes its access codes,
// ends its open occurrences and marks its active participants as left. Its
// number stays reserved. ENOTFOUND.
func (db *DB) DeleteMeeting(ctx context.Context, meetingPK int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		return deleteMeeting(ctx, tx, meetingPK, now)
	})
}

func deleteMeeting(ctx context.Context, tx pgx.Tx, meetingPK int64, now time.Time) error {
	n := nanos(now)
	tag, err := tx.Exec(ctx, `UPDATE meetings SET deleted_at = $1, updated_at = $1
		WHERE pk = $2 AND deleted_at IS NULL`, n, meetingPK)
	if err := mustAffect(tag, err, "meeting"); err != nil {
		return err
	}
	if err := revokeCodes(ctx, tx, now, `meeting_pk = $2`, meetingPK); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE occurrences SET ended_at = $1
		WHERE meeting_pk = $2 AND ended_at IS NULL AND opens_at <= $1 AND closes_at > $1`, n, meetingPK); err != nil {
		return err
	}
	return leaveActive(ctx, tx, now, `occurrence_pk IN (SELECT pk FROM occurrences WHERE meeting_pk = $2)`, meetingPK)
}

// leaveActive marks the active participants matching where (whose one
// argument is $2) as left at now.
func leaveActive(ctx context.Context, tx pgx.Tx, now time.Time, where string, arg any) error {
	_, err := tx.Exec(ctx, `UPDATE participants SET state = 'left', left_at = $1
		WHERE state IN ('waiting', 'admitted') AND `+where, nanos(now), arg)
	return err
}

// EndOccurrence ends the occurrence at now and marks its active participants
// as left. ENOTFOUND; ECONFLICT when already ended.
func (db *DB) EndOccurrence(ctx context.Context, occurrencePK int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		var ended *int64
		err := tx.QueryRow(ctx, `SELECT o.ended_at FROM occurrences o JOIN meetings m ON m.pk = o.meeting_pk
			WHERE o.pk = $1 AND o.removed_at IS NULL AND m.deleted_at IS NULL FOR NO KEY UPDATE OF o`, occurrencePK).Scan(&ended)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("occurrence")
		} else if err != nil {
			return err
		}
		if ended != nil && *ended <= nanos(now) {
			return admit.Errorf(admit.ECONFLICT, "The occurrence has already ended.")
		}
		if _, err := tx.Exec(ctx, `UPDATE occurrences SET ended_at = $1 WHERE pk = $2`, nanos(now), occurrencePK); err != nil {
			return err
		}
		return leaveActive(ctx, tx, now, `occurrence_pk = $2`, occurrencePK)
	})
}

// OpenPersonalOccurrence returns the personal room's open occurrence at now,
// or atomically adds the next one built by make (Index one past the last).
// The meeting's row is locked meanwhile, so that two nodes opening the room
// at once open one occurrence. make must not call the store. ENOTFOUND;
// ECONFLICT (field "access_code") when the new occurrence's access code is
// reserved.
func (db *DB) OpenPersonalOccurrence(ctx context.Context, meetingPK int64, now time.Time, make func(index int) *admit.Occurrence) (*admit.Occurrence, error) {
	now = now.UTC()
	var found *admit.Occurrence
	err := db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		found = nil
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM meetings WHERE pk = $1 AND deleted_at IS NULL FOR NO KEY UPDATE`, meetingPK).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("meeting")
		} else if err != nil {
			return err
		}
		var last int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(idx), 0) FROM occurrences WHERE meeting_pk = $1`, meetingPK).Scan(&last); err != nil {
			return err
		}
		if found, err = openOccurrence(ctx, tx, meetingPK, now); err != nil || found != nil {
			return err
		}
		o := make(last + 1)
		if o == nil {
			return errors.New("postgres: OpenPersonalOccurrence: make returned nil")
		}
		o.Index, o.MeetingPK = last+1, meetingPK
		pk, err := insertOccurrence(ctx, tx, meetingPK, o)
		if err != nil {
			return err
		}
		s := &meetingSave{tx: tx, now: now, m: &admit.Meeting{PK: meetingPK}, pk: meetingPK}
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
	occs, err := findOccurrences(ctx, q, `o.meeting_pk = $1 AND o.opens_at <= $2 AND o.closes_at > $2
		AND (o.ended_at IS NULL OR o.ended_at > $2) ORDER BY o.starts_at, o.idx LIMIT 1`, meetingPK, nanos(now))
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
