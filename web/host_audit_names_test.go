package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

// TestAuditNamesTheOperatorAndTheAccount: the plan the operator set reads
// as "the operator (on the server)" changing "the account", not as raw
// references.
func TestAuditNamesTheOperatorAndTheAccount(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	acct := f.owner(t).User.AccountID
	if _, err := f.svc.SetAccountPlan(context.Background(), acct, admit.PlanPro, "cli"); err != nil {
		t.Fatal(err)
	}
	page := c.get("/audit?action=account.")
	i := strings.Index(page.body, `<tr class="event">`)
	if i < 0 {
		t.Fatalf("no audit row for the plan:\n%s", page.body)
	}
	row, _, _ := strings.Cut(page.body[i:], "</tr>")
	for _, want := range []string{"the operator (on the server)", "account.plan", "the account", "free to pro"} {
		if !strings.Contains(row, want) {
			t.Errorf("the plan's audit row lacks %q:\n%s", want, row)
		}
	}
}
