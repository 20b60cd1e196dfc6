package admit

// Security defaults of a new account.
const (
	DefaultEarlyJoinMinutes = 15
	DefaultGraceMinutes     = 30
	MaxEarlyJoinMinutes     = 24 * 60
	MaxGraceMinutes         = 24 * 60
	MaxMaxUses              = 100000
)

// Security holds the security settings of a meeting as resolved from the
// account defaults and the meeting's own overrides.
type Security struct {
	AccessCode       bool           `json:"access_code"`
	Passcode         PasscodeMode   `json:"passcode"`
	WaitingRoom      bool           `json:"waiting_room"`
	EarlyJoinMinutes int            `json:"early_join_minutes"`
	GraceMinutes     int            `json:"grace_minutes"`
	MaxUses          int            `json:"max_uses"`
	AccessCodeLength int            `json:"access_code_length"`
	PasscodePolicy   PasscodePolicy `json:"passcode_policy"`
	// Authentication is whether a participant must sign in with the
	// account's identity provider first ("" is none); PhoneJoins what such
	// a meeting does with phone callers ("" is refuse). See meeting_auth.go.
	Authentication Authentication `json:"authentication,omitempty"`
	PhoneJoins     PhoneJoins     `json:"phone_joins,omitempty"`
}

// SignIn returns the meeting's authentication settings, defaults filled in.
func (s *Security) SignIn() AuthenticationSettings {
	a := AuthenticationSettings{Authentication: s.Authentication, PhoneJoins: s.PhoneJoins}
	if a.Authentication == "" {
		a.Authentication = AuthenticationNone
	}
	if a.PhoneJoins == "" {
		a.PhoneJoins = PhoneJoinsRefused
	}
	return a
}

// SecurityInput is a request to set some security settings; nil fields keep
// their current (or default) value.
type SecurityInput struct {
	AccessCode       *bool           `json:"access_code,omitempty"`
	Passcode         *PasscodeMode   `json:"passcode,omitempty"`
	PasscodeValue    *string         `json:"passcode_value,omitempty"`
	WaitingRoom      *bool           `json:"waiting_room,omitempty"`
	EarlyJoinMinutes *int            `json:"early_join_minutes,omitempty"`
	GraceMinutes     *int            `json:"grace_minutes,omitempty"`
	MaxUses          *int            `json:"max_uses,omitempty"`
	AccessCodeLength *int            `json:"access_code_length,omitempty"`
	PasscodePolicy   *PasscodePolicy `json:"passcode_policy,omitempty"`
	Authentication   *Authentication `json:"authentication,omitempty"`
	PhoneJoins       *PhoneJoins     `json:"phone_joins,omitempty"`
}

// Lockable security settings, by their JSON names.
var LockableSettings = []string{
	"access_code", "passcode", "waiting_room", "early_join_minutes",
	"grace_minutes", "max_uses", "access_code_length", "passcode_policy",
	"authentication", "phone_joins",
}

// AccountSecurity is an account's "Default for all meetings": the settings
// new meetings copy, and the ones an admin has locked so that meetings cannot
// override them.
//
// In JSON the defaults stand flat beside "locked", in the shape of a
// meeting's security.
type AccountSecurity struct {
	Security
	Locked []string `json:"locked"`
	// GuessBudget is A: the failed guesses at a meeting's passcodes, from
	// any channel, after which joins with a passcode wait for the host
	// (default DefaultGuessBudget; 0 in an account stored before it existed).
	GuessBudget int `json:"guess_budget"`
	// GuessCeiling is the most the guessing bound P of a meeting may be
	// (default DefaultGuessCeiling).
	GuessCeiling float64 `json:"guess_ceiling"`
}

// DefaultSecurity returns the defaults of a new account.
func DefaultSecurity() Security {
	return Security{
		AccessCode:       true,
		Passcode:         PasscodeShared,
		WaitingRoom:      false,
		EarlyJoinMinutes: DefaultEarlyJoinMinutes,
		GraceMinutes:     DefaultGraceMinutes,
		MaxUses:          0,
		AccessCodeLength: DefaultAccessCodeLength,
		PasscodePolicy:   DefaultPasscodePolicy(),
	}
}

// DefaultAccountSecurity returns the account security of a new account.
func DefaultAccountSecurity() AccountSecurity {
	return AccountSecurity{Security: DefaultSecurity(), Locked: []string{}, GuessBudget: DefaultGuessBudget, GuessCeiling: DefaultGuessCeiling}
}

// Budget returns the account's guess budget A, or the default when unset.
func (a AccountSecurity) Budget() int {
	if a.GuessBudget <= 0 {
		return DefaultGuessBudget
	}
	return a.GuessBudget
}

// Ceiling returns the account's guess ceiling, or the default when unset.
func (a AccountSecurity) Ceiling() float64 {
	if a.GuessCeiling <= 0 {
		return DefaultGuessCeiling
	}
	return a.GuessCeiling
}

// ValidateGuessing checks the guess budget and ceiling and that the
// largest meeting the defaults generate (MaxInvitees invitees) meets the
// ceiling; the error names the setting to raise.
func (a *AccountSecurity) ValidateGuessing() error {
	if a.GuessBudget < 1 || a.GuessBudget > MaxGuessBudget {
		return FieldErrorf("guess_budget", "guess_budget must be from 1 to %d", MaxGuessBudget)
	}
	if !(a.GuessCeiling >= MinGuessCeiling && a.GuessCeiling <= MaxGuessCeiling) {
		return FieldErrorf("guess_ceiling", "guess_ceiling must be from %.0e to %.0e", MinGuessCeiling, MaxGuessCeiling)
	}
	return PolicyBound(a.Security, MaxInvitees, a.GuessBudget, a.GuessCeiling).Check("")
}

