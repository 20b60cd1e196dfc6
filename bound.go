package admit

import (
	"fmt"
	"math"
	"strings"
)

// Guess-budget defaults.
const (
	DefaultGuessBudget = 100  // A: failed attempts per meeting before joins wait
	DefaultCeiling     = 1e-6 // the most P an account accepts
	MaxGuessBudget     = 100000
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
	var up, lo, di, sp bool
	for i := 0; i < len(value); i++ {
		c := value[i]
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

// Bound is the published guessing bound of a meeting: the probability that
// an attacker who spends the whole guess budget A gets in directly.
type Bound struct {
	P           float64 `json:"p"`             // A · Σ 1/N over the credentials valid at once
	Budget      int     `json:"budget"`        // A
	Credentials int     `json:"credentials"`   // k: credentials valid at once
	Ceiling     float64 `json:"ceiling"`       // the account's ceiling
	Weakest     string  `json:"weakest"`       // the credential that dominates P
	WeakestN    float64 `json:"weakest_space"` // its N
}

// GuessBound computes the bound for m, whose secrets must be open (Plain
// set), under budget a. A meeting without a passcode has no secret to guess:
// its P is 1, unless the waiting room holds everyone (P 0 of direct
// admission).
func GuessBound(m *Meeting, a int, ceiling float64) Bound {
	b := Bound{Budget: a, Ceiling: ceiling}
	if m.Security.Passcode == PasscodeNone {
		if m.Security.WaitingRoom {
			return b
		}
		b.P, b.Weakest, b.WeakestN = 1, "passcode", 1
		return b
	}
	var sum float64
	add := func(name string, s *Secret) {
		if s == nil || s.Plain == "" {
			return
		}
		n := credentialSpace(s.Plain)
		sum += 1 / n
		b.Credentials++
		if b.Weakest == "" || n < b.WeakestN {
			b.Weakest, b.WeakestN = name, n
		}
	}
	add("passcode", m.Passcode)
	add("phone_passcode", m.PhonePasscode)
	for _, inv := range m.Invitees {
		add("invitee_passcode", inv.Passcode)
		add("invitee_phone_passcode", inv.PhonePasscode)
		add("pin", inv.PIN)
	}
	b.P = float64(a) * sum
	return b
}

// Check returns EINVALID naming the setting to raise, and to what, when P
// exceeds the ceiling.
func (b Bound) Check() error {
	if b.P <= b.Ceiling {
		return nil
	}
	if b.Weakest == "passcode" && b.WeakestN == 1 {
		return FieldErrorf("security.passcode", "without a passcode anyone with the meeting ID gets in (P = 1 > ceiling %.0e): set a passcode or turn on the waiting room", b.Ceiling)
	}
	// Each credential term must fit the ceiling spread over all of them.
	need := float64(b.Budget) * float64(b.Credentials) / b.Ceiling
	digits := int(math.Ceil(math.Log10(need)))
	mixed := int(math.Ceil(math.Log(need) / math.Log(62)))
	switch b.Weakest {
	case "passcode":
		return FieldErrorf("security.passcode_value", "the passcode can be guessed with probability %.1e within the guess budget of %d (ceiling %.0e): use at least %d digits, or %d letters and digits",
			b.P, b.Budget, b.Ceiling, digits, mixed)
	case "pin":
		return FieldErrorf("security.passcode_policy.pin_length", "with %d credentials valid at once a PIN can be guessed with probability %.1e within the guess budget of %d (ceiling %.0e): raise pin_length to %d",
			b.Credentials, b.P, b.Budget, b.Ceiling, digits)
	}
	return FieldErrorf("security.passcode_policy.length", "%s can be guessed with probability %.1e within the guess budget of %d (ceiling %.0e): raise passcode_policy.length and pin_length to at least %d",
		b.Weakest, b.P, b.Budget, b.Ceiling, digits)
}

// String renders the bound for people: "P ≤ 1.0e-08 (A = 100, k = 2)".
func (b Bound) String() string {
	return fmt.Sprintf("P ≤ %.1e (A = %d, k = %d)", b.P, b.Budget, b.Credentials)
}
