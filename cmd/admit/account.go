package main

import (
	"context"
	"fmt"

	"github.com/admit-project/admit"
)

// AccountCmd is "admit account": what the deployment's operator sets for
// the account.
type AccountCmd struct {
	Plan AccountPlanCmd `cmd:"" help:"Print the account's plan, or set it: free, or pro (may choose a personal meeting ID)."`
}

// AccountPlanCmd is "admit account plan [PLAN]".
type AccountPlanCmd struct {
	Plan string `arg:"" optional:"" placeholder:"PLAN" help:"free or pro; without it, the plan is printed."`
}

// Run prints or sets the plan. The operator, who holds the store, decides:
// no user acts, and the change is audited as account.plan by "operator".
// (Through the API only the account's owners set it.)
func (c *AccountPlanCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	acct, err := e.db.FindDefaultAccount(ctx)
	if err != nil {
		return err
	}
	if c.Plan != "" {
		if acct, err = e.service.SetAccountPlan(ctx, acct.ID, admit.Plan(c.Plan), "cli"); err != nil {
			return err
		}
	}
	fmt.Fprintln(m.Stdout, acct.Plan)
	return nil
}
