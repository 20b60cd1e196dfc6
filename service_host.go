package admit

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"time"
)

// What the host's meeting page shows on request (Reveal).
const (
	RevealPasscode   = "passcode"
	RevealAccessCode = "access_code"
)

// HostMeeting returns a meeting for its host's page: its invitees'
// credentials (links, PINs, unique passcodes) open, since the host hands
// them out, but its shared passcode and access codes left out (Reveal shows
// them, one at a time, audited). Showing invitees' credentials is audited
// as code.view with detail "invitees". It carries the guessing bound and the
// guess budget. ENOTFOUND.
func (s *Service) HostMeeting(ctx context.Context, a *Actor, id string) (*MeetingView, error) {
	if err := require(a, ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v, err := s.guard(ctx, m, s.view(m, true))
	if err != nil {
		return nil, err
	}
	v.Passcode, v.PhonePasscode = "", ""
	v.JoinURL = s.JoinURL(m, false)
	for _, o := range v.Occurrences {
		o.AccessCode, o.AccessCodeDisplay = "", ""
	}
	if len(v.Invitees) > 0 {
		s.event(ctx, &Event{AccountID: m.AccountID, Actor: a.name(), Action: "code.view", Target: "meeting:" + m.ID, Source: a.source(), Outcome: "ok", Detail: "invitees"})
	}
	return v, nil
}

// Revealed is one secret of a meeting shown to its host.
type Revealed struct {
	Value   string // as typed (access codes: digits)
	Display string // grouped for reading
	Phone   string // the passcode's numeric phone form, when it has one
	// JoinURL is the join link with the encoded passcode (passcode only).
	JoinURL string
}

// Reveal shows the meeting's shared passcode (what RevealPasscode) or the
// access code of occurrence n (RevealAccessCode; 0 is the open or next
// one), and records the showing as code.view with what as detail.
// EINVALID when the meeting has no such secret; ENOTFOUND.
func (s *Service) Reveal(ctx context.Context, a *Actor, id, what string, n int) (*Revealed, error) {
	if err := require(a, ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var out *Revealed
	detail := what
	switch what {
	case RevealPasscode:
		if m.Passcode == nil {
			return nil, FieldErrorf("what", "this meeting has no shared passcode")
		}
		p := s.open(m.Passcode, "meeting:"+m.ID+":passcode")
		out = &Revealed{Value: p, Display: p, Phone: s.open(m.PhonePasscode, "meeting:"+m.ID+":phone-passcode"), JoinURL: s.JoinURL(m, true)}
	case RevealAccessCode:
		if !m.Security.AccessCode {
			return nil, FieldErrorf("what", "this meeting has no access code")
		}
		o, err := s.pickOccurrence(m, n, s.now())
		if err != nil {
			return nil, err
		}
		c := s.open(o.AccessCode, codeAD(m, o.Index))
		if c == "" {
			return nil, FieldErrorf("occurrence", "occurrence %d has no access code", o.Index)
		}
		out = &Revealed{Value: c, Display: FormatDigits(c)}
		detail += " occurrence " + itoa(int64(o.Index))
	default:
		return nil, FieldErrorf("what", "what must be passcode or access_code")
	}
	s.event(ctx, &Event{AccountID: m.AccountID, Actor: a.name(), Action: "code.view", Target: "meeting:" + m.ID, Source: a.source(), Outcome: "ok", Detail: detail})
	return out, nil
}

// WatchMeeting returns a channel that receives a value whenever the
// meeting's roster, budget or join data may have changed (coalesced: one
// value stands for any number of changes), until ctx is done. ENOTFOUND.
func (s *Service) WatchMeeting(ctx context.Context, a *Actor, id string) (<-chan struct{}, error) {
	if err := require(a, ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ch, err := s.Changes().Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for c := range ch {
			if c.MeetingPK != m.PK {
				continue
			}
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out, nil
}

// SecurityPreview is what a meeting's security settings would give, as the
// schedule form shows them while the host types.
type SecurityPreview struct {
	Security Security
	// PasscodeError is why a chosen passcode breaks the policy ("" when it
	// does not, or none was chosen); field security.passcode_value.
	PasscodeError string
	// Bound is the guessing bound the settings give with the invitees;
	// BoundError says what to raise when it exceeds the ceiling.
	Bound      Bound
	BoundError string
	// Error is any other problem with the settings (a locked or bad field).
	Error      string
	ErrorField string
}

// PreviewSecurity resolves in over the actor's account defaults (with
// their locks) for a meeting with invitees invitees, checks a chosen
// passcode with the policy the service applies when the meeting is saved,
// and computes the guessing bound, drawing generated credentials as
// CreateMeeting would. Nothing is stored.
func (s *Service) PreviewSecurity(ctx context.Context, a *Actor, in *SecurityInput, invitees int) (*SecurityPreview, error) {
	if err := require(a, ScopeRead); err != nil {
		return nil, err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	if invitees < 0 || invitees > MaxInvitees {
		return nil, FieldErrorf("invitees", "a meeting may have at most %d invitees", MaxInvitees)
	}
	out := &SecurityPreview{}
	m := &Meeting{ID: "mpreview", AccountID: acct.ID, Kind: KindScheduled, Security: acct.Security.Security}
	var chosen *string
	if in != nil {
		chosen = in.PasscodeValue
		if err := m.Security.Apply(in, &acct.Security, "security"); err != nil {
			out.Error, out.ErrorField = ErrorMessage(err), ErrorField(err)
			out.Security = m.Security
			return out, nil
		}
	}
	out.Security = m.Security
	if chosen != nil && m.Security.Passcode == PasscodeShared {
		if err := m.Security.PasscodePolicy.CheckChosen("security.passcode_value", *chosen, ""); err != nil {
			out.PasscodeError = ErrorMessage(err)
			chosen = nil
		}
	} else {
		chosen = nil
	}
	for i := 0; i < invitees; i++ {
		m.Invitees = append(m.Invitees, &Invitee{ID: "ipreview" + itoa(int64(i))})
	}
	if err := s.setPasscodes(m, chosen, true); err != nil {
		return nil, err
	}
	s.openSecrets(m)
	out.Bound = GuessBound(m, acct.Security.Budget(), acct.Security.Ceiling())
	if err := out.Bound.Check("security."); err != nil {
		out.BoundError = ErrorMessage(err)
	}
	return out, nil
}

// PersonalRoom returns the actor's personal meeting room, without secrets.
// ENOTFOUND.
func (s *Service) PersonalRoom(ctx context.Context, a *Actor) (*MeetingView, error) {
	if err := require(a, ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.Store.FindPersonalRoom(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	return s.view(m, false), nil
}

// Plan returns the plan of the actor's account.
func (s *Service) Plan(ctx context.Context, a *Actor) (Plan, error) {
	if err := require(a, ScopeRead); err != nil {
		return "", err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return "", err
	}
	return acct.Plan, nil
}

// AttendanceCSVHeader is the header row of an attendance CSV, in column
// order.
var AttendanceCSVHeader = []string{
	"participant_id", "display_name", "invitee_id", "email", "shared_credential", "channel",
	"source", "state", "joined_at", "admitted_at", "left_at", "duration_seconds",
}

// AttendanceCSV renders att as CSV: a header row, then one row per
// participant, times in RFC 3339 UTC; a cell a spreadsheet would read as a
// formula is defused with a leading single quote. The API and the web app
// both serve it.
func AttendanceCSV(att *Attendance) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(AttendanceCSVHeader); err != nil {
		return nil, err
	}
	for _, row := range att.Rows {
		rec := []string{
			row.ParticipantID, row.DisplayName, row.InviteeID, row.Email,
			strconv.FormatBool(row.SharedCredential), string(row.Channel), row.Source, row.State,
			csvTime(&row.JoinedAt), csvTime(row.AdmittedAt), csvTime(row.LeftAt),
			strconv.FormatInt(row.DurationSeconds, 10),
		}
		for i := range rec {
			rec[i] = CSVCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// CSVCell defuses a cell that a spreadsheet would read as a formula (it
// starts with = + - @, a tab or a carriage return) by prefixing a single
// quote.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// SuggestPasscode draws a passcode under the actor's account policy, for
// the schedule form to show (the host keeps it or types their own).
func (s *Service) SuggestPasscode(ctx context.Context, a *Actor) (string, error) {
	if err := require(a, ScopeRead); err != nil {
		return "", err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return "", err
	}
	pol := acct.Security.PasscodePolicy
	for {
		p, err := pol.Generate(s.Rand)
		if err != nil {
			return "", err
		}
		if pol.CheckChosen("passcode", p) == nil {
			return p, nil
		}
	}
}
