package app

import (
	"context"

	"github.com/admit-project/admit"
)

// SetPlan sets the plan of the actor's account (the API's PUT
// /api/v1/account/plan). Authorization: the account's owners only, with a
// manage token (EFORBIDDEN for admins and hosts): a deployment is one
// account, set up by whoever runs it, so its owner stands for the operator;
// admins manage security, not the account's terms. The operator with the
// store at hand uses SetAccountPlan (`admit account plan`). EINVALID names
// plan. A personal meeting ID chosen on pro stays when the plan goes back to
// free; only choosing a new one needs pro. Audited as account.plan.
func (s *Service) SetPlan(ctx context.Context, a *admit.Actor, plan admit.Plan) (admit.Plan, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return "", err
	}
	if a.User.Role != admit.RoleOwner {
		return "", &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owners set its plan."}
	}
	acct, err := s.setPlan(ctx, a.User.AccountID, plan, actorName(a), actorSource(a))
	if err != nil {
		return "", err
	}
	return acct.Plan, nil
}

// SetAccountPlan sets an account's plan for the deployment's operator, who
// holds the store (the CLI): no user acts. EINVALID names plan; ENOTFOUND.
// Audited as account.plan by "operator".
func (s *Service) SetAccountPlan(ctx context.Context, accountID int64, plan admit.Plan, source string) (*admit.Account, error) {
	return s.setPlan(ctx, accountID, plan, "operator", source)
}

func (s *Service) setPlan(ctx context.Context, accountID int64, plan admit.Plan, actor, source string) (*admit.Account, error) {
	if !plan.Valid() {
		return nil, admit.FieldErrorf("plan", "plan must be free or pro, not %q", string(plan))
	}
	acct, err := s.Store.FindAccountByID(ctx, accountID)
	if err != nil {
		return nil, err
	}
	old := acct.Plan
	if old == plan {
		return acct, nil
	}
	acct.Plan = plan
	if err := s.Store.UpdateAccount(ctx, acct); err != nil {
		return nil, err
	}
	s.publish(ctx, admit.Change{Kind: admit.ChangeAccount, AccountID: acct.ID})
	s.event(ctx, &admit.Event{AccountID: acct.ID, Actor: actor, Action: "account.plan", Target: "account:" + itoa(acct.ID), Source: source,
		Outcome: "ok", Detail: string(old) + " to " + string(plan)})
	return acct, nil
}
