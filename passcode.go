package admit

import (
	"io"
	"strings"
)

// PasscodeMode says how a meeting is protected by a passcode.
type PasscodeMode string

// Passcode modes.
const (
	PasscodeNone   PasscodeMode = "none"   // no passcode
	PasscodeShared PasscodeMode = "shared" // one passcode for everyone
	PasscodeUnique PasscodeMode = "unique" // each invitee has their own
)

// Valid reports whether m is a known mode.
func (m PasscodeMode) Valid() bool {
	return m == PasscodeNone || m == PasscodeShared || m == PasscodeUnique
}

// Character classes a policy may require.
const (
	ClassUpper   = "upper"
	ClassLower   = "lower"
	ClassDigit   = "digit"
	ClassSpecial = "special"
)

// Passcode limits.
const (
	DefaultPasscodeLength = 10
	MinPasscodeLength     = 6
	MaxPasscodeLength     = 32
	MinPhonePasscodeLen   = 8
	DefaultPINLength      = 12 // 1,000 invitees' PINs meet the default guess ceiling (see GuessBound)
	MinPINLength          = 8
	MaxPINLength          = 16
	// PasscodeSpecials are the non-alphanumeric characters a host-chosen
	// passcode may use.
	PasscodeSpecials = "@-_*"
)

// PasscodePolicy governs generated and host-chosen passcodes.
type PasscodePolicy struct {
	// Length of generated passcodes (default 10, at least 6).
	Length int `json:"length"`
	// MinLength is the shortest host-chosen passcode allowed (default 6, at least 6).
	MinLength int `json:"min_length"`
	// NumericOnly passcodes hold digits only; they are their own phone form.
	NumericOnly bool `json:"numeric_only"`
	// RequireClasses lists the classes ("upper", "lower", "digit", "special")
	// every passcode must contain. Generated passcodes never use "special".
	RequireClasses []string `json:"require_classes"`
	// PINLength is the length of invitees' phone PINs (default 12), and the
	// least length of generated phone forms.
	PINLength int `json:"pin_length"`
}

// DefaultPasscodePolicy returns the policy of a new account.
func DefaultPasscodePolicy() PasscodePolicy {
	return PasscodePolicy{
		Length:         DefaultPasscodeLength,
		MinLength:      MinPasscodeLength,
		RequireClasses: []string{},
		PINLength:      DefaultPINLength,
	}
}

// Validate checks the policy itself. field prefixes the field names in errors.
func (p *PasscodePolicy) Validate(field string) error {
	if p.Length < MinPasscodeLength || p.Length > MaxPasscodeLength {
		return FieldErrorf(field+".length", "%s.length must be from %d to %d", field, MinPasscodeLength, MaxPasscodeLength)
	}
	if p.MinLength < MinPasscodeLength || p.MinLength > MaxPasscodeLength {
		return FieldErrorf(field+".min_length", "%s.min_length must be from %d to %d", field, MinPasscodeLength, MaxPasscodeLength)
	}
	if p.PINLength < MinPINLength || p.PINLength > MaxPINLength {
		return FieldErrorf(field+".pin_length", "%s.pin_length must be from %d to %d", field, MinPINLength, MaxPINLength)
	}
	seen := map[string]bool{}
	for _, c := range p.RequireClasses {
		switch c {
		case ClassUpper, ClassLower, ClassSpecial:
			if p.NumericOnly {
				return FieldErrorf(field+".require_classes", "%s.require_classes cannot require %q when numeric_only is set", field, c)
			}
		case ClassDigit:
		default:
			return FieldErrorf(field+".require_classes", "%s.require_classes: unknown class %q (use upper, lower, digit, special)", field, c)
		}
		if seen[c] {
			return FieldErrorf(field+".require_classes", "%s.require_classes lists %q twice", field, c)
		}
		seen[c] = true
	}
	if p.RequireClasses == nil {
		p.RequireClasses = []string{}
	}
	return nil
}

func (p PasscodePolicy) requires(class string) bool {
	for _, c := range p.RequireClasses {
		if c == class {
			return true
		}
	}
	return false
}

// Alphabet returns the alphabet generated passcodes are drawn from.
func (p PasscodePolicy) Alphabet() string {
	if p.NumericOnly {
		return Digits
	}
	return ClearAlphabet
}

// Generate draws a passcode under the policy: p.Length symbols from
// Alphabet, redrawn until every required class (but "special", which
// generated values do not use) is present, so that the result is uniform over
// the passcodes that satisfy the policy.
func (p PasscodePolicy) Generate(r io.Reader) (string, error) {
	for {
		s, err := RandomString(r, p.Alphabet(), p.Length)
		if err != nil {
			return "", err
		}
		if p.hasClasses(s, false) == "" {
			return s, nil
		}
	}
}

// charClasses reports which classes of characters s uses: upper-case and
// lower-case ASCII letters, digits, and anything else.
func charClasses(s string) (up, lo, di, sp bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			lo = true
		case c >= '0' && c <= '9':
			di = true
		default:
			sp = true
		}
	}
	return up, lo, di, sp
}

