package storetest

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// failure is a refused guess at m's passcode, counted under budget a.
func failure(m *admit.Meeting, a int, at time.Time) *admit.Attempt {
	return &admit.Attempt{At: at, MeetingPK: m.PK, Channel: admit.ChannelWeb, Source: "192.0.2.9", Method: admit.MethodMeetingID,
		Outcome: admit.OutcomeRefused, Reason: admit.ReasonWrongPasscode, GuessBudget: a}
}

func testGuessBudget(t *testing.T, f *fixture) {
	m := f.meeting("81234569100", occ(1, T0, "gb-code"))
	f.save(t, m)
	o := m.Occurrences[0]
	b, err := f.s.FindGuessBudget(f.ctx, m.PK)
	must(t, err)
	if b.Failures != 0 || b.SpentAt != nil || b.PasscodeRegenerated {
		t.Errorf("new meeting's budget %+v, want zero", b)
	}
	// A refusal that is not a guess does not count.
	must(t, f.s.RecordAttempt(f.ctx, &admit.Attempt{At: T0, MeetingPK: m.PK, Channel: admit.ChannelWeb, Method: admit.MethodAccessCode,
		Outcome: admit.OutcomeRefused, Reason: admit.ReasonExpiredAccessCode}))
	// Regenerating before the budget is spent allows no reset later.
	must(t, f.s.MarkPasscodeRegenerated(f.ctx, m.PK, T0))
	for i := 1; i <= 3; i++ {
		at := failure(m, 3, T0.Add(time.Duration(i)*time.Second))
		must(t, f.s.RecordAttempt(f.ctx, at))
		if at.BudgetFailures != i || at.BudgetSpent != (i == 3) {
			t.Errorf("failure %d: counted %d, spent %v", i, at.BudgetFailures, at.BudgetSpent)
		}
	}
	at := failure(m, 3, T0.Add(4*time.Second))
	must(t, f.s.RecordAttempt(f.ctx, at))
	if at.BudgetFailures != 4 || at.BudgetSpent {
		t.Errorf("failure after the budget is spent: counted %d, spent %v (once only)", at.BudgetFailures, at.BudgetSpent)
	}
	b, err = f.s.FindGuessBudget(f.ctx, m.PK)
	must(t, err)
	if b.Failures != 4 || b.SpentAt == nil || !b.SpentAt.Equal(T0.Add(3*time.Second)) || b.PasscodeRegenerated {
		t.Errorf("spent budget %+v", b)
	}

	// Admit holds a guessable credential in the waiting room, not others.
	p := participant(o, 0, "Guess", T0.Add(5*time.Second))
	a := admission(m, o, p)
	a.Guessable, a.GuessBudget = true, 3
	must(t, f.s.Admit(f.ctx, a))
	if !a.HeldByBudget || p.State != admit.StateWaiting || p.AdmittedAt != nil ||
		a.Attempt.Outcome != admit.OutcomeWaiting || a.Attempt.Reason != admit.ReasonBudgetSpent {
		t.Errorf("guessable admission after the budget is spent: held %v, state %s, attempt %s/%s", a.HeldByBudget, p.State, a.Attempt.Outcome, a.Attempt.Reason)
	}
	got, err := f.s.FindParticipant(f.ctx, p.ID)
	must(t, err)
	if got.State != admit.StateWaiting || got.AdmittedAt != nil {
		t.Errorf("stored participant %+v, want waiting", got)
	}
	link := participant(o, 0, "Link", T0.Add(6*time.Second))
	la := admission(m, o, link)
	must(t, f.s.Admit(f.ctx, la))
	if la.HeldByBudget || link.State != admit.StateAdmitted {
		t.Errorf("admission without a guessable credential: held %v, state %s", la.HeldByBudget, link.State)
	}

	must(t, f.s.MarkPasscodeRegenerated(f.ctx, m.PK, T0.Add(7*time.Second)))
	b, err = f.s.FindGuessBudget(f.ctx, m.PK)
	must(t, err)
	if !b.PasscodeRegenerated {
		t.Errorf("budget %+v, want the passcode regenerated", b)
	}
	must(t, f.s.ResetGuessBudget(f.ctx, m.PK, T0.Add(8*time.Second)))
	b, err = f.s.FindGuessBudget(f.ctx, m.PK)
	must(t, err)
	if b.Failures != 0 || b.SpentAt != nil || b.PasscodeRegenerated || b.ResetAt == nil || !b.ResetAt.Equal(T0.Add(8*time.Second)) {
		t.Errorf("reset budget %+v", b)
	}
	wantCode(t, f.s.ResetGuessBudget(f.ctx, m.PK, T0.Add(9*time.Second)), admit.ECONFLICT, "passcode")
	p2 := participant(o, 0, "After", T0.Add(10*time.Second))
	a2 := admission(m, o, p2)
	a2.Guessable, a2.GuessBudget = true, 3
	must(t, f.s.Admit(f.ctx, a2))
	if a2.HeldByBudget || p2.State != admit.StateAdmitted {
		t.Errorf("admission after the reset: held %v, state %s", a2.HeldByBudget, p2.State)
	}
}

// testConcurrentGuessBudget counts 200 concurrent failures with budget 50:
// all are counted and exactly one spends the budget.
func testConcurrentGuessBudget(t *testing.T, f *fixture) {
	m := f.meeting("81234569200", occ(1, T0, "gbc-code"))
	f.save(t, m)
	spent := make([]bool, 200)
	counts := make([]int, 200)
	errs := parallel(200, func(i int) error {
		at := failure(m, 50, T0)
		err := f.s.RecordAttempt(f.ctx, at)
		spent[i], counts[i] = at.BudgetSpent, at.BudgetFailures
		return err
	})
	for _, err := range errs {
		must(t, err)
	}
	seen := map[int]bool{}
	nspent := 0
	for i := range counts {
		if seen[counts[i]] || counts[i] < 1 || counts[i] > 200 {
			t.Errorf("count %d reported twice or out of range", counts[i])
		}
		seen[counts[i]] = true
		if spent[i] {
			nspent++
			if counts[i] != 50 {
				t.Errorf("the budget was spent by failure %d, want 50", counts[i])
			}
		}
	}
	if nspent != 1 {
		t.Errorf("%d failures spent the budget, want 1", nspent)
	}
}
