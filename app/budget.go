package app

import (
	"context"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// accountGuessing is an account's budget and ceiling as the join path
// caches them.
type accountGuessing struct {
	budget  int
	ceiling float64
	at      time.Time
}

// guessingTTL is how long the join path trusts its copy of an account's
// guess budget. Changes made by this process, or told by the change feed,
// take effect at once.
const guessingTTL = 10 * time.Second

// guessCache keeps accounts' guess budgets for the join path, so that a
// join does not read the account.
type guessCache struct {
	mu         sync.Mutex
	m          map[int64]accountGuessing
	refreshing map[int64]bool
	gen        uint64 // bumped by every forget; a read that began before is thrown away
}

// accountGuessing returns the account's guess budget and ceiling as of
// now. Only the account's first use (since the start, or since a change
// this process made or was told of) waits for a read of the account: a copy
// older than guessingTTL is answered while it is read again in the
// background, so that a real meeting's refusal does not read the account
// every guessingTTL where an unknown identifier's never does (a timing
// oracle, issue 18).
func (s *Service) accountGuessing(ctx context.Context, accountID int64, now time.Time) (int, float64, error) {
	s.guesses.mu.Lock()
	g, ok := s.guesses.m[accountID]
	if ok && (now.Before(g.at) || now.Sub(g.at) >= guessingTTL) && !s.guesses.refreshing[accountID] {
		if s.guesses.refreshing == nil {
			s.guesses.refreshing = map[int64]bool{}
		}
		s.guesses.refreshing[accountID] = true
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), guessingTTL)
			defer cancel()
			if _, err := s.readGuessing(ctx, accountID, now); err != nil {
				s.logger().Warn("read an account's guess budget again", "account_id", accountID, "err", err)
			}
			s.guesses.mu.Lock()
			delete(s.guesses.refreshing, accountID)
			s.guesses.mu.Unlock()
		}()
	}
	s.guesses.mu.Unlock()
	if ok {
		return g.budget, g.ceiling, nil
	}
	g, err := s.readGuessing(ctx, accountID, now)
	return g.budget, g.ceiling, err
}

// readGuessing reads the account's guess budget and ceiling and keeps them
// as read at now, unless the account was forgotten meanwhile.
func (s *Service) readGuessing(ctx context.Context, accountID int64, now time.Time) (accountGuessing, error) {
	s.guesses.mu.Lock()
	gen := s.guesses.gen
	s.guesses.mu.Unlock()
	acct, err := s.Store.FindAccountByID(ctx, accountID)
	if err != nil {
		return accountGuessing{}, err
	}
	g := accountGuessing{budget: acct.Security.Budget(), ceiling: acct.Security.Ceiling(), at: now}
	s.guesses.mu.Lock()
	defer s.guesses.mu.Unlock()
	if s.guesses.gen != gen {
		return g, nil // what was read may be older than the change
	}
	if s.guesses.m == nil {
		s.guesses.m = map[int64]accountGuessing{}
	}
	s.guesses.m[accountID] = g
	return g, nil
}

// forgetGuessing drops the cached budget of an account whose security changed.
func (s *Service) forgetGuessing(accountID int64) {
	s.guesses.mu.Lock()
	delete(s.guesses.m, accountID)
	s.guesses.gen++
	s.guesses.mu.Unlock()
}

// countsAgainstBudget reports whether a refusal is a failed guess at a
// known meeting's passcodes: a wrong passcode (with the meeting ID or a
// found access code) or a wrong join-URL pwd. Unknown meetings, codes and
// tokens have no meeting: they count per source only.
func countsAgainstBudget(reason string) bool {
	return reason == admit.ReasonWrongPasscode || reason == admit.ReasonWrongPwd
}

