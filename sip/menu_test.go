package sip

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// menuTest is a script of events and the prompts and final step it leads
// to. Events: "keys:123#" presses keys, "timeout", "decided:NAME" (an
// outcome), "tick" (a waiting-room repeat).
type menuTest struct {
	name    string
	events  []string
	prompts []Prompt
	joins   []Attempt
	last    Step // the flags (not prompts) of the last non-empty step
}

var opensAt = time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC)

var outcomeNames = map[string]Outcome{
	"admitted": OutcomeAdmitted, "waiting": OutcomeWaiting, "refused": OutcomeRefused,
	"rate_limited": OutcomeRateLimited, "not_open": OutcomeNotOpen, "ended": OutcomeEnded,
	"failed": OutcomeFailed, "denied": OutcomeDenied, "removed": OutcomeRemoved,
}

var menuTests = []menuTest{
	{
		name:    "access code then passcode, admitted",
		events:  []string{"keys:123456789#", "keys:4321#", "decided:admitted"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptJoining},
		joins:   []Attempt{{Entry: "123456789", Passcode: "4321"}},
		last:    Step{Bridge: true},
	},
	{
		name: "wrong passcode three times",
		events: []string{"keys:12345678901#", "keys:1#", "decided:refused", "keys:12345678901#", "keys:2#", "decided:refused",
			"keys:12345678901#", "keys:3#", "decided:refused", "keys:1#"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptEnterID, PromptEnterPasscode,
			PromptRefused, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptGoodbye},
		joins: []Attempt{{Entry: "12345678901", Passcode: "1"}, {Entry: "12345678901", Passcode: "2"}, {Entry: "12345678901", Passcode: "3"}},
		last:  Step{Hangup: true},
	},
	{
		name:    "pound alone is an invalid entry, still asked for a passcode",
		events:  []string{"keys:#", "keys:#", "decided:refused"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptEnterID},
		joins:   []Attempt{{Invalid: true}},
		last:    Step{Collect: true},
	},
	{
		name:    "an empty passcode is kept, not invalid",
		events:  []string{"keys:12345678901#", "keys:#"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode},
		joins:   []Attempt{{Entry: "12345678901"}},
	},
	{
		name:    "timeouts end entries",
		events:  []string{"timeout", "keys:12", "timeout"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode},
		joins:   []Attempt{{Passcode: "12", Invalid: true}},
	},
	{
		name:    "the 17th digit ends the entry, which matches nothing",
		events:  []string{"keys:12345678901234567", "keys:1#"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode},
		joins:   []Attempt{{Entry: "12345678901234567", Passcode: "1", Invalid: true}},
	},
	{
		name:    "star starts the entry again",
		events:  []string{"keys:99*123#", "keys:5#"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode},
		joins:   []Attempt{{Entry: "123", Passcode: "5"}},
	},
	{
		name:    "letter keys make an entry invalid",
		events:  []string{"keys:12A#", "keys:5#"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode},
		joins:   []Attempt{{Entry: "12A", Passcode: "5", Invalid: true}},
	},
	{
		name:    "waiting, then admitted",
		events:  []string{"keys:123456789#", "keys:1#", "decided:waiting", "tick", "tick", "keys:5#", "decided:admitted"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptWait, PromptWaitShort, PromptWaitShort, PromptJoining},
		joins:   []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:    Step{Bridge: true},
	},
	{
		name:    "waiting, then denied",
		events:  []string{"keys:123456789#", "keys:1#", "decided:waiting", "decided:denied"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptWait, PromptDenied},
		joins:   []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:    Step{Hangup: true},
	},
	{
		name:    "admitted, then removed",
		events:  []string{"keys:123456789#", "keys:1#", "decided:admitted", "decided:removed"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptJoining, PromptRemoved},
		joins:   []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:    Step{Hangup: true},
	},
	{
		name:    "admitted, then the meeting ends",
		events:  []string{"keys:123456789#", "keys:1#", "decided:admitted", "decided:ended"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptJoining, PromptEnded},
		joins:   []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:    Step{Hangup: true},
	},
	{
		name:   "not open yet says when it opens",
		events: []string{"keys:123456789#", "keys:1#", "decided:not_open"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptNotOpen,
			"m12", "n3", PromptAt, "n14", PromptOh, "n5", PromptUTC, PromptGoodbye},
		joins: []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:  Step{Hangup: true},
	},
	{
		name:    "ended",
		events:  []string{"keys:123456789#", "keys:1#", "decided:ended"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptEnded},
		joins:   []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:    Step{Hangup: true},
	},
	{
		name:    "rate limited is a refusal and the end",
		events:  []string{"keys:123456789#", "keys:1#", "decided:rate_limited"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptGoodbye},
		joins:   []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:    Step{Hangup: true},
	},
	{
		name:    "a fault",
		events:  []string{"keys:123456789#", "keys:1#", "decided:failed"},
		prompts: []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptFailed},
		joins:   []Attempt{{Entry: "123456789", Passcode: "1"}},
		last:    Step{Hangup: true},
	},
}

