package admit

import "time"

// Channel is the way a participant joins.
type Channel string

// Channels.
const (
	ChannelWeb   Channel = "web"
	ChannelApp   Channel = "app"
	ChannelPhone Channel = "phone"
	ChannelAPI   Channel = "api"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	return c == ChannelWeb || c == ChannelApp || c == ChannelPhone || c == ChannelAPI
}

// RefusalMessage is the one message of every refusal short of fully valid
// credentials, whatever the cause.
const RefusalMessage = "Invalid meeting ID or passcode."

// JoinRequest is a participant's attempt to join. Exactly one of MeetingID,
// AccessCode and Token identifies the meeting.
type JoinRequest struct {
	MeetingID  string `json:"meeting_id,omitempty"`
	AccessCode string `json:"access_code,omitempty"`
	Token      string `json:"token,omitempty"`
	Passcode   string `json:"passcode,omitempty"`
	// Pwd is the encoded passcode of a join URL (…/j/{meeting_id}?pwd=…).
	Pwd     string  `json:"pwd,omitempty"`
	Name    string  `json:"name,omitempty"`
	Channel Channel `json:"channel,omitempty"`
	// Source is the caller's address (or caller ID on the phone); set by the
	// transport, never by the caller.
	Source string `json:"-"`
	// Caller is the caller's own identity (their number) passed on by a
	// gateway the transport trusts to say it (never taken from the
	// request's body); when set, the service limits and records the
	// attempt by it, masked and hashed, instead of Source.
	Caller string `json:"-"`
	// Identity is the participant's sign-in with the meeting's account's
	// identity provider, verified by the edge; nil when not signed in.
	// Never taken from the request's body.
	Identity *VerifiedIdentity `json:"-"`
	// CallerNumber is a phone caller's full number as the trusted trunk
	// passed it, set by the phone gateway: it is stored sealed only, and
	// never logged. Never taken from the request's body.
	CallerNumber string `json:"-"`
	// AccountID, when not zero, restricts the join to the meetings of one
	// account: the account of the dial-in number a caller called. A
	// meeting of another account is refused like a wrong passcode. Set by
	// the phone gateway, never taken from the request's body.
	AccountID int64 `json:"-"`
}

// Max lengths of join request fields (longer values are refused before any
// lookup).
const (
	MaxCredentialLength = 64
)

// JoinStatus is the outcome of an accepted join.
type JoinStatus string

// Join statuses: a join answers admitted or waiting; a participant's later
// status (GET /api/v1/participants/{pid}) may also be denied, removed or left.
const (
	StatusAdmitted JoinStatus = "admitted"
	StatusWaiting  JoinStatus = "waiting"
	StatusDenied   JoinStatus = "denied"
	StatusRemoved  JoinStatus = "removed"
	StatusLeft     JoinStatus = "left"
)

// JoinResult is the answer to an accepted join.
type JoinResult struct {
	Status         JoinStatus   `json:"status"`
	Participant    *Participant `json:"participant"`
	AdmissionToken string       `json:"admission_token,omitempty"`
	Meeting        *JoinMeeting `json:"meeting"`
	// Media is what the participant's client needs to connect to the
	// meeting's media room, while they are admitted and the account has a
	// media server (set by ParticipantStatus; POST
	// /api/v1/participants/{pid}/media gives a fresh one).
	Media *MediaGrant `json:"media,omitempty"`
}

