package admit_test

import (
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

var checkChosenTests = []struct {
	name     string
	policy   func(*admit.PasscodePolicy)
	passcode string
	wantRule string // a word the message must contain; "" when accepted
}{
	{"good", nil, "Tr4mpol1ne", ""},
	{"good numeric", nil, "40719253", ""},
	{"too short", nil, "a7b9c", "at least 6"},
	{"too long", nil, strings.Repeat("ab7", 11), "at most 32"},
	{"bad character", nil, "hello world", "only letters"},
	{"numeric only", func(p *admit.PasscodePolicy) { p.NumericOnly = true }, "abc7391", "digits only"},
	{"needs upper", func(p *admit.PasscodePolicy) { p.RequireClasses = []string{"upper"} }, "lower7391", "upper-case"},
	{"needs digit", func(p *admit.PasscodePolicy) { p.RequireClasses = []string{"digit"} }, "NoDigitsHere", "digit"},
	{"needs special", func(p *admit.PasscodePolicy) { p.RequireClasses = []string{"special"} }, "NoSpecial7", "special"},
	{"min length 8", func(p *admit.PasscodePolicy) { p.MinLength = 8 }, "x7k2m9", "at least 8"},
	{"123456", nil, "123456", "sequence"},
	{"abcdef", nil, "abcdef", "sequence"},
	{"654321", nil, "654321", "common"},
	{"111111", nil, "111111", "repeats one"},
	{"121212", nil, "121212", "pattern"},
	{"abcabc", nil, "abcabc", "pattern"},
	{"password", nil, "Password", "common"},
	{"meeting id", nil, "98765432109", "meeting ID"},
}

func TestCheckChosen(t *testing.T) {
	for _, tt := range checkChosenTests {
		t.Run(tt.name, func(t *testing.T) {
			p := admit.DefaultPasscodePolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			err := p.CheckChosen("security.passcode_value", tt.passcode, "98765432109")
			if tt.wantRule == "" {
				if err != nil {
					t.Errorf("CheckChosen(%q) = %v, want accepted", tt.passcode, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckChosen(%q) accepted, want refused for %q", tt.passcode, tt.wantRule)
			}
			if admit.ErrorField(err) != "security.passcode_value" || !strings.Contains(admit.ErrorMessage(err), tt.wantRule) {
				t.Errorf("CheckChosen(%q) = %v; want field security.passcode_value and a message naming %q", tt.passcode, err, tt.wantRule)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	bad := []func(*admit.PasscodePolicy){
		func(p *admit.PasscodePolicy) { p.Length = 5 },
		func(p *admit.PasscodePolicy) { p.MinLength = 4 },
		func(p *admit.PasscodePolicy) { p.PINLength = 6 },
		func(p *admit.PasscodePolicy) { p.RequireClasses = []string{"emoji"} },
		func(p *admit.PasscodePolicy) { p.NumericOnly = true; p.RequireClasses = []string{"upper"} },
	}
	for i, f := range bad {
		p := admit.DefaultPasscodePolicy()
		f(&p)
		if err := p.Validate("policy"); err == nil || !strings.HasPrefix(admit.ErrorField(err), "policy.") {
			t.Errorf("case %d: Validate = %v, want an error naming a policy field", i, err)
		}
	}
	p := admit.DefaultPasscodePolicy()
	if err := p.Validate("policy"); err != nil {
		t.Errorf("default policy invalid: %v", err)
	}
}

func TestSecurityLocks(t *testing.T) {
	acct := admit.DefaultAccountSecurity()
	acct.Locked = []string{"waiting_room"}
	s := acct.Security
	on := true
	err := s.Apply(&admit.SecurityInput{WaitingRoom: &on}, &acct, "security")
	if admit.ErrorCode(err) != admit.EFORBIDDEN || admit.ErrorField(err) != "security.waiting_room" {
		t.Errorf("overriding a locked setting: %v", err)
	}
	off := false // same value as the lock: allowed
	if err := s.Apply(&admit.SecurityInput{WaitingRoom: &off}, &acct, "security"); err != nil {
		t.Errorf("restating a locked setting: %v", err)
	}
	grace := -1
	if err := s.Apply(&admit.SecurityInput{GraceMinutes: &grace}, &acct, "security"); admit.ErrorField(err) != "security.grace_minutes" {
		t.Errorf("negative grace: %v", err)
	}
}
