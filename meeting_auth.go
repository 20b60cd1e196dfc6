package admit

import "strings"

// Authentication is a meeting's security setting "authentication": whether a
// participant must sign in with the account's identity provider before the
// join is even evaluated. The passcode and access code still apply when set,
// so the meeting's key and the sign-in combine.
type Authentication string

// Authentication settings.
const (
	// AuthenticationNone admits on the meeting's credentials alone.
	AuthenticationNone Authentication = "none"
	// AuthenticationSignedIn requires a sign-in with the account's
	// provider; the participant is named by the provider.
	AuthenticationSignedIn Authentication = "signed_in"
	// AuthenticationInvitees requires a sign-in whose verified email is an
	// invitee's; the participant is named by the invitation.
	AuthenticationInvitees Authentication = "invitees"
)

// Valid reports whether a is a known setting ("" is not: use
// AuthenticationNone).
func (a Authentication) Valid() bool {
	return a == AuthenticationNone || a == AuthenticationSignedIn || a == AuthenticationInvitees
}

// RequiresSignIn reports whether a participant must sign in first.
func (a Authentication) RequiresSignIn() bool {
	return a == AuthenticationSignedIn || a == AuthenticationInvitees
}

// PhoneJoins is what a meeting that requires sign-in does with phone
// callers, who cannot sign in: the host's choice.
type PhoneJoins string

// Phone join policies of a meeting that requires sign-in.
const (
	// PhoneJoinsRefused refuses every phone join.
	PhoneJoinsRefused PhoneJoins = "refuse"
	// PhoneJoinsInviteePIN admits a caller only with an invitee's PIN.
	PhoneJoinsInviteePIN PhoneJoins = "invitee_pin"
)

// Valid reports whether p is a known policy.
func (p PhoneJoins) Valid() bool { return p == PhoneJoinsRefused || p == PhoneJoinsInviteePIN }

// AuthenticationSettings are the meeting security settings about sign-in,
// by their JSON names beside the other security settings.
type AuthenticationSettings struct {
	Authentication Authentication `json:"authentication"`
	PhoneJoins     PhoneJoins     `json:"phone_joins"`
}

// AuthenticationLockableSettings are the lockable settings this adds to
// LockableSettings (an account's defaults and locks cover them).
var AuthenticationLockableSettings = []string{"authentication", "phone_joins"} // also in LockableSettings

// DefaultAuthenticationSettings are today's behaviour: no sign-in, and
// phone joins refused should a host turn sign-in on.
func DefaultAuthenticationSettings() AuthenticationSettings {
	return AuthenticationSettings{Authentication: AuthenticationNone, PhoneJoins: PhoneJoinsRefused}
}

// AuthenticationInput sets some of the settings; nil fields are unchanged.
type AuthenticationInput struct {
	Authentication *Authentication `json:"authentication,omitempty"`
	PhoneJoins     *PhoneJoins     `json:"phone_joins,omitempty"`
}

// Validate checks the settings; field prefixes field names in errors. It
// returns EINVALID naming the field.
func (s *AuthenticationSettings) Validate(field string) error {
	if !s.Authentication.Valid() {
		return FieldErrorf(field+".authentication", "%s.authentication must be none, signed_in or invitees", field)
	}
	if !s.PhoneJoins.Valid() {
		return FieldErrorf(field+".phone_joins", "%s.phone_joins must be refuse or invitee_pin", field)
	}
	return nil
}

