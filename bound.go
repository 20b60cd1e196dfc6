package admit

import (
	"fmt"
	"math"
	"strings"
)

// Guess-budget defaults and limits.
const (
	DefaultGuessBudget  = 100  // A: failed attempts per meeting before passcode joins wait
	DefaultGuessCeiling = 1e-6 // the most P an account accepts
	MaxGuessBudget      = 100000
	MinGuessCeiling     = 1e-12
	MaxGuessCeiling     = 1e-2
)

// credentialSpace returns how many values an attacker must search to find
// value, knowing its length and the classes of characters it uses (as an
// attacker who knows the policy would): 10^n for digits only, else the size
// of the classes it draws on to the power n, or of ClearAlphabet when all its
// characters are in it and that is smaller.
func credentialSpace(value string) float64 {
	n := float64(len(value))
	if !PhoneFormNeeded(value) {
		return math.Pow(10, n)
	}
	clear := true
	for i := 0; i < len(value); i++ {
		clear = clear && strings.IndexByte(ClearAlphabet, value[i]) >= 0
	}
	size := 0
	up, lo, di, sp := charClasses(value)
	for _, f := range []struct {
		on   bool
		size int
	}{{up, 26}, {lo, 26}, {di, 10}, {sp, len(PasscodeSpecials)}} {
		if f.on {
			size += f.size
		}
	}
	if clear && len(ClearAlphabet) < size {
		size = len(ClearAlphabet)
	}
	return math.Pow(float64(size), n)
}

// Credential kinds a bound names as the weakest.
const (
	boundPasscode             = "passcode"
	boundPhonePasscode        = "phone_passcode"
	boundInviteePasscode      = "invitee_passcode"
	boundInviteePhonePasscode = "invitee_phone_passcode"
	boundPIN                  = "pin"
)

// Bound is the published guessing bound of a meeting: the probability that
// an attacker who spends the whole guess budget A gets in directly. Each
// failed guess rules out at most one value of each credential valid at
// once, so P ≤ A · Σ 1/N over them (A·k/N when the k credentials share a
// space of size N).
type Bound struct {
	P           float64 `json:"p"`             // A · Σ 1/N over the credentials valid at once
	Budget      int     `json:"budget"`        // A
	Credentials int     `json:"credentials"`   // k: credentials valid at once
	Ceiling     float64 `json:"ceiling"`       // the account's ceiling
	Weakest     string  `json:"weakest"`       // the kind of credential that contributes most to P
	WeakestN    float64 `json:"weakest_space"` // the smallest N of that kind

	chosen  bool // the shared passcode was chosen by the host
	numeric bool // the weakest kind holds digits only
}

// boundSum accumulates the terms of a bound by kind.
type boundSum struct {
	b       *Bound
	sum     float64
	byKind  map[string]float64
	minN    map[string]float64
	numeric map[string]bool
	order   []string
}

func newBoundSum(b *Bound) *boundSum {
	return &boundSum{b: b, byKind: map[string]float64{}, minN: map[string]float64{}, numeric: map[string]bool{}}
}

// add counts count credentials of kind, each from a space of n values.
func (s *boundSum) add(kind string, n float64, count int, numeric bool) {
	if count <= 0 || n <= 0 {
		return
	}
	if _, ok := s.byKind[kind]; !ok {
		s.order = append(s.order, kind)
		s.minN[kind], s.numeric[kind] = n, numeric
	}
	s.byKind[kind] += float64(count) / n
	s.sum += float64(count) / n
	s.b.Credentials += count
	if n < s.minN[kind] {
		s.minN[kind] = n
	}
	s.numeric[kind] = s.numeric[kind] && numeric
}

// finish sets P and the weakest kind.
func (s *boundSum) finish() Bound {
	b := s.b
	b.P = float64(b.Budget) * s.sum
	best := -1.0
	for _, k := range s.order {
		if s.byKind[k] > best {
			best, b.Weakest, b.WeakestN, b.numeric = s.byKind[k], k, s.minN[k], s.numeric[k]
		}
	}
	return *b
}

// GuessBound computes the bound for m, whose secrets must be open (Plain
// set), under budget a. A meeting without a passcode has no secret to guess:
// its P is 1, unless the waiting room holds everyone (P 0 of direct
// admission).
func GuessBound(m *Meeting, a int, ceiling float64) Bound {
	b := &Bound{Budget: a, Ceiling: ceiling}
	if m.Security.Passcode == PasscodeNone {
		return noPasscodeBound(b, m.Security.WaitingRoom)
	}
	s := newBoundSum(b)
	add := func(kind string, sec *Secret) {
		if sec == nil || sec.Plain == "" {
			return
		}
		s.add(kind, credentialSpace(sec.Plain), 1, !PhoneFormNeeded(sec.Plain))
	}
	add(boundPasscode, m.Passcode)
	add(boundPhonePasscode, m.PhonePasscode)
	for _, inv := range m.Invitees {
		add(boundInviteePasscode, inv.Passcode)
		add(boundInviteePhonePasscode, inv.PhonePasscode)
		add(boundPIN, inv.PIN)
	}
	if m.Passcode != nil && m.Passcode.Plain != "" {
		pol := m.Security.PasscodePolicy
		p := m.Passcode.Plain
		b.chosen = len(p) != pol.Length || strings.Trim(p, pol.Alphabet()) != ""
	}
	return s.finish()
}

