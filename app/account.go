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

// AuditCheckpoint returns the audit log's latest signed checkpoint. Owners
// and admins only (EFORBIDDEN); ENOTFOUND before the first checkpoint or
// without an audit log.
func (s *Service) AuditCheckpoint(ctx context.Context, a *admit.Actor) (*admit.AuditCheckpoint, error) {
	if err := s.requireAuditLog(a); err != nil {
		return nil, err
	}
	return s.AuditLog.LatestCheckpoint(ctx)
}

// AuditProof returns the proof that entry seq is in the latest checkpoint's
// tree. Owners and admins only (EFORBIDDEN); ENOTFOUND when no checkpoint
// covers it yet, or when the entry is another account's.
func (s *Service) AuditProof(ctx context.Context, a *admit.Actor, seq int64) (*admit.AuditInclusion, error) {
	if err := s.requireAuditLog(a); err != nil {
		return nil, err
	}
	in, err := s.AuditLog.Prove(ctx, seq)
	if err != nil {
		return nil, err
	}
	if in.Entry.AccountID != a.User.AccountID {
		// Every account's entries share one log; another account's entry
		// is not this one's to see.
		return nil, admit.Errorf(admit.ENOTFOUND, "No audit entry %d in this account.", seq)
	}
	return in, nil
}

// AuditConsistency returns the proof that the latest checkpoint extends the
// tree of its first oldSize entries. Owners and admins only (EFORBIDDEN).
func (s *Service) AuditConsistency(ctx context.Context, a *admit.Actor, oldSize int64) (*admit.AuditConsistency, error) {
	if err := s.requireAuditLog(a); err != nil {
		return nil, err
	}
	return s.AuditLog.Consistency(ctx, oldSize)
}

// requireAuditLog checks that a may read the audit log's checkpoints and
// proofs, and that there is a log.
func (s *Service) requireAuditLog(a *admit.Actor) error {
	if err := require(a, admit.ScopeRead); err != nil {
		return err
	}
	if !a.User.CanManageAccount() {
		return &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins read the audit log's checkpoints and proofs."}
	}
	if s.AuditLog == nil {
		return admit.Errorf(admit.ENOTFOUND, "This service keeps no signed audit log.")
	}
	return nil
}
