package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

// TestPlanRoutesByRole: every user of the account reads its plan; only
// owners set it (admins and hosts get 403, a read-only token too), and the
// change is audited.
func TestPlanRoutesByRole(t *testing.T) {
	f := mustServe(t, false)
	ctx := context.Background()
	tokenFor := func(email string, role admit.Role, scopes []string) string {
		u := &admit.User{AccountID: f.user.AccountID, Email: email, Name: string(role), Role: role, Timezone: "UTC"}
		if err := f.service.Store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		tok, err := f.service.CreateAPIToken(ctx, u.ID, scopes)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	readOnly, err := f.service.CreateAPIToken(ctx, f.user.ID, []string{admit.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	roles := []struct {
		name   string
		token  string
		status int
	}{
		{"admin", tokenFor("admin@example.com", admit.RoleAdmin, nil), http.StatusForbidden},
		{"host", tokenFor("host@example.com", admit.RoleHost, nil), http.StatusForbidden},
		{"owner's read-only token", readOnly, http.StatusForbidden},
		{"owner", f.token, http.StatusOK},
	}
	for _, r := range roles {
		auth := []string{"Authorization", "Bearer " + r.token}
		if get := f.send(t, "GET", "/api/v1/account/plan", nil, auth...); get.Status != 200 || !strings.Contains(string(get.Body), `"plan":"free"`) {
			t.Errorf("%s reads the plan: %d %s", r.name, get.Status, get.Body)
		}
		if put := f.send(t, "PUT", "/api/v1/account/plan", map[string]any{"plan": "pro"}, auth...); put.Status != r.status {
			t.Errorf("%s sets the plan: %d %s, want %d", r.name, put.Status, put.Body, r.status)
		}
	}
	acct, err := f.service.Store.FindAccountByID(ctx, f.user.AccountID)
	if err != nil || acct.Plan != admit.PlanPro {
		t.Fatalf("plan after the owner's PUT: %v, %v", acct.Plan, err)
	}
	bad := f.send(t, "PUT", "/api/v1/account/plan", map[string]any{"plan": "gold"}, "Authorization", "Bearer "+f.token)
	if bad.Status != 400 || !strings.Contains(string(bad.Body), `"field":"plan"`) {
		t.Errorf("unknown plan: %d %s, want 400 naming plan", bad.Status, bad.Body)
	}
	if res := f.send(t, "PUT", "/api/v1/account/plan", map[string]any{"plan": "pro"}); res.Status != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", res.Status)
	}
	evs, err := f.service.Store.FindEvents(ctx, admit.EventFilter{AccountID: f.user.AccountID, Action: "account.plan", Limit: 10})
	if err != nil || len(evs) != 1 || evs[0].Detail != "free to pro" {
		t.Errorf("account.plan events: %v, %v; want one, free to pro", evs, err)
	}
}
