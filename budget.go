package admit

import (
	"context"
	"time"
)

// GuessBudget is the state of a meeting's guess budget: the failed guesses
// at its passcodes, from any channel, since its last reset. A success never
// resets it (else an attacker who joins legitimately could); only the host
// does, after regenerating the passcode.
type GuessBudget struct {
	Failures int
	// SpentAt is when Failures reached the budget in force then; nil while
	// the budget is not spent.
	SpentAt *time.Time
	// PasscodeRegenerated reports that the passcode was regenerated after
	// the budget was spent.
	PasscodeRegenerated bool
	ResetAt             *time.Time
}

// Spent reports whether the budget is spent under budget a: it was marked
// spent, or a has since been lowered to the failures counted.
func (b *GuessBudget) Spent(a int) bool {
	return b.SpentAt != nil || b.Failures >= a
}

// GuessBudgetStore keeps the meetings' guess budgets. Failures are counted
// by RecordAttempt (Attempt.GuessBudget) and the budget is enforced by
// Admit (Admission.Guessable), each in the same write as the attempt, so
// that the count is exact under concurrent attempts.
type GuessBudgetStore interface {
	// FindGuessBudget returns the meeting's budget (the zero budget when no
	// failure was ever counted).
	FindGuessBudget(ctx context.Context, meetingPK int64) (*GuessBudget, error)
	// MarkPasscodeRegenerated records that the meeting's passcode was
	// regenerated at now.
	MarkPasscodeRegenerated(ctx context.Context, meetingPK int64, now time.Time) error
	// ResetGuessBudget sets the meeting's failures to 0 and its budget to
	// not spent, at now, only if the budget is spent and the passcode was
	// regenerated since: else ECONFLICT.
	ResetGuessBudget(ctx context.Context, meetingPK int64, now time.Time) error
}