// PolicyBound computes the bound of the largest meeting (invitees invitees)
// whose credentials sec would generate, under budget a: with it an
// account's defaults are checked, so that every meeting made under them
// meets the ceiling. Host-chosen passcodes are checked meeting by meeting.
func PolicyBound(sec Security, invitees, a int, ceiling float64) Bound {
	b := &Bound{Budget: a, Ceiling: ceiling}
	if sec.Passcode == PasscodeNone {
		return noPasscodeBound(b, sec.WaitingRoom)
	}
	pol := sec.PasscodePolicy
	s := newBoundSum(b)
	passN := math.Pow(float64(len(pol.Alphabet())), float64(pol.Length))
	phoneN := math.Pow(10, float64(pol.PhoneFormLength(strings.Repeat("x", pol.Length))))
	switch sec.Passcode {
	case PasscodeShared:
		s.add(boundPasscode, passN, 1, pol.NumericOnly)
		if !pol.NumericOnly {
			s.add(boundPhonePasscode, phoneN, 1, true)
		}
	case PasscodeUnique:
		s.add(boundInviteePasscode, passN, invitees, pol.NumericOnly)
		if !pol.NumericOnly {
			s.add(boundInviteePhonePasscode, phoneN, invitees, true)
		}
	}
	s.add(boundPIN, math.Pow(10, float64(pol.PINLength)), invitees, true)
	return s.finish()
}

func noPasscodeBound(b *Bound, waitingRoom bool) Bound {
	if !waitingRoom {
		b.P, b.Weakest, b.WeakestN = 1, boundPasscode, 1
	}
	return *b
}

// Check returns EINVALID when P exceeds the ceiling, naming the setting to
// raise and to what. prefix goes before the field names ("security." for a
// meeting, "" for the account's defaults).
func (b Bound) Check(prefix string) error {
	if b.P <= b.Ceiling {
		return nil
	}
	if b.WeakestN == 1 {
		return FieldErrorf(prefix+"passcode", "without a passcode anyone with the meeting ID gets in (P = 1, above the ceiling of %.0e): set a passcode or turn on the waiting room", b.Ceiling)
	}
	// Every credential of at least need values keeps P = A·Σ1/N within the
	// ceiling.
	need := float64(b.Budget) * float64(b.Credentials) / b.Ceiling
	digits := int(math.Ceil(math.Log10(need) - 1e-9))
	letters := func(alphabet int) int { return int(math.Ceil(math.Log(need)/math.Log(float64(alphabet)) - 1e-9)) }
	what := fmt.Sprintf("with %d credential(s) valid at once and a guess budget of %d, P = %.1e is above the ceiling of %.0e", b.Credentials, b.Budget, b.P, b.Ceiling)
	tooLong := func(n, most int) string {
		if n <= most {
			return ""
		}
		return fmt.Sprintf(" (at most %d is allowed: lower guess_budget or raise guess_ceiling)", most)
	}
	switch {
	case b.Weakest == boundPasscode && b.chosen:
		return FieldErrorf(prefix+"passcode_value", "%s: choose a passcode of at least %d digits, or %d letters and digits", what, digits, letters(62))
	case b.Weakest == boundPasscode || b.Weakest == boundInviteePasscode:
		n := letters(len(ClearAlphabet))
		if b.numeric {
			n = digits
		}
		return FieldErrorf(prefix+"passcode_policy.length", "%s: raise passcode_policy.length to %d%s", what, n, tooLong(n, MaxPasscodeLength))
	case b.Weakest == boundPIN:
		return FieldErrorf(prefix+"passcode_policy.pin_length", "%s: raise passcode_policy.pin_length to %d%s", what, digits, tooLong(digits, MaxPINLength))
	}
	return FieldErrorf(prefix+"passcode_policy.pin_length", "%s: raise passcode_policy.pin_length to %d (phone passcodes have at least pin_length digits)%s", what, digits, tooLong(digits, MaxPINLength))
}

// String renders the bound for people: "P ≤ 1.0e-08 (A = 100, k = 2)".
func (b Bound) String() string {
	return fmt.Sprintf("P ≤ %.1e (A = %d, k = %d)", b.P, b.Budget, b.Credentials)
}
