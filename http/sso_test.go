package http_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/admit-project/admit"
)

// TestIdentityProviderRoutesByRole: owners and admins manage the account's
// identity provider; a host gets 403 on every operation, and without a
// token it is 401.
func TestIdentityProviderRoutesByRole(t *testing.T) {
	f := mustServe(t, false)
	ctx := context.Background()
	tokenFor := func(email string, role admit.Role) string {
		u := &admit.User{AccountID: f.user.AccountID, Email: email, Name: string(role), Role: role, Timezone: "UTC"}
		if err := f.service.Store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		tok, err := f.service.CreateAPIToken(ctx, u.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	body := map[string]any{"name": "Example SSO", "issuer": "https://idp.example.com/", "client_id": "admit",
		"allowed_domains": []string{"example.com"}, "default_role": "host"}
	roles := []struct {
		name  string
		token string
		ok    bool
	}{
		{"owner", f.token, true},
		{"admin", tokenFor("admin@example.com", admit.RoleAdmin), true},
		{"host", tokenFor("host@example.com", admit.RoleHost), false},
	}
	for _, r := range roles {
		auth := []string{"Authorization", "Bearer " + r.token}
		put := f.send(t, "PUT", "/api/v1/account/identity-provider", body, auth...)
		get := f.send(t, "GET", "/api/v1/account/identity-provider", nil, auth...)
		del := f.send(t, "DELETE", "/api/v1/account/identity-provider", nil, auth...)
		if r.ok && (put.Status != 200 || get.Status != 200 || del.Status != 204) {
			t.Errorf("%s: PUT %d, GET %d, DELETE %d; want 200, 200, 204", r.name, put.Status, get.Status, del.Status)
		}
		if !r.ok && (put.Status != http.StatusForbidden || get.Status != http.StatusForbidden || del.Status != http.StatusForbidden) {
			t.Errorf("%s: PUT %d, GET %d, DELETE %d; want 403 each", r.name, put.Status, get.Status, del.Status)
		}
	}
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if res := f.send(t, m, "/api/v1/account/identity-provider", body); res.Status != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d, want 401", m, res.Status)
		}
	}
}