// hasClasses returns the first required class s lacks, or "".
func (p PasscodePolicy) hasClasses(s string, withSpecial bool) string {
	up, lo, di, sp := charClasses(s)
	for _, c := range p.RequireClasses {
		switch {
		case c == ClassUpper && !up, c == ClassLower && !lo, c == ClassDigit && !di:
			return c
		case c == ClassSpecial && !sp && withSpecial:
			return c
		}
	}
	return ""
}

// PhoneForm reports whether a passcode needs a separate numeric phone form:
// every passcode that is not all digits does.
func PhoneFormNeeded(passcode string) bool {
	for i := 0; i < len(passcode); i++ {
		if passcode[i] < '0' || passcode[i] > '9' {
			return true
		}
	}
	return false
}

// GeneratePhoneForm draws the numeric phone form of an alphanumeric passcode:
// at least 8 digits, and as many as the passcode has characters.
func GeneratePhoneForm(r io.Reader, passcode string) (string, error) {
	n := len(passcode)
	if n < MinPhonePasscodeLen {
		n = MinPhonePasscodeLen
	}
	return RandomDigits(r, n, Digits)
}

// PhoneFormLength returns the length of the phone form of passcode: as many
// digits as the passcode has characters, and at least PINLength (and
// MinPhonePasscodeLen), so that phone forms are no easier to guess than PINs.
func (p PasscodePolicy) PhoneFormLength(passcode string) int {
	return max(len(passcode), p.PINLength, MinPhonePasscodeLen)
}

// GeneratePhoneForm draws the numeric phone form of an alphanumeric passcode,
// PhoneFormLength digits long.
func (p PasscodePolicy) GeneratePhoneForm(r io.Reader, passcode string) (string, error) {
	return RandomDigits(r, p.PhoneFormLength(passcode), Digits)
}

// GeneratePIN draws an invitee's numeric phone PIN.
func (p PasscodePolicy) GeneratePIN(r io.Reader) (string, error) {
	n := p.PINLength
	if n == 0 {
		n = DefaultPINLength
	}
	return RandomDigits(r, n, Digits)
}

// CheckChosen checks a host-chosen passcode against the policy and against
// weak values, and returns an EINVALID error naming field and the rule it
// breaks. avoid lists values the passcode may not equal or contain (the
// meeting ID).
func (p PasscodePolicy) CheckChosen(field, s string, avoid ...string) error {
	if len(s) < p.MinLength {
		return FieldErrorf(field, "the passcode must have at least %d characters", p.MinLength)
	}
	if len(s) > MaxPasscodeLength {
		return FieldErrorf(field, "the passcode may have at most %d characters", MaxPasscodeLength)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		if p.NumericOnly && !(c >= '0' && c <= '9') {
			return FieldErrorf(field, "the passcode must hold digits only")
		}
		if !alnum && !strings.ContainsRune(PasscodeSpecials, rune(c)) {
			return FieldErrorf(field, "the passcode may hold only letters, digits and %s", PasscodeSpecials)
		}
	}
	if missing := p.hasClasses(s, true); missing != "" {
		return FieldErrorf(field, "the passcode must contain at least one %s character", className(missing))
	}
	if why := WeakPasscode(s, avoid...); why != "" {
		return FieldErrorf(field, "the passcode is too easy to guess: %s", why)
	}
	return nil
}

func className(c string) string {
	switch c {
	case ClassUpper:
		return "upper-case"
	case ClassLower:
		return "lower-case"
	case ClassDigit:
		return "digit"
	}
	return "special (" + PasscodeSpecials + ")"
}

// commonPasscodes are values seen at the top of every leaked-password list.
var commonPasscodes = map[string]bool{
	"password": true, "passw0rd": true, "qwerty": true, "qwertyuiop": true,
	"asdfgh": true, "zxcvbn": true, "letmein": true, "welcome": true,
	"iloveyou": true, "monkey": true, "dragon": true, "master": true,
	"abc123": true, "123abc": true, "zoom": true, "meeting": true,
	"admin": true, "secret": true, "changeme": true, "trustno1": true,
	"112233": true, "123321": true, "654321": true, "696969": true,
	"qazwsx": true, "1q2w3e": true, "1q2w3e4r": true, "football": true,
}

// WeakPasscode returns why s is too easy to guess, or "" when it is not:
// one repeated character (111111), a run up or down (123456, abcdef, 654321),
// a short pattern repeated (121212, abcabc), a common password, or a value
// from avoid (such as the meeting ID) contained in it.
func WeakPasscode(s string, avoid ...string) string {
	l := strings.ToLower(s)
	if commonPasscodes[l] {
		return "it is a common password"
	}
	for _, a := range avoid {
		if len(a) >= 4 && strings.Contains(l, strings.ToLower(a)) {
			return "it contains the meeting ID"
		}
	}
	if len(l) == 0 {
		return "it is empty"
	}
	same, up, down := true, true, true
	for i := 1; i < len(l); i++ {
		d := int(l[i]) - int(l[i-1])
		same = same && d == 0
		up = up && d == 1
		down = down && d == -1
	}
	switch {
	case same:
		return "it repeats one character"
	case up || down:
		return "it is a sequence"
	}
	for period := 2; period <= len(l)/2; period++ {
		if len(l)%period != 0 {
			continue
		}
		if strings.Repeat(l[:period], len(l)/period) == l {
			return "it repeats a short pattern"
		}
	}
	return ""
}
