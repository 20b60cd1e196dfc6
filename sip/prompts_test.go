package sip

import (
	"testing"
	"time"
)

// TestPromptsRecorded checks that every prompt the menu can say is recorded.
func TestPromptsRecorded(t *testing.T) {
	say := []Prompt{PromptWelcome, PromptEnterID, PromptEnterPasscode, PromptRefused, PromptJoining, PromptWait,
		PromptWaitShort, PromptDenied, PromptRemoved, PromptEnded, PromptNotOpen, PromptAt, PromptUTC, PromptGoodbye,
		PromptFailed, PromptOh, PromptHundred}
	for n := 0; n < 60; n++ {
		say = append(say, SayNumber(n)...)
	}
	for m := 1; m <= 12; m++ {
		say = append(say, SayTime(time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC))...)
	}
	for _, p := range say {
		b, err := Clip(p)
		if err != nil {
			t.Error(err)
		} else if len(b) < 800 {
			t.Errorf("prompt %q has %d samples, fewer than 0.1 s", p, len(b))
		}
	}
	if len(Prompts()) < 40 {
		t.Errorf("only %d prompts recorded", len(Prompts()))
	}
}

func TestRender(t *testing.T) {
	u, err := Render([]Prompt{PromptWelcome, "n1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Render([]Prompt{PromptWelcome, "n1"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(u)%frameSize != 0 || len(u) != len(a) {
		t.Errorf("lengths %d (mu-law) and %d (A-law), want equal multiples of %d", len(u), len(a), frameSize)
	}
	if _, err := Render([]Prompt{"nope"}, false); err == nil {
		t.Error("Render of an unrecorded prompt succeeded")
	}
}
