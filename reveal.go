package admit

import ()

// What the host's meeting page shows on request (Reveal).
const (
	RevealPasscode   = "passcode"
	RevealAccessCode = "access_code"
	// RevealInvitees shows every invitee's link, PIN and unique passcode.
	RevealInvitees = "invitees"
)

// Revealed is one secret of a meeting shown to its host.
type Revealed struct {
	Value   string // as typed (access codes: digits)
	Display string // grouped for reading
	Phone   string // the passcode's numeric phone form, when it has one
	// JoinURL is the join link with the encoded passcode (passcode only).
	JoinURL string
	// Invitees are the invitees with their credentials open
	// (RevealInvitees only).
	Invitees []*InviteeView
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