func runMenu(t *testing.T, events []string) (prompts []Prompt, joins []Attempt, last Step) {
	t.Helper()
	var m Menu
	take := func(s Step) {
		prompts = append(prompts, s.Play...)
		if s.Join != nil {
			joins = append(joins, *s.Join)
		}
		if s.Collect || s.Join != nil || s.Wait || s.Bridge || s.Hangup {
			last = Step{Collect: s.Collect, Wait: s.Wait, Bridge: s.Bridge, Hangup: s.Hangup}
		}
	}
	take(m.Start())
	for _, e := range events {
		name, arg, _ := strings.Cut(e, ":")
		switch name {
		case "keys":
			for i := 0; i < len(arg); i++ {
				take(m.Digit(arg[i]))
			}
		case "timeout":
			take(m.Timeout())
		case "tick":
			take(m.WaitTick())
		case "decided":
			o, ok := outcomeNames[arg]
			if !ok {
				t.Fatalf("unknown outcome %q", arg)
			}
			take(m.Decided(o, opensAt))
		default:
			t.Fatalf("unknown event %q", e)
		}
	}
	return prompts, joins, last
}

func TestMenu(t *testing.T) {
	for _, tt := range menuTests {
		t.Run(tt.name, func(t *testing.T) {
			prompts, joins, last := runMenu(t, tt.events)
			if !reflect.DeepEqual(prompts, tt.prompts) {
				t.Errorf("prompts:\n got %v\nwant %v", prompts, tt.prompts)
			}
			if !reflect.DeepEqual(joins, tt.joins) {
				t.Errorf("joins:\n got %+v\nwant %+v", joins, tt.joins)
			}
			if !reflect.DeepEqual(tt.last, Step{}) && !reflect.DeepEqual(last, tt.last) {
				t.Errorf("last step: got %+v, want %+v", last, tt.last)
			}
		})
	}
}

// TestMenuNoOracle checks that an unknown meeting ID and a known one with a
// wrong passcode hear the same prompts: the menu cannot tell them apart
// before the decision, and every refusal is one outcome.
func TestMenuNoOracle(t *testing.T) {
	known, _, _ := runMenu(t, []string{"keys:12345678901#", "keys:999#", "decided:refused"})
	unknown, _, _ := runMenu(t, []string{"keys:99999999999#", "keys:999#", "decided:refused"})
	empty, _, _ := runMenu(t, []string{"keys:#", "keys:#", "decided:refused"})
	if !reflect.DeepEqual(known, unknown) || !reflect.DeepEqual(known, empty) {
		t.Errorf("prompts differ:\nknown   %v\nunknown %v\nempty   %v", known, unknown, empty)
	}
}

// TestMenuTriesBounded checks that no sequence of keys and timeouts gets
// more than MaxTries decisions in one call.
func TestMenuTriesBounded(t *testing.T) {
	var m Menu
	m.Start()
	joins := 0
	for i := 0; i < 100 && !m.Done(); i++ {
		s := m.Digit('#')
		if s.Join != nil {
			joins++
			m.Decided(OutcomeRefused, time.Time{})
		}
	}
	if joins != MaxTries || !m.Done() {
		t.Errorf("joins = %d, done = %v; want %d and done", joins, m.Done(), MaxTries)
	}
}

func TestSayTime(t *testing.T) {
	tests := []struct {
		at   time.Time
		want []Prompt
	}{
		{time.Date(2026, 1, 25, 9, 0, 0, 0, time.UTC), []Prompt{"m1", "n20", "n5", PromptAt, "n9", PromptHundred, PromptUTC}},
		{time.Date(2026, 7, 30, 23, 45, 0, 0, time.UTC), []Prompt{"m7", "n30", PromptAt, "n20", "n3", "n40", "n5", PromptUTC}},
	}
	for _, tt := range tests {
		if got := SayTime(tt.at); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SayTime(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}
