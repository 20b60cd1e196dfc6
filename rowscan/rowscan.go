package rowscan

import (
	"errors"
	"time"

	"github.com/admit-project/admit"
)

// Scanner is one row: *sql.Row, *sql.Rows, pgx.Row and pgx.Rows are all
// Scanners.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows is a result set being read: *sql.Rows and pgx.Rows are both Rows.
// The caller closes it.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// Collect reads every row left in rows with scan, in order, and returns
// the values (nil when there is none). It stops at the first error, of
// scan or of rows. The caller still closes rows.
func Collect[T any](rows Rows, scan func(Scanner) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Int reads a row of one integer column.
func Int(row Scanner) (int, error) {
	var n int
	err := row.Scan(&n)
	return n, err
}

// fromNanos converts a stored time (unix nanoseconds) to a UTC time.Time.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// ptrFromNanos converts a nullable stored time; NULL is nil.
func ptrFromNanos(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := fromNanos(*n)
	return &t
}

// Attempt reads the columns id, at, meeting_pk, occurrence_pk, occurrence,
// channel, source, method, outcome, reason, participant_pk.
func Attempt(row Scanner) (*admit.Attempt, error) {
	var a admit.Attempt
	var at int64
	var channel string
	if err := row.Scan(&a.ID, &at, &a.MeetingPK, &a.OccurrencePK, &a.Occurrence, &channel,
		&a.Source, &a.Method, &a.Outcome, &a.Reason, &a.ParticipantPK); err != nil {
		return nil, err
	}
	a.At, a.Channel = fromNanos(at), admit.Channel(channel)
	return &a, nil
}

// Event reads the columns id, seq, at, account_id, actor, action, target,
// source, outcome, detail, prev_hash, hash. An entry that has no seq reads
// as Seq 0.
func Event(row Scanner) (*admit.Event, error) {
	var e admit.Event
	var at int64
	var seq *int64
	if err := row.Scan(&e.ID, &seq, &at, &e.AccountID, &e.Actor, &e.Action, &e.Target, &e.Source,
		&e.Outcome, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	if seq != nil {
		e.Seq = *seq
	}
	e.At = fromNanos(at)
	return &e, nil
}

// Participant reads the columns pk, id, occurrence_pk, the occurrence's
// idx, invitee_pk, invitee_id, display_name, base_name, shared_credential
// (as a boolean), channel, source, state, joined_at, admitted_at, left_at,
// budget_hold (admit.BudgetHold).
// The error is the row's, unchanged: the store maps "no rows".
func Participant(row Scanner) (*admit.Participant, error) {
	var p admit.Participant
	var channel string
	var joined int64
	var admitted, left *int64
	var hold int
	err := row.Scan(&p.PK, &p.ID, &p.OccurrencePK, &p.Occurrence, &p.InviteePK, &p.InviteeID, &p.DisplayName,
		&p.BaseName, &p.SharedCredential, &channel, &p.Source, &p.State, &joined, &admitted, &left, &hold, &p.CallerSealed)
	if err != nil {
		return nil, err
	}
	p.SetHold(admit.BudgetHold(hold))
	p.Channel, p.JoinedAt = admit.Channel(channel), fromNanos(joined)
	p.AdmittedAt, p.LeftAt = ptrFromNanos(admitted), ptrFromNanos(left)
	return &p, nil
}

// Occurrence reads the columns pk, meeting_pk, idx, starts_at, ends_at,
// opens_at, closes_at, ended_at of an occurrence, then idx, sealed and
// uses (0 when none) of its current access code, if any.
func Occurrence(row Scanner) (*admit.Occurrence, error) {
	var o admit.Occurrence
	var start, end, opens, closes int64
	var ended *int64
	var codeIdx, codeSealed []byte
	if err := row.Scan(&o.PK, &o.MeetingPK, &o.Index, &start, &end, &opens, &closes, &ended,
		&codeIdx, &codeSealed, &o.Uses); err != nil {
		return nil, err
	}
	o.Start, o.End, o.OpensAt, o.ClosesAt = fromNanos(start), fromNanos(end), fromNanos(opens), fromNanos(closes)
	o.EndedAt = ptrFromNanos(ended)
	if codeIdx != nil {
		o.AccessCode = &admit.Secret{Index: codeIdx, Sealed: codeSealed}
	}
	return &o, nil
}

// Invitee reads the columns pk, id, meeting_pk, contact_id, name, email,
// phone, token_index, token_sealed, token_generation.
func Invitee(row Scanner) (*admit.Invitee, error) {
	var inv admit.Invitee
	var tokIdx, tokSealed []byte
	if err := row.Scan(&inv.PK, &inv.ID, &inv.MeetingPK, &inv.ContactID, &inv.Name, &inv.Email, &inv.Phone, &tokIdx, &tokSealed, &inv.TokenGeneration); err != nil {
		return nil, err
	}
	if tokIdx != nil {
		inv.Token = &admit.Secret{Index: tokIdx, Sealed: tokSealed}
	}
	return &inv, nil
}

// Credentials reads every row left in rows, of the columns kind,
// invitee_pk, idx, sealed, and sets each credential in its place on m or
// on the invitee of m.Invitees it belongs to (see CredentialSlot). The
// caller closes rows.
func Credentials(rows Rows, m *admit.Meeting) error {
	byPK := make(map[int64]*admit.Invitee, len(m.Invitees))
	for _, inv := range m.Invitees {
		byPK[inv.PK] = inv
	}
	for rows.Next() {
		var kind string
		var invPK *int64
		s := new(admit.Secret)
		if err := rows.Scan(&kind, &invPK, &s.Index, &s.Sealed); err != nil {
			return err
		}
		var inv *admit.Invitee
		if invPK != nil {
			inv = byPK[*invPK]
		}
		if slot := CredentialSlot(m, inv, kind); slot != nil {
			*slot = s
		}
	}
	return rows.Err()
}

// CredentialSlot returns the field of m (or of its invitee inv) that holds
// a credential of the kind, or nil when there is none.
func CredentialSlot(m *admit.Meeting, inv *admit.Invitee, kind string) **admit.Secret {
	switch kind {
	case admit.CredPasscode:
		return &m.Passcode
	case admit.CredPhonePasscode:
		return &m.PhonePasscode
	}
	if inv == nil {
		return nil
	}
	switch kind {
	case admit.CredInviteePasscode:
		return &inv.Passcode
	case admit.CredInviteePhonePasscode:
		return &inv.PhonePasscode
	case admit.CredInviteePIN:
		return &inv.PIN
	}
	return nil
}

// Found returns v and err, but an ENOTFOUND error naming what ("account
// not found") when err is noRows, the driver's "no rows" error.
func Found[T any](v T, err, noRows error, what string) (T, error) {
	if errors.Is(err, noRows) {
		var zero T
		return zero, admit.Errorf(admit.ENOTFOUND, "%s not found", what)
	}
	return v, err
}

// StoredOccurrence is an occurrence as saving a meeting finds it: its key,
// its Index, and its current access code's key (0 when none) and Index.
type StoredOccurrence struct {
	PK        int64
	Index     int
	CodePK    int64
	CodeIndex []byte
}

// StoredOccurrences reads every row left in rows, of the columns pk, idx,
// the current code's pk (0 when none) and idx, by Index. The caller closes
// rows.
func StoredOccurrences(rows Rows) (map[int]*StoredOccurrence, error) {
	stored := make(map[int]*StoredOccurrence)
	for rows.Next() {
		var so StoredOccurrence
		if err := rows.Scan(&so.PK, &so.Index, &so.CodePK, &so.CodeIndex); err != nil {
			return nil, err
		}
		stored[so.Index] = &so
	}
	return stored, rows.Err()
}

// Indexes returns the keys of stored, in no particular order.
func Indexes(stored map[int]*StoredOccurrence) []int {
	out := make([]int, 0, len(stored))
	for idx := range stored {
		out = append(out, idx)
	}
	return out
}

// PasscodeIndex sets on m its shared passcode of the kind (CredPasscode or
// CredPhonePasscode), with Index only, when idx is not nil. Other kinds
// are left alone.
func PasscodeIndex(m *admit.Meeting, kind string, idx []byte) {
	if idx == nil {
		return
	}
	switch kind {
	case admit.CredPasscode:
		m.Passcode = &admit.Secret{Index: idx}
	case admit.CredPhonePasscode:
		m.PhonePasscode = &admit.Secret{Index: idx}
	}
}
