package app

import (
	"context"

	"github.com/admit-project/admit"
)

// AccountSecurity returns the actor's account security defaults.
func (s *Service) AccountSecurity(ctx context.Context, a *admit.Actor) (*admit.AccountSecurity, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	sec := acct.Security
	sec.GuessBudget, sec.GuessCeiling = sec.Budget(), sec.Ceiling()
	return &sec, nil
}

// UpdateAccountSecurity changes the account's defaults and locks. Owners and
// admins only (EFORBIDDEN); EINVALID names a bad field.
func (s *Service) UpdateAccountSecurity(ctx context.Context, a *admit.Actor, in *admit.AccountSecurityInput) (*admit.AccountSecurity, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	if !a.User.CanManageAccount() {
		return nil, &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins change its security defaults."}
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	sec := acct.Security
	if in.PasscodeValue != nil {
		return nil, admit.FieldErrorf("passcode_value", "passcode_value belongs to a meeting, not to the account defaults")
	}
	if err := sec.Security.Apply(&in.SecurityInput, nil, "security"); err != nil {
		return nil, err
	}
	if err := s.checkSignInSetting(ctx, acct.ID, &sec.Security, "security"); err != nil {
		return nil, err
	}
	if in.Locked != nil {
		sec.Locked = append([]string{}, (*in.Locked)...)
	}
	if err := sec.ValidateLocks(); err != nil {
		return nil, err
	}
	sec.GuessBudget, sec.GuessCeiling = sec.Budget(), sec.Ceiling()
	if in.GuessBudget != nil {
		sec.GuessBudget = *in.GuessBudget
	}
	if in.GuessCeiling != nil {
		sec.GuessCeiling = *in.GuessCeiling
	}
	if err := sec.ValidateGuessing(); err != nil {
		return nil, err
	}
	acct.Security = sec
	if err := s.Store.UpdateAccount(ctx, acct); err != nil {
		return nil, err
	}
	s.forgetGuessing(acct.ID)
	s.publish(ctx, admit.Change{Kind: admit.ChangeAccount, AccountID: acct.ID})
	s.event(ctx, &admit.Event{AccountID: acct.ID, Actor: actorName(a), Action: "security.update", Target: "account:" + itoa(acct.ID), Source: actorSource(a), Outcome: "ok"})
	return &acct.Security, nil
}

// VerifyAudit checks the store's audit chain with key (see admit.Verify).
func (s *Service) VerifyAudit(ctx context.Context, key []byte) (int64, *admit.ChainBreak, error) {
	return admit.Verify(ctx, s.Store, key)
}