// Apply sets the fields given in in onto s and validates the result. When
// locks is not nil, a locked setting may not change: Apply returns
// EFORBIDDEN naming it. hasProvider says whether the account has an
// identity provider: without one, sign-in cannot be required.
func (s *AuthenticationSettings) Apply(in *AuthenticationInput, locks *AccountSecurity, hasProvider bool, field string) error {
	if in == nil {
		return nil
	}
	next := *s
	if in.Authentication != nil {
		next.Authentication = *in.Authentication
	}
	if in.PhoneJoins != nil {
		next.PhoneJoins = *in.PhoneJoins
	}
	if err := next.Validate(field); err != nil {
		return err
	}
	if locks != nil {
		if next.Authentication != s.Authentication && locks.IsLocked("authentication") {
			return &Error{Code: EFORBIDDEN, Field: field + ".authentication", Message: field + ".authentication is locked by the account"}
		}
		if next.PhoneJoins != s.PhoneJoins && locks.IsLocked("phone_joins") {
			return &Error{Code: EFORBIDDEN, Field: field + ".phone_joins", Message: field + ".phone_joins is locked by the account"}
		}
	}
	if next.Authentication.RequiresSignIn() && !hasProvider {
		return FieldErrorf(field+".authentication", "%s.authentication %s needs the account's identity provider: connect one first", field, next.Authentication)
	}
	*s = next
	return nil
}

// Gate is the outcome of the sign-in check that comes before a join is
// evaluated.
type Gate string

// Gate outcomes.
const (
	// GateProceed: evaluate the join (credentials still apply).
	GateProceed Gate = "proceed"
	// GateSignIn: send the participant to sign in with the account's
	// provider, then come back.
	GateSignIn Gate = "sign_in"
	// GateRefuse: refuse with the uniform refusal.
	GateRefuse Gate = "refuse"
)

// GateDecision is the outcome of CheckSignIn: the gate, and on proceed the
// name the participant takes and, for an invitees meeting, the invitee.
type GateDecision struct {
	Gate    Gate
	Name    string
	Invitee *Invitee
}

// CheckSignIn decides, for a participant joining by web or app, whether
// the meeting's authentication lets the join go on to its evaluation. id is
// the participant's verified identity from the account's provider (nil when
// not signed in); invitees are the meeting's. A signed-in participant is
// named by the provider, an invitee by the invitation; a signed-in person
// who is not an invitee of an invitees meeting is refused (uniformly).
func CheckSignIn(a Authentication, id *VerifiedIdentity, invitees []*Invitee) GateDecision {
	switch a {
	case AuthenticationSignedIn, AuthenticationInvitees:
	default:
		return GateDecision{Gate: GateProceed}
	}
	if id == nil || !id.EmailVerified || id.Email == "" {
		return GateDecision{Gate: GateSignIn}
	}
	name := providerName(id.Name, id.Email)
	if a == AuthenticationSignedIn {
		return GateDecision{Gate: GateProceed, Name: name}
	}
	for _, inv := range invitees {
		if inv.Email != "" && strings.EqualFold(inv.Email, id.Email) {
			n := inv.Name
			if n == "" {
				n = name
			}
			return GateDecision{Gate: GateProceed, Name: n, Invitee: inv}
		}
	}
	return GateDecision{Gate: GateRefuse}
}

// PhoneGate is what a phone join to a meeting needs, given its settings.
type PhoneGate string

// Phone gates.
const (
	PhoneGateOpen       PhoneGate = "open"        // as today
	PhoneGateRefused    PhoneGate = "refused"     // the meeting refuses phone joins
	PhoneGateInviteePIN PhoneGate = "invitee_pin" // only with an invitee's PIN
)

// PhoneGateFor returns what a phone join needs under s.
func PhoneGateFor(s AuthenticationSettings) PhoneGate {
	if !s.Authentication.RequiresSignIn() {
		return PhoneGateOpen
	}
	if s.PhoneJoins == PhoneJoinsInviteePIN {
		return PhoneGateInviteePIN
	}
	return PhoneGateRefused
}

// ESIGNIN is the error code of a join whose credentials are valid for a
// meeting that admits signed-in people only, by a participant who has not
// signed in: the edge sends them to the account's provider (Detail
// "account_id") and they join again after.
const ESIGNIN = "sign_in_required"

// Join refusal reasons of signed-in-only meetings (in the attempt log; the
// participant sees the uniform refusal).
const (
	ReasonSignInRequired = "sign_in_required"
	ReasonNotInvitee     = "not_an_invitee"
	ReasonPhoneRefused   = "phone_refused"
	ReasonInviteePIN     = "invitee_pin_required"
)
