package http_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// TestInvitationRoutesByRole: every invitation route answers the meeting's
// host and the account's owners and admins, and refuses another host with
// 403.
func TestInvitationRoutesByRole(t *testing.T) {
	f := mustServe(t, false)
	ctx := context.Background()
	tokens := map[string]string{"owner": f.token}
	for _, r := range []struct {
		name string
		role admit.Role
	}{{"admin", admit.RoleAdmin}, {"host", admit.RoleHost}, {"other host", admit.RoleHost}} {
		u, err := f.service.CreateUser(ctx, f.user.AccountID, strings.ReplaceAll(r.name, " ", "")+"@example.com", r.name, r.role)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := f.service.CreateAPIToken(ctx, u.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens[r.name] = tok
	}
	// The host schedules the meeting.
	res := f.send(t, "POST", "/api/v1/meetings", map[string]any{"topic": "Roles", "start": f.in(48 * time.Hour),
		"invitees": []map[string]string{{"name": "Ivy", "email": "ivy@example.com"}}}, "Authorization", "Bearer "+tokens["host"])
	if res.Status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", res.Status, res.Body)
	}
	var m admit.MeetingView
	res.decode(t, &m)
	res = f.send(t, "GET", "/api/v1/meetings/"+m.ID+"/deliveries", nil, "Authorization", "Bearer "+tokens["host"])
	var ds struct{ Deliveries []admit.Delivery }
	res.decode(t, &ds)
	if len(ds.Deliveries) != 1 || ds.Deliveries[0].To != "ivy@example.com" || ds.Deliveries[0].State != admit.OutboxQueued {
		t.Fatalf("deliveries %s", res.Body)
	}
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/meetings/" + m.ID + "/deliveries"},
		{"POST", "/api/v1/meetings/" + m.ID + "/deliveries/" + strconv.FormatInt(ds.Deliveries[0].ID, 10) + "/resend"},
		{"GET", "/api/v1/meetings/" + m.ID + "/invitation.ics?invitee=" + m.Invitees[0].ID},
		{"GET", "/api/v1/meetings/" + m.ID + "/invitation.ics"},
		{"GET", "/api/v1/meetings/" + m.ID + "/invitation?invitee=" + m.Invitees[0].ID},
		{"GET", "/api/v1/meetings/" + m.ID + "/invitation"},
	}
	want := map[string]int{"owner": 200, "admin": 200, "host": 200, "other host": 404}
	for _, rt := range routes {
		for role, status := range want {
			res := f.send(t, rt.method, rt.path, nil, "Authorization", "Bearer "+tokens[role])
			if res.Status != status {
				t.Errorf("%s %s as %s: %d %s, want %d", rt.method, rt.path, role, res.Status, res.Body, status)
			}
		}
		if res := f.send(t, rt.method, rt.path, nil); res.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", rt.method, rt.path, res.Status)
		}
	}
}