// JoinMeeting is what a participant learns of the meeting they joined.
type JoinMeeting struct {
	MeetingID  string    `json:"meeting_id"`
	Topic      string    `json:"topic"`
	Occurrence int       `json:"occurrence"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	// EndedAt is when the host ended the occurrence, if they did: everyone
	// in it left then.
	EndedAt *time.Time `json:"ended_at,omitempty"`
	// DialIn are the dial-in numbers that reach the meeting, each with the
	// one-tap form of its meeting ID, for a participant who would rather
	// call in for audio.
	DialIn []DialInOption `json:"dial_in,omitempty"`
}

// Outcomes of join attempts, as recorded.
const (
	OutcomeAdmitted = "admitted"
	OutcomeWaiting  = "waiting"
	OutcomeRefused  = "refused"
	OutcomeNotOpen  = "not_open"
	OutcomeEnded    = "ended"
	OutcomeInvalid  = "invalid_request"
)

// Internal reasons of refusals, recorded with the attempt and never shown to
// the participant.
const (
	ReasonUnknownMeeting    = "unknown_meeting"
	ReasonWrongPasscode     = "wrong_passcode"
	ReasonUnknownAccessCode = "unknown_access_code"
	ReasonExpiredAccessCode = "expired_access_code"
	ReasonRevokedAccessCode = "revoked_access_code"
	ReasonMaxUses           = "max_uses_reached"
	ReasonUnknownToken      = "unknown_token"
	ReasonWrongPwd          = "wrong_pwd"
	ReasonNotOpen           = "not_open"
	ReasonEnded             = "ended"
	ReasonMeetingDeleted    = "meeting_deleted"
	// ReasonOtherAccount refuses a caller whose dial-in number belongs to
	// another account than the meeting's (JoinRequest.AccountID).
	ReasonOtherAccount = "other_account"
	// ReasonBudgetSpent is recorded with a waiting outcome: a join the
	// credentials would have admitted waits because the meeting's guess
	// budget is spent.
	ReasonBudgetSpent = "guess_budget_spent"
)

// Attempt is the record of one join attempt, successful or not.
type Attempt struct {
	// Spread picks, for a refusal that counts against no meeting, which of
	// the store's dummy budget rows it updates: a hash of the identifier
	// tried, so that an unknown identifier's first refusal touches a row
	// not touched before and its second the same row again, as a real
	// meeting's refusals do its own row (no oracle by time).
	Spread        int64     `json:"-"`
	ID            int64     `json:"id"`
	At            time.Time `json:"at"`
	MeetingPK     int64     `json:"-"`
	OccurrencePK  int64     `json:"-"`
	Occurrence    int       `json:"occurrence,omitempty"`
	Channel       Channel   `json:"channel"`
	Source        string    `json:"source"`
	Method        string    `json:"method"` // meeting_id, access_code, token, join_url
	Outcome       string    `json:"outcome"`
	Reason        string    `json:"reason,omitempty"`
	ParticipantPK int64     `json:"-"`

	// MeetingID and AccountID, set with MeetingPK by the join path, which
	// holds the meeting, name it in the attempt's audit entry, so that the
	// store need not read them: a read that only a real meeting's first
	// refusal would make is a timing oracle (issue 18). A store reads them
	// when MeetingID is empty.
	MeetingID string `json:"-"`
	AccountID int64  `json:"-"`

	// GuessBudget, set on a refused attempt, marks a failed guess at the
	// meeting's passcodes and is the meeting's budget A: the store counts
	// the failure in the same write, sets BudgetFailures to the meeting's
	// count after it, and BudgetSpent when this failure spent the budget.
	GuessBudget    int  `json:"-"`
	BudgetFailures int  `json:"-"`
	BudgetSpent    bool `json:"-"`
}

// Participant states.
const (
	StateWaiting  = "waiting"
	StateAdmitted = "admitted"
	StateDenied   = "denied"
	StateRemoved  = "removed"
	StateLeft     = "left"
)

// Participant is a person in (or waiting for, or once in) an occurrence.
type Participant struct {
	PK               int64   `json:"-"`
	ID               string  `json:"id"`
	OccurrencePK     int64   `json:"-"`
	Occurrence       int     `json:"occurrence"`
	InviteePK        int64   `json:"-"`
	InviteeID        string  `json:"invitee_id,omitempty"`
	DisplayName      string  `json:"display_name"`
	BaseName         string  `json:"-"` // the name before any "(n)" suffix
	SharedCredential bool    `json:"shared_credential"`
	Channel          Channel `json:"channel"`
	Source           string  `json:"source,omitempty"`
	// CallerSealed is a phone caller's full number sealed with the key ring
	// (additional data CallerNumberAD of the participant's ID, its handle);
	// nil for every other participant. The number is shown masked only.
	CallerSealed []byte     `json:"-"`
	State        string     `json:"state"`
	JoinedAt     time.Time  `json:"joined_at"`
	AdmittedAt   *time.Time `json:"admitted_at,omitempty"`
	LeftAt       *time.Time `json:"left_at,omitempty"`
	// Hold is set on an entry the meeting's spent guess budget put in the
	// waiting room: HoldMatched when its passcode or PIN was right,
	// HoldUnmatched when it was wrong. The participant is never told which
	// (see Participant.Public); the host sees it as Matched.
	Hold    BudgetHold `json:"-"`
	Matched *bool      `json:"matched,omitempty"`
}

// BudgetHold says why, if at all, a participant waits for the spent guess
// budget (see Participant.Hold).
type BudgetHold int

const (
	HoldNone      BudgetHold = iota
	HoldMatched              // a right passcode or PIN, held because the budget is spent
	HoldUnmatched            // a wrong one, held so that the answer tells nothing
)

// SetHold sets Hold and the Matched the host sees.
func (p *Participant) SetHold(h BudgetHold) {
	p.Hold, p.Matched = h, nil
	if h != HoldNone {
		m := h == HoldMatched
		p.Matched = &m
	}
}

// Public returns what the participant (the holder of the bearer ID) is
// shown of themselves: all of it, except while a spent guess budget holds
// them, when nothing tells a right passcode from a wrong one: no invitee,
// no shared-credential mark, no Matched.
func (p *Participant) Public() *Participant {
	q := *p
	q.Matched = nil
	if p.Hold != HoldNone && p.State == StateWaiting {
		q.InviteeID, q.SharedCredential = "", false
	}
	return &q
}

// Active reports whether the participant is in the meeting or waiting for it.
func (p *Participant) Active() bool {
	return p.State == StateWaiting || p.State == StateAdmitted
}

// Admission is what the store commits atomically when a join is accepted.
type Admission struct {
	Participant *Participant // ID, OccurrencePK, InviteePK, BaseName, Channel, Source, State, JoinedAt set
	// ViaAccessCode with MaxUses > 0 consumes one use of the occurrence's access
	// code; the store refuses (ECONFLICT, field "max_uses") when none is left.
	ViaAccessCode bool
	MaxUses       int
	Attempt       *Attempt
	// Guessable marks a join with a guessable credential (a passcode or PIN
	// typed with the meeting ID or access code) and GuessBudget is the
	// meeting's budget A: when the meeting's budget is spent, the store puts
	// an admitted participant in the waiting room instead (State waiting,
	// AdmittedAt nil, the attempt's outcome waiting with ReasonBudgetSpent)
	// and sets HeldByBudget.
	Guessable    bool
	GuessBudget  int
	HeldByBudget bool
	// Unmatched marks a wrong passcode or PIN typed while the meeting's
	// guess budget is spent: the participant waits (HoldUnmatched) and the
	// store counts the failure against the budget (Attempt.MeetingPK,
	// Attempt.GuessBudget) in the same transaction.
	Unmatched bool
	// HeldName is the display name of an entry the budget holds (matched or
	// not): the name typed, never the invitation's, so that the name tells
	// nothing either.
	HeldName string
}

// BudgetHold returns the hold the store records for the admission.
func (a *Admission) BudgetHold() BudgetHold {
	switch {
	case a.Unmatched:
		return HoldUnmatched
	case a.HeldByBudget:
		return HoldMatched
	}
	return HoldNone
}

// ValidParticipantID reports whether pid has the form of a participant ID:
// "p" followed by lower-case letters and digits, at most
// MaxCredentialLength bytes in all.
func ValidParticipantID(pid string) bool {
	if len(pid) < 2 || len(pid) > MaxCredentialLength || pid[0] != 'p' {
		return false
	}
	for i := 1; i < len(pid); i++ {
		if c := pid[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
