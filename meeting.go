package admit

import (
	"time"
)

// Kind is the kind of a meeting.
type Kind string

// Meeting kinds.
const (
	KindInstant   Kind = "instant"   // starts now
	KindScheduled Kind = "scheduled" // one occurrence at a set time
	KindRecurring Kind = "recurring" // a daily or weekly series
	KindPersonal  Kind = "personal"  // a host's personal meeting room
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	return k == KindInstant || k == KindScheduled || k == KindRecurring || k == KindPersonal
}

// Meeting limits.
const (
	DefaultDurationMinutes = 60
	MaxDurationMinutes     = 24 * 60
	MaxTopicLength         = 200
	MaxInvitees            = 1000
	// CodeQuarantine is how long an access code stays reserved after its
	// occurrence's window closes (or it is replaced), so that it is never
	// reissued to another meeting while a late joiner may still type it.
	CodeQuarantine = 30 * 24 * time.Hour
)

// Secret is a credential as the store keeps it: Index is a keyed HMAC used
// for lookups by value, Sealed an AES-256-GCM copy the host can display.
// Plain is the value in memory, set when the secret is made or opened; it is
// never stored.
type Secret struct {
	Index  []byte
	Sealed []byte
	Plain  string
}

// Meeting is a meeting as the store keeps it. Meeting numbers and secrets are
// drawn by the Service; the store guarantees their uniqueness rules.
type Meeting struct {
	PK        int64  // store key
	ID        string // public identifier ("m" + random)
	AccountID int64
	HostID    int64
	// AlternativeHosts are users of the account (IDs) the host named: they
	// may see the codes and run the meeting, not change or delete it.
	AlternativeHosts []int64
	Number           string // meeting ID (11 digits) or personal meeting ID (10)
	Topic            string
	Kind             Kind
	Start            time.Time // first occurrence (UTC); zero for personal rooms
	Duration         int       // minutes
	Timezone         string    // IANA name
	Recurrence       *Recurrence
	Security         Security

	// Shared passcode and its numeric phone form (nil when none).
	Passcode      *Secret
	PhonePasscode *Secret
	// PwdIndex is the index of the encoded passcode in the join URL.
	PwdIndex []byte

	Occurrences []*Occurrence
	Invitees    []*Invitee

	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time

	// ReminderLead is how long before each occurrence its reminder goes
	// out; 0: the account's (or the deployment's).
	ReminderLead time.Duration
}

// Occurrence is one session of a meeting with its own validity window and
// access code.
type Occurrence struct {
	PK        int64
	MeetingPK int64
	Index     int       // 1-based position in the series
	Start     time.Time // scheduled start (UTC)
	End       time.Time // scheduled end (UTC)
	OpensAt   time.Time // start minus early-join minutes
	ClosesAt  time.Time // end plus grace minutes
	EndedAt   *time.Time
	// AccessCode is the current access code (nil when the meeting has none).
	AccessCode *Secret
	// CodeIssuedAt is when AccessCode was drawn, while the occurrence is
	// being saved; zero for occurrences read back from the store.
	CodeIssuedAt time.Time
	// Uses counts the joins the access code has let in.
	Uses int
}

// NewOccurrence returns the occurrence index starting at start under s.
func NewOccurrence(index int, start time.Time, durationMinutes int, s Security) *Occurrence {
	o := &Occurrence{Index: index, Start: start.UTC()}
	o.End = o.Start.Add(time.Duration(durationMinutes) * time.Minute)
	o.OpensAt = o.Start.Add(-time.Duration(s.EarlyJoinMinutes) * time.Minute)
	o.ClosesAt = o.End.Add(time.Duration(s.GraceMinutes) * time.Minute)
	return o
}

// WindowState is where an instant falls relative to an occurrence's window.
type WindowState int

// Window states.
const (
	WindowNotOpen WindowState = iota // before OpensAt
	WindowOpen                       // in the window and not ended
	WindowClosed                     // after ClosesAt, or ended by the host
)

// State returns the state of the occurrence's window at now.
func (o *Occurrence) State(now time.Time) WindowState {
	switch {
	case o.EndedAt != nil && !now.Before(*o.EndedAt):
		return WindowClosed
	case now.Before(o.OpensAt):
		return WindowNotOpen
	case now.Before(o.ClosesAt):
		return WindowOpen
	}
	return WindowClosed
}

// ReservedFrom and ReservedUntil bound the time during which the
// occurrence's access code identifies it and may not be given to any other
// occurrence: from when the code is issued (so that a code typed before its
// window opens is told "not open yet", not "invalid") until CodeQuarantine
// after the window closes. A store that keeps a code across a save keeps the
// earlier of the stored and the new ReservedFrom.
func (o *Occurrence) ReservedFrom() time.Time {
	if !o.CodeIssuedAt.IsZero() && o.CodeIssuedAt.Before(o.OpensAt) {
		return o.CodeIssuedAt
	}
	return o.OpensAt
}
func (o *Occurrence) ReservedUntil() time.Time { return o.ClosesAt.Add(CodeQuarantine) }

// Invitee is a person invited to a meeting, with credentials of their own.
type Invitee struct {
	PK        int64
	ID        string // public identifier ("i" + random)
	MeetingPK int64
	ContactID *int64
	Name      string
	Email     string
	Phone     string
	// Token is the link token: derived from the server's key, the meeting,
	// the invitee and TokenGeneration (Index set, Sealed nil); an invitee
	// made before derived tokens has a random one, sealed
	// (TokenGeneration 0).
	Token           *Secret
	TokenGeneration int
	PIN             *Secret // numeric phone PIN
	// Unique passcode and its phone form (passcode mode "unique" only).
	Passcode      *Secret
	PhonePasscode *Secret
}

// InviteeInput is an invitee as a create request gives it: either a contact
// of the account's address book, or a name with an email or phone.
type InviteeInput struct {
	ContactID *int64 `json:"contact_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// MeetingInput is a request to create a meeting, or (with the Patch flags of
// the service) to change one.
type MeetingInput struct {
	Topic           *string         `json:"topic,omitempty"`
	Kind            *Kind           `json:"kind,omitempty"`
	Start           *time.Time      `json:"start,omitempty"`
	DurationMinutes *int            `json:"duration_minutes,omitempty"`
	Timezone        *string         `json:"timezone,omitempty"`
	Recurrence      *Recurrence     `json:"recurrence,omitempty"`
	Security        *SecurityInput  `json:"security,omitempty"`
	Invitees        []*InviteeInput `json:"invitees,omitempty"`
	// ReminderLeadMinutes is how long before each occurrence its reminder
	// goes out; 0: the account's default.
	ReminderLeadMinutes *int `json:"reminder_lead_minutes,omitempty"`
	// MeetingID sets a vanity personal meeting ID (personal rooms on the pro
	// plan only).
	MeetingID *string `json:"meeting_id,omitempty"`
	// AlternativeHosts names, by email, users of the account who may see
	// the codes and run the meeting (not change or delete it); it replaces
	// the list (an empty list removes them all).
	AlternativeHosts *[]string `json:"alternative_hosts,omitempty"`
}
