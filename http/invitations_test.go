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

// TestAccountMailRoutesByRole: the account's mail settings answer its
// owners and admins and refuse hosts with 403; removing an invitee is the
// meeting's host's or an owner's or admin's, and refuses another host.
func TestAccountMailRoutesByRole(t *testing.T) {
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
	smtp := map[string]any{"host": "smtp.acme.example", "username": "mailer", "password": "smtp-route-secret", "from": "m@acme.example"}
	routes := []struct {
		method, path string
		body         any
		ok           int
	}{
		{"GET", "/api/v1/account/mail", nil, 200},
		{"PUT", "/api/v1/account/mail", map[string]any{"reminder_lead_minutes": 30}, 200},
		{"PUT", "/api/v1/account/mail/smtp", smtp, 200},
		{"DELETE", "/api/v1/account/mail/smtp", nil, 204},
	}
	for _, role := range []string{"host", "other host", "owner", "admin"} {
		for _, rt := range routes {
			want := rt.ok
			if strings.Contains(role, "host") {
				want = http.StatusForbidden
			}
			if res := f.send(t, rt.method, rt.path, rt.body, "Authorization", "Bearer "+tokens[role]); res.Status != want {
				t.Errorf("%s %s as %s: %d %s, want %d", rt.method, rt.path, role, res.Status, res.Body, want)
			}
		}
	}
	for _, rt := range routes {
		if res := f.send(t, rt.method, rt.path, rt.body); res.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", rt.method, rt.path, res.Status)
		}
	}

	res := f.send(t, "POST", "/api/v1/meetings", map[string]any{"topic": "Roles", "start": f.in(48 * time.Hour),
		"invitees": []map[string]string{{"name": "Ivy", "email": "ivy@example.com"}, {"name": "Jo", "email": "jo@example.com"}}},
		"Authorization", "Bearer "+tokens["host"])
	if res.Status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", res.Status, res.Body)
	}
	var m admit.MeetingView
	res.decode(t, &m)
	remove := func(i int) string { return "/api/v1/meetings/" + m.ID + "/invitees/" + m.Invitees[i].ID }
	if res := f.send(t, "DELETE", remove(0), nil); res.Status != http.StatusUnauthorized {
		t.Errorf("remove without a token: %d, want 401", res.Status)
	}
	if res := f.send(t, "DELETE", remove(0), nil, "Authorization", "Bearer "+tokens["other host"]); res.Status != http.StatusNotFound {
		t.Errorf("remove as another host: %d %s, want 404 (the meeting is not theirs to see)", res.Status, res.Body)
	}
	if res := f.send(t, "DELETE", remove(0), nil, "Authorization", "Bearer "+tokens["admin"]); res.Status != http.StatusOK {
		t.Errorf("remove as admin: %d %s, want 200", res.Status, res.Body)
	}
	if res := f.send(t, "DELETE", remove(1), nil, "Authorization", "Bearer "+tokens["host"]); res.Status != http.StatusOK {
		t.Errorf("remove as the meeting's host: %d %s, want 200", res.Status, res.Body)
	}
}
