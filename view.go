package admit

import "time"

// MeetingView is a meeting as the API and CLI show it. Secret fields are
// filled only where the caller asked to see them (and that is audited).
type MeetingView struct {
	ID               string `json:"id"`
	MeetingID        string `json:"meeting_id"`
	MeetingIDDisplay string `json:"meeting_id_display"`
	Topic            string `json:"topic"`
	Kind             Kind   `json:"kind"`
	HostID           int64  `json:"host_id"`
	// AlternativeHosts are the user IDs of the meeting's alternative hosts.
	AlternativeHosts []int64           `json:"alternative_hosts"`
	JoinURL          string            `json:"join_url,omitempty"`
	Start            *time.Time        `json:"start,omitempty"`
	DurationMinutes  int               `json:"duration_minutes"`
	Timezone         string            `json:"timezone"`
	Recurrence       *Recurrence       `json:"recurrence,omitempty"`
	Security         Security          `json:"security"`
	Passcode         string            `json:"passcode,omitempty"`
	PhonePasscode    string            `json:"phone_passcode,omitempty"`
	Occurrences      []*OccurrenceView `json:"occurrences"`
	Invitees         []*InviteeView    `json:"invitees"`
	// GuessBound and Budget are shown with the meeting's secrets (create,
	// show, update, regenerate): the bound needs them open.
	GuessBound *Bound `json:"guess_bound,omitempty"`
	// DialIn are the dial-in numbers that reach the meeting, each with its
	// one-tap form (with the passcode's phone form when it is shown).
	DialIn    []DialInOption   `json:"dial_in,omitempty"`
	Budget    *GuessBudgetView `json:"budget,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`

	// ReminderLeadMinutes is the meeting's own reminder lead; 0: the
	// account's default.
	ReminderLeadMinutes int `json:"reminder_lead_minutes,omitempty"`
}

// OccurrenceView is an occurrence as shown.
type OccurrenceView struct {
	Index             int        `json:"index"`
	Start             time.Time  `json:"start"`
	End               time.Time  `json:"end"`
	OpensAt           time.Time  `json:"opens_at"`
	ClosesAt          time.Time  `json:"closes_at"`
	EndedAt           *time.Time `json:"ended_at,omitempty"`
	State             string     `json:"state"` // "not_open", "open", "ended"
	AccessCode        string     `json:"access_code,omitempty"`
	AccessCodeDisplay string     `json:"access_code_display,omitempty"`
	Uses              int        `json:"uses"`
}

// InviteeView is an invitee as shown.
type InviteeView struct {
	ID            string `json:"id"`
	ContactID     *int64 `json:"contact_id,omitempty"`
	Name          string `json:"name"`
	Email         string `json:"email,omitempty"`
	Phone         string `json:"phone,omitempty"`
	Link          string `json:"link,omitempty"`
	PIN           string `json:"pin,omitempty"`
	Passcode      string `json:"passcode,omitempty"`
	PhonePasscode string `json:"phone_passcode,omitempty"`
}

// StateName names a window state as the API does.
func (s WindowState) String() string {
	switch s {
	case WindowNotOpen:
		return "not_open"
	case WindowOpen:
		return "open"
	}
	return "ended"
}

// Roster is who is in an occurrence, and who waits.
type Roster struct {
	MeetingID    string         `json:"meeting_id"`
	Occurrence   int            `json:"occurrence"`
	State        string         `json:"state"`
	Participants []*Participant `json:"participants"` // admitted
	Waiting      []*Participant `json:"waiting"`
	// Budget is the meeting's guess budget; when it is spent, Alert tells
	// the host why passcode joins wait.
	Budget *GuessBudgetView `json:"budget"`
}

// GuessBudgetView is a meeting's guess budget as shown to its host.
type GuessBudgetView struct {
	Spent    bool       `json:"spent"`
	Failures int        `json:"failures"` // failed guesses since the last reset
	Budget   int        `json:"budget"`   // A
	SpentAt  *time.Time `json:"spent_at,omitempty"`
	ResetAt  *time.Time `json:"reset_at,omitempty"`
	// PasscodeRegenerated reports that the passcode was regenerated since
	// the budget was spent, so that the budget may be reset.
	PasscodeRegenerated bool `json:"passcode_regenerated,omitempty"`
	// UnderAttack is Spent said to the host: someone has been guessing.
	UnderAttack bool   `json:"under_attack"`
	Alert       string `json:"alert,omitempty"`
}

// AttendanceRow is one participant's record in an occurrence's attendance.
type AttendanceRow struct {
	ParticipantID string `json:"participant_id"`
	DisplayName   string `json:"display_name"`
	InviteeID     string `json:"invitee_id,omitempty"`
	// Email is the invitee's, on the row of the invitee: not on a row of
	// someone else who used their credential (SharedCredential).
	Email            string `json:"email,omitempty"`
	SharedCredential bool   `json:"shared_credential"`
	// Via names the invitee whose credential a shared row used: whoever
	// joined got the link from them, and is not known to be them.
	Via             string     `json:"via,omitempty"`
	Channel         Channel    `json:"channel"`
	Source          string     `json:"source,omitempty"`
	State           string     `json:"state"`
	JoinedAt        time.Time  `json:"joined_at"`
	AdmittedAt      *time.Time `json:"admitted_at,omitempty"`
	LeftAt          *time.Time `json:"left_at,omitempty"`
	DurationSeconds int64      `json:"duration_seconds"`
	// MediaConnectedAt is when the media server first reported the
	// participant connected to the room (nil when it never did, or the
	// backend reports no presence).
	MediaConnectedAt *time.Time `json:"media_connected_at,omitempty"`
	// MediaLeftAt is when they last left the room; nil while connected.
	MediaLeftAt *time.Time `json:"media_left_at,omitempty"`
	// MediaSeconds is the time they were connected, summed over their
	// connections.
	MediaSeconds int64 `json:"media_seconds"`
}

// Attendance is an occurrence's attendance record.
type Attendance struct {
	MeetingID  string           `json:"meeting_id"`
	Topic      string           `json:"topic"`
	Occurrence int              `json:"occurrence"`
	Start      time.Time        `json:"start"`
	End        time.Time        `json:"end"`
	Rows       []*AttendanceRow `json:"participants"`
}

// Actor is the authenticated caller of a host operation.
type Actor struct {
	User   *User
	Token  *APIToken // nil for the CLI
	Source string    // address, or "cli"
}

// AccountSecurityInput changes an account's security defaults and locks.
type AccountSecurityInput struct {
	SecurityInput
	Locked       *[]string `json:"locked,omitempty"`
	GuessBudget  *int      `json:"guess_budget,omitempty"`
	GuessCeiling *float64  `json:"guess_ceiling,omitempty"`
}