// budgetSpent records in the audit trail that a meeting's guess budget was
// spent (once: only the failure that spent it reports it).
func (s *Service) budgetSpent(ctx context.Context, m *admit.Meeting, at *admit.Attempt) {
	s.publish(ctx, admit.Change{Kind: admit.ChangeBudget, MeetingPK: m.PK})
	if s.Observer != nil {
		s.Observer.GuessBudgetSpent()
	}
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: "system", Action: "budget.spent", Target: "meeting:" + m.ID,
		Source: at.Source, Outcome: "alert", Detail: "failures " + itoa(int64(at.BudgetFailures)) + " of budget " + itoa(int64(at.GuessBudget))})
}

// budgetView shows a meeting's guess budget under budget a.
func budgetView(b *admit.GuessBudget, a int) *admit.GuessBudgetView {
	v := &admit.GuessBudgetView{Failures: b.Failures, Budget: a, Spent: b.Spent(a), SpentAt: b.SpentAt, ResetAt: b.ResetAt,
		PasscodeRegenerated: b.PasscodeRegenerated}
	if v.Spent {
		v.UnderAttack, v.Alert = true, BudgetAlert
	}
	return v
}

// meetingBudget returns the view of m's guess budget.
func (s *Service) meetingBudget(ctx context.Context, m *admit.Meeting) (*admit.GuessBudgetView, error) {
	a, _, err := s.accountGuessing(ctx, m.AccountID, s.now())
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
func (s *Service) openSecrets(m *admit.Meeting) {
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
func (s *Service) checkBound(m *admit.Meeting, acct *admit.Account) error {
	s.openSecrets(m)
	return admit.GuessBound(m, acct.Security.Budget(), acct.Security.Ceiling()).Check("security.")
}

// guard adds the guessing bound and the guess budget to the view of m,
// whose secrets are open.
func (s *Service) guard(ctx context.Context, m *admit.Meeting, v *admit.MeetingView) (*admit.MeetingView, error) {
	a, ceiling, err := s.accountGuessing(ctx, m.AccountID, s.now())
	if err != nil {
		return nil, err
	}
	s.openSecrets(m)
	b := admit.GuessBound(m, a, ceiling)
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
func (s *Service) ResetBudget(ctx context.Context, a *admit.Actor, id string) (*admit.GuessBudgetView, error) {
	m, b, budget, err := s.budgetToRun(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !b.Spent(budget) {
		return nil, &admit.Error{Code: admit.ECONFLICT, Field: "budget", Message: "The guess budget of this meeting is not spent; there is nothing to reset."}
	}
	if !b.PasscodeRegenerated {
		return nil, &admit.Error{Code: admit.ECONFLICT, Field: "passcode", Message: "Regenerate the meeting's passcode first (POST /api/v1/meetings/" + m.ID + "/regenerate with what \"passcode\"): whoever spent the budget may have learnt it."}
	}
	if err := s.Store.ResetGuessBudget(ctx, m.PK, s.now()); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "budget.reset", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok",
		Detail: "failures " + itoa(int64(b.Failures))})
	return s.meetingBudget(ctx, m)
}

// BudgetAlert is the roster's banner when a meeting's guess budget is spent.
const BudgetAlert = "This meeting is under attack: too many wrong passcodes were tried. Every join with the meeting ID or access code and a passcode or PIN now waits for you, right or wrong, and no one is told which. Entries marked \"matched\" had a right passcode or PIN; deny the unmatched ones all at once, then restore the meeting: that draws a new passcode, phone passcode and PINs, sends them to the invitees, and lets joins in directly again. Invitation links still admit."

// budgetToRun finds meeting id for a host who acts on its guess budget
// (the manage scope and PermRun), with the budget and the account's A.
func (s *Service) budgetToRun(ctx context.Context, a *admit.Actor, id string) (*admit.Meeting, *admit.GuessBudget, int, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, nil, 0, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermRun)
	if err != nil {
		return nil, nil, 0, err
	}
	budget, _, err := s.accountGuessing(ctx, m.AccountID, s.now())
	if err != nil {
		return nil, nil, 0, err
	}
	b, err := s.Store.FindGuessBudget(ctx, m.PK)
	if err != nil {
		return nil, nil, 0, err
	}
	return m, b, budget, nil
}