// IsLocked reports whether the named setting is locked.
func (a AccountSecurity) IsLocked(name string) bool {
	for _, l := range a.Locked {
		if l == name {
			return true
		}
	}
	return false
}

// Validate checks the settings. field prefixes field names in errors.
func (s *Security) Validate(field string) error {
	if !s.Passcode.Valid() {
		return FieldErrorf(field+".passcode", "%s.passcode must be none, shared or unique", field)
	}
	if s.EarlyJoinMinutes < 0 || s.EarlyJoinMinutes > MaxEarlyJoinMinutes {
		return FieldErrorf(field+".early_join_minutes", "%s.early_join_minutes must be from 0 to %d", field, MaxEarlyJoinMinutes)
	}
	if s.GraceMinutes < 0 || s.GraceMinutes > MaxGraceMinutes {
		return FieldErrorf(field+".grace_minutes", "%s.grace_minutes must be from 0 to %d", field, MaxGraceMinutes)
	}
	if s.MaxUses < 0 || s.MaxUses > MaxMaxUses {
		return FieldErrorf(field+".max_uses", "%s.max_uses must be from 0 (unlimited) to %d", field, MaxMaxUses)
	}
	if s.AccessCodeLength < MinAccessCodeLength || s.AccessCodeLength > MaxAccessCodeLength {
		return FieldErrorf(field+".access_code_length", "%s.access_code_length must be from %d to %d", field, MinAccessCodeLength, MaxAccessCodeLength)
	}
	if s.Authentication != "" && !s.Authentication.Valid() {
		return FieldErrorf(field+".authentication", "%s.authentication must be none, signed_in or invitees", field)
	}
	if s.PhoneJoins != "" && !s.PhoneJoins.Valid() {
		return FieldErrorf(field+".phone_joins", "%s.phone_joins must be refuse or invitee_pin", field)
	}
	return s.PasscodePolicy.Validate(field + ".passcode_policy")
}

// Apply sets the fields given in in onto s. When locks is not nil, a field
// that is locked may not be changed to a different value: Apply returns
// EFORBIDDEN naming it. field prefixes the field names in errors.
func (s *Security) Apply(in *SecurityInput, locks *AccountSecurity, field string) error {
	if in == nil {
		return nil
	}
	locked := func(name string, differs bool) error {
		if locks != nil && differs && locks.IsLocked(name) {
			return &Error{Code: EFORBIDDEN, Field: field + "." + name,
				Message: field + "." + name + " is locked by the account's admin"}
		}
		return nil
	}
	if in.AccessCode != nil {
		if err := locked("access_code", *in.AccessCode != s.AccessCode); err != nil {
			return err
		}
		s.AccessCode = *in.AccessCode
	}
	if in.Passcode != nil {
		if err := locked("passcode", *in.Passcode != s.Passcode); err != nil {
			return err
		}
		s.Passcode = *in.Passcode
	}
	if in.WaitingRoom != nil {
		if err := locked("waiting_room", *in.WaitingRoom != s.WaitingRoom); err != nil {
			return err
		}
		s.WaitingRoom = *in.WaitingRoom
	}
	if in.EarlyJoinMinutes != nil {
		if err := locked("early_join_minutes", *in.EarlyJoinMinutes != s.EarlyJoinMinutes); err != nil {
			return err
		}
		s.EarlyJoinMinutes = *in.EarlyJoinMinutes
	}
	if in.GraceMinutes != nil {
		if err := locked("grace_minutes", *in.GraceMinutes != s.GraceMinutes); err != nil {
			return err
		}
		s.GraceMinutes = *in.GraceMinutes
	}
	if in.MaxUses != nil {
		if err := locked("max_uses", *in.MaxUses != s.MaxUses); err != nil {
			return err
		}
		s.MaxUses = *in.MaxUses
	}
	if in.AccessCodeLength != nil {
		if err := locked("access_code_length", *in.AccessCodeLength != s.AccessCodeLength); err != nil {
			return err
		}
		s.AccessCodeLength = *in.AccessCodeLength
	}
	if in.PasscodePolicy != nil {
		p := *in.PasscodePolicy
		if p.RequireClasses == nil {
			p.RequireClasses = []string{}
		}
		if err := locked("passcode_policy", !samePolicy(p, s.PasscodePolicy)); err != nil {
			return err
		}
		s.PasscodePolicy = p
	}
	if in.Authentication != nil {
		if err := locked("authentication", *in.Authentication != s.SignIn().Authentication); err != nil {
			return err
		}
		s.Authentication = *in.Authentication
	}
	if in.PhoneJoins != nil {
		if err := locked("phone_joins", *in.PhoneJoins != s.SignIn().PhoneJoins); err != nil {
			return err
		}
		s.PhoneJoins = *in.PhoneJoins
	}
	return s.Validate(field)
}

func samePolicy(a, b PasscodePolicy) bool {
	if a.Length != b.Length || a.MinLength != b.MinLength || a.NumericOnly != b.NumericOnly ||
		a.PINLength != b.PINLength || len(a.RequireClasses) != len(b.RequireClasses) {
		return false
	}
	for i := range a.RequireClasses {
		if a.RequireClasses[i] != b.RequireClasses[i] {
			return false
		}
	}
	return true
}

// ValidateLocks checks that every locked name is a lockable setting.
func (a *AccountSecurity) ValidateLocks() error {
	if a.Locked == nil {
		a.Locked = []string{}
	}
	for _, l := range a.Locked {
		ok := false
		for _, n := range LockableSettings {
			ok = ok || n == l
		}
		if !ok {
			return FieldErrorf("locked", "locked: unknown setting %q", l)
		}
	}
	return nil
}
