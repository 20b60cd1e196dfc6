package admit_test

import (
	"math"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

type policyBoundTest struct {
	name     string
	sec      func(*admit.Security)
	invitees int
	budget   int
	ceiling  float64
	wantP    float64 // 0: not checked
	field    string  // "" when the bound meets the ceiling
	wantMsg  string
}

// withPolicy returns the default security changed by fn.
func withPolicy(fn func(*admit.Security)) admit.Security {
	s := admit.DefaultSecurity()
	if fn != nil {
		fn(&s)
	}
	return s
}

var policyBoundTests = []policyBoundTest{
	// Defaults: 10 characters of the 56-symbol clear alphabet, phone forms
	// and PINs of 12 digits. P = 100·(56^-10 + 10^-12 + 1000·10^-12).
	{name: "defaults, shared, 1000 invitees", invitees: 1000, budget: 100, ceiling: 1e-6,
		wantP: 100 * (math.Pow(56, -10) + 1e-12 + 1000e-12)},
	// Unique: 1000 passcodes, 1000 phone forms, 1000 PINs.
	{name: "defaults, unique, 1000 invitees", sec: func(s *admit.Security) { s.Passcode = admit.PasscodeUnique }, invitees: 1000, budget: 100, ceiling: 1e-6,
		wantP: 100 * 1000 * (math.Pow(56, -10) + 2e-12)},
	{name: "defaults, no invitee", budget: 100, ceiling: 1e-6, wantP: 100 * (math.Pow(56, -10) + 1e-12)},
	// 10-digit PINs (the old default) meet the ceiling up to 98 invitees.
	{name: "pin_length 10, 98 invitees", sec: func(s *admit.Security) { s.PasscodePolicy.PINLength = 10 }, invitees: 98, budget: 100, ceiling: 1e-6},
	{name: "pin_length 10, 100 invitees", sec: func(s *admit.Security) { s.PasscodePolicy.PINLength = 10 }, invitees: 100, budget: 100, ceiling: 1e-6,
		field: "passcode_policy.pin_length", wantMsg: "raise passcode_policy.pin_length to 11"},
	{name: "pin_length 10, 1000 invitees", sec: func(s *admit.Security) { s.PasscodePolicy.PINLength = 10 }, invitees: 1000, budget: 100, ceiling: 1e-6,
		field: "passcode_policy.pin_length", wantMsg: "raise passcode_policy.pin_length to 12"},
	{name: "6-digit generated passcodes", sec: func(s *admit.Security) { s.PasscodePolicy.NumericOnly, s.PasscodePolicy.Length = true, 6 }, budget: 100, ceiling: 1e-6,
		wantP: 1e-4, field: "passcode_policy.length", wantMsg: "raise passcode_policy.length to 8"},
	{name: "stricter ceiling", invitees: 1000, budget: 100, ceiling: 1e-8,
		field: "passcode_policy.pin_length", wantMsg: "raise passcode_policy.pin_length to 14"},
	{name: "ceiling beyond the longest PIN", invitees: 1000, budget: 100, ceiling: 1e-12,
		field: "passcode_policy.pin_length", wantMsg: "at most 16 is allowed"},
	{name: "larger budget", invitees: 1000, budget: 10000, ceiling: 1e-6,
		field: "passcode_policy.pin_length", wantMsg: "raise passcode_policy.pin_length to 14"},
	{name: "no passcode", sec: func(s *admit.Security) { s.Passcode = admit.PasscodeNone }, budget: 100, ceiling: 1e-6,
		wantP: 1, field: "passcode", wantMsg: "turn on the waiting room"},
	{name: "no passcode, waiting room", sec: func(s *admit.Security) { s.Passcode, s.WaitingRoom = admit.PasscodeNone, true }, budget: 100, ceiling: 1e-6},
}

func TestPolicyBound(t *testing.T) {
	for _, tt := range policyBoundTests {
		t.Run(tt.name, func(t *testing.T) {
			b := admit.PolicyBound(withPolicy(tt.sec), tt.invitees, tt.budget, tt.ceiling)
			if tt.wantP != 0 && math.Abs(b.P-tt.wantP) > 1e-9*tt.wantP {
				t.Errorf("P = %g, want %g", b.P, tt.wantP)
			}
			err := b.Check("")
			if tt.field == "" {
				if err != nil {
					t.Errorf("Check() = %v; want nil (P = %g)", err, b.P)
				}
				return
			}
			if admit.ErrorField(err) != tt.field || !strings.Contains(admit.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("Check() = %v (field %q); want field %q and a message with %q", err, admit.ErrorField(err), tt.field, tt.wantMsg)
			}
		})
	}
}

// TestDefaultsMeetTheCeiling checks the account defaults against the
// largest allowed meeting.
func TestDefaultsMeetTheCeiling(t *testing.T) {
	sec := admit.DefaultAccountSecurity()
	if err := sec.ValidateGuessing(); err != nil {
		t.Fatalf("the default account security fails its own ceiling: %v", err)
	}
}

func secret(v string) *admit.Secret { return &admit.Secret{Plain: v} }

type meetingBoundTest struct {
	name    string
	m       *admit.Meeting
	wantK   int
	wantP   float64
	field   string
	wantMsg string
}

var meetingBoundTests = []meetingBoundTest{
	{name: "generated shared passcode", m: &admit.Meeting{Security: admit.DefaultSecurity(), Passcode: secret("Ab3dE9xYz2"), PhonePasscode: secret("123456789012")},
		wantK: 2, wantP: 100 * (math.Pow(56, -10) + 1e-12)},
	{name: "chosen 8-digit passcode", m: &admit.Meeting{Security: admit.DefaultSecurity(), Passcode: secret("48151623")},
		wantK: 1, wantP: 1e-6},
	{name: "chosen 7-digit passcode", m: &admit.Meeting{Security: admit.DefaultSecurity(), Passcode: secret("4815162")},
		wantK: 1, wantP: 1e-5, field: "security.passcode_value", wantMsg: "at least 8 digits, or 5 letters and digits"},
	{name: "invitee PINs", m: &admit.Meeting{Security: admit.DefaultSecurity(), Passcode: secret("Ab3dE9xYz2"), PhonePasscode: secret("123456789012"),
		Invitees: []*admit.Invitee{{PIN: secret("12345678")}, {PIN: secret("87654321")}}},
		wantK: 4, field: "security.passcode_policy.pin_length", wantMsg: "raise passcode_policy.pin_length to 9"},
}

func TestGuessBound(t *testing.T) {
	for _, tt := range meetingBoundTests {
		t.Run(tt.name, func(t *testing.T) {
			b := admit.GuessBound(tt.m, 100, 1e-6)
			if b.Credentials != tt.wantK {
				t.Errorf("k = %d, want %d", b.Credentials, tt.wantK)
			}
			if tt.wantP != 0 && math.Abs(b.P-tt.wantP) > 1e-9*tt.wantP {
				t.Errorf("P = %g, want %g", b.P, tt.wantP)
			}
			err := b.Check("security.")
			if tt.field == "" {
				if err != nil {
					t.Errorf("Check() = %v; want nil", err)
				}
				return
			}
			if admit.ErrorField(err) != tt.field || !strings.Contains(admit.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("Check() = %v (field %q); want field %q and a message with %q", err, admit.ErrorField(err), tt.field, tt.wantMsg)
			}
		})
	}
}
