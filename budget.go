package admit

import (
	"context"
	"sync"
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

// BudgetAlert is the roster's banner when a meeting's guess budget is spent.
const BudgetAlert = "Too many wrong passcodes were tried for this meeting: joins with the meeting ID or access code and a passcode now wait for you to admit or deny them (invitation links still admit). Regenerate the passcode, then reset the guess budget."

// accountGuessing is an account's budget and ceiling as the join path
// caches them.
type accountGuessing struct {
	budget  int
	ceiling float64
	at      time.Time
}

// guessingTTL is how long the join path trusts its copy of an account's
// guess budget. Changes made by this process take effect at once.
const guessingTTL = 10 * time.Second

// guessCache keeps accounts' guess budgets for the join path, so that a
// join does not read the account.
type guessCache struct {
	mu sync.Mutex
	m  map[int64]accountGuessing
}

// accountGuessing returns the account's guess budget and ceiling.
func (s *Service) accountGuessing(ctx context.Context, accountID int64) (int, float64, error) {
	now := s.now()
	s.guesses.mu.Lock()
	g, ok := s.guesses.m[accountID]
	s.guesses.mu.Unlock()
	if ok && !now.Before(g.at) && now.Sub(g.at) < guessingTTL {
		return g.budget, g.ceiling, nil
	}
	acct, err := s.Store.FindAccountByID(ctx, accountID)
	if err != nil {
		return 0, 0, err
	}
	g = accountGuessing{budget: acct.Security.Budget(), ceiling: acct.Security.Ceiling(), at: now}
	s.guesses.mu.Lock()
	if s.guesses.m == nil {
		s.guesses.m = map[int64]accountGuessing{}
	}
	s.guesses.m[accountID] = g
	s.guesses.mu.Unlock()
	return g.budget, g.ceiling, nil
}

// forgetGuessing drops the cached budget of an account whose security changed.
func (s *Service) forgetGuessing(accountID int64) {
	s.guesses.mu.Lock()
	delete(s.guesses.m, accountID)
	s.guesses.mu.Unlock()
}

// countsAgainstBudget reports whether a refusal is a failed guess at a
// known meeting's passcodes: a wrong passcode (with the meeting ID or a
// found access code) or a wrong join-URL pwd. Unknown meetings, codes and
// tokens have no meeting: they count per source only.
func countsAgainstBudget(reason string) bool {
	return reason == ReasonWrongPasscode || reason == ReasonWrongPwd
}

// budgetSpent records in the audit trail that a meeting's guess budget was
// spent (once: only the failure that spent it reports it).
func (s *Service) budgetSpent(ctx context.Context, m *Meeting, at *Attempt) {
	s.publish(ctx, Change{Kind: ChangeBudget, MeetingPK: m.PK})
	s.event(ctx, &Event{AccountID: m.AccountID, Actor: "system", Action: "budget.spent", Target: "meeting:" + m.ID,
		Source: at.Source, Outcome: "alert", Detail: "failures " + itoa(int64(at.BudgetFailures)) + " of budget " + itoa(int64(at.GuessBudget))})
}

// budgetView shows a meeting's guess budget under budget a.
func budgetView(b *GuessBudget, a int) *GuessBudgetView {
	v := &GuessBudgetView{Failures: b.Failures, Budget: a, Spent: b.Spent(a), SpentAt: b.SpentAt, ResetAt: b.ResetAt,
		PasscodeRegenerated: b.PasscodeRegenerated}
	if v.Spent {
		v.Alert = BudgetAlert
	}
	return v
}

// meetingBudget returns the view of m's guess budget.
func (s *Service) meetingBudget(ctx context.Context, m *Meeting) (*GuessBudgetView, error) {
	a, _, err := s.accountGuessing(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.FindGuessBudget(ctx, m.PK)
	if err != nil {
		return nil, err
	}
	return budgetView(b, a), nil
}

// openSecrets fills the Plain value of every passcode-like secret of m.
func (s *Service) openSecrets(m *Meeting) {
	s.open(m.Passcode, "meeting:"+m.ID+":passcode")
	s.open(m.PhonePasscode, "meeting:"+m.ID+":phone-passcode")
	for _, inv := range m.Invitees {
		ad := "meeting:" + m.ID + ":invitee:" + inv.ID
		s.open(inv.Passcode, ad+":passcode")
		s.open(inv.PhonePasscode, ad+":phone-passcode")
		s.open(inv.PIN, ad+":pin")
	}
}

// checkBound refuses (EINVALID, naming the setting to raise) a meeting
// whose guessing bound exceeds the account's ceiling.
func (s *Service) checkBound(m *Meeting, acct *Account) error {
	s.openSecrets(m)
	return GuessBound(m, acct.Security.Budget(), acct.Security.Ceiling()).Check("security.")
}

// guard adds the guessing bound and the guess budget to the view of m,
// whose secrets are open.
func (s *Service) guard(ctx context.Context, m *Meeting, v *MeetingView) (*MeetingView, error) {
	a, ceiling, err := s.accountGuessing(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	s.openSecrets(m)
	b := GuessBound(m, a, ceiling)
	v.GuessBound = &b
	if v.Budget, err = s.meetingBudget(ctx, m); err != nil {
		return nil, err
	}
	return v, nil
}

// ResetBudget resets a meeting's guess budget, once its passcode has been
// regenerated since the budget was spent: passcode joins admit directly
// again. ENOTFOUND; ECONFLICT when the budget is not spent or the passcode
// was not regenerated since.
func (s *Service) ResetBudget(ctx context.Context, a *Actor, id string) (*GuessBudgetView, error) {
	if err := require(a, ScopeManage); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id)
	if err != nil {
		return nil, err
	}
	budget, _, err := s.accountGuessing(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.FindGuessBudget(ctx, m.PK)
	if err != nil {
		return nil, err
	}
	if !b.Spent(budget) {
		return nil, &Error{Code: ECONFLICT, Field: "budget", Message: "The guess budget of this meeting is not spent; there is nothing to reset."}
	}
	if !b.PasscodeRegenerated {
		return nil, &Error{Code: ECONFLICT, Field: "passcode", Message: "Regenerate the meeting's passcode first (POST /api/v1/meetings/" + m.ID + "/regenerate with what \"passcode\"): whoever spent the budget may have learnt it."}
	}
	if err := s.Store.ResetGuessBudget(ctx, m.PK, s.now()); err != nil {
		return nil, err
	}
	s.event(ctx, &Event{AccountID: m.AccountID, Actor: a.name(), Action: "budget.reset", Target: "meeting:" + m.ID, Source: a.source(), Outcome: "ok",
		Detail: "failures " + itoa(int64(b.Failures))})
	return s.meetingBudget(ctx, m)
}
