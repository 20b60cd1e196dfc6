package admit

import (
	"testing"
	"time"
)

var joinedAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

var checksGuessBudgetTests = []struct {
	name      string
	guessable bool
	budget    int
	state     string
	want      bool
}{
	{"guessable, budget, admitted", true, 10, StateAdmitted, true},
	{"not guessable", false, 10, StateAdmitted, false},
	{"no budget", true, 0, StateAdmitted, false},
	{"already waiting (named as a held entry is)", true, 10, StateWaiting, true},
	{"denied", true, 10, StateDenied, false},
}

func TestChecksGuessBudget(t *testing.T) {
	for _, tt := range checksGuessBudgetTests {
		a := &Admission{Participant: &Participant{State: tt.state}, Guessable: tt.guessable, GuessBudget: tt.budget}
		if got := a.ChecksGuessBudget(); got != tt.want {
			t.Errorf("%s: ChecksGuessBudget() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestHoldForBudget(t *testing.T) {
	at := joinedAt
	a := &Admission{Participant: &Participant{State: StateAdmitted, AdmittedAt: &at},
		Attempt: &Attempt{Outcome: OutcomeAdmitted}}
	a.HoldForBudget()
	p := a.Participant
	if p.State != StateWaiting || p.AdmittedAt != nil || !a.HeldByBudget {
		t.Errorf("participant = %q, AdmittedAt %v, HeldByBudget %v; want waiting, nil, true", p.State, p.AdmittedAt, a.HeldByBudget)
	}
	if a.Attempt.Outcome != OutcomeWaiting || a.Attempt.Reason != ReasonBudgetSpent {
		t.Errorf("attempt = %q/%q, want %q/%q", a.Attempt.Outcome, a.Attempt.Reason, OutcomeWaiting, ReasonBudgetSpent)
	}
	(&Admission{Participant: &Participant{State: StateAdmitted}}).HoldForBudget() // no attempt: no panic
}

func TestAdmittedTime(t *testing.T) {
	set := joinedAt.Add(time.Minute)
	tests := []struct {
		name string
		p    Participant
		want *time.Time
	}{
		{"set", Participant{State: StateAdmitted, JoinedAt: joinedAt, AdmittedAt: &set}, &set},
		{"admitted now", Participant{State: StateAdmitted, JoinedAt: joinedAt}, &joinedAt},
		{"waiting", Participant{State: StateWaiting, JoinedAt: joinedAt}, nil},
	}
	for _, tt := range tests {
		got := tt.p.AdmittedTime()
		if (got == nil) != (tt.want == nil) || got != nil && !got.Equal(*tt.want) {
			t.Errorf("%s: AdmittedTime() = %v, want %v", tt.name, got, tt.want)
		}
	}
	p := Participant{State: StateAdmitted, JoinedAt: joinedAt}
	if got := p.AdmittedTime(); got == &p.JoinedAt {
		t.Errorf("AdmittedTime() points into JoinedAt; want a copy")
	}
}

func TestJoinAttempt(t *testing.T) {
	p := &Participant{OccurrencePK: 7, Channel: ChannelWeb, Source: "1.2.3.4", JoinedAt: joinedAt, State: StateAdmitted}
	got := (&Admission{Participant: p}).JoinAttempt(3)
	want := Attempt{At: joinedAt, OccurrencePK: 7, Channel: ChannelWeb, Source: "1.2.3.4", Outcome: OutcomeAdmitted}
	if got != want {
		t.Errorf("admitted: JoinAttempt = %+v, want %+v", got, want)
	}
	p.State = StateWaiting
	if got := (&Admission{Participant: p}).JoinAttempt(3); got.Outcome != OutcomeWaiting {
		t.Errorf("waiting: outcome %q, want %q", got.Outcome, OutcomeWaiting)
	}
	given := &Attempt{MeetingPK: 4, Outcome: OutcomeAdmitted, Method: "pin"}
	got = (&Admission{Participant: p, Attempt: given}).JoinAttempt(3)
	if got.Occurrence != 3 || got.MeetingPK != 4 || got.Method != "pin" {
		t.Errorf("given attempt: JoinAttempt = %+v, want a copy with Occurrence 3", got)
	}
	if given.Occurrence != 0 {
		t.Errorf("JoinAttempt changed the admission's attempt")
	}
	given.Occurrence = 5
	if got := (&Admission{Participant: p, Attempt: given}).JoinAttempt(3); got.Occurrence != 5 {
		t.Errorf("given occurrence: got %d, want 5", got.Occurrence)
	}
}

func TestApply(t *testing.T) {
	r := Admitted{ParticipantPK: 11, AttemptID: 12, Occurrence: 2, Seq: 2, DisplayName: "Ada (2)", InviteeID: "inv"}
	p := &Participant{State: StateAdmitted, JoinedAt: joinedAt}
	a := &Admission{Participant: p, Attempt: &Attempt{}}
	a.Apply(r)
	if p.PK != 11 || p.Occurrence != 2 || p.DisplayName != "Ada (2)" || !p.SharedCredential || p.InviteeID != "inv" {
		t.Errorf("participant = %+v", p)
	}
	if p.AdmittedAt == nil || !p.AdmittedAt.Equal(joinedAt) {
		t.Errorf("AdmittedAt = %v, want %v", p.AdmittedAt, joinedAt)
	}
	if a.Attempt.ID != 12 || a.Attempt.ParticipantPK != 11 || a.Attempt.Occurrence != 2 {
		t.Errorf("attempt = %+v", a.Attempt)
	}

	p = &Participant{State: StateWaiting, InviteeID: "mine"}
	a = &Admission{Participant: p, Attempt: &Attempt{Occurrence: 5}}
	a.Apply(Admitted{Seq: 1, InviteeID: "inv", Occurrence: 2})
	if p.SharedCredential || p.InviteeID != "mine" || p.AdmittedAt != nil || a.Attempt.Occurrence != 5 {
		t.Errorf("waiting: participant %+v, attempt %+v", p, a.Attempt)
	}
}
