package e2e_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit/oidc/oidctest"
)

// TestSSOSignedInMeetings: a signed_in meeting sends an anonymous
// participant to the account's provider and admits them after, named by
// the provider; an invitees meeting refuses a signed-in non-invitee with
// the uniform refusal.
func TestSSOSignedInMeetings(t *testing.T) {
	s, _, p := ssoServer(t)
	tok := strings.TrimSpace(s.cli("token", "create", "--email", "olive@example.com"))
	s.setClock(monday)
	at := monday.Add(10 * time.Minute).Format(time.RFC3339)
	m := s.schedule(tok, map[string]any{"topic": "Closed seminar", "start": at, "duration_minutes": 30,
		"security": map[string]any{"authentication": "signed_in"}})
	inv := s.schedule(tok, map[string]any{"topic": "Deposition", "start": at, "duration_minutes": 30,
		"security": map[string]any{"authentication": "invitees"}, "invitees": []map[string]string{{"name": "Bob Invited", "email": "bob@example.com"}}})
	if m.Security["authentication"] != "signed_in" || inv.Security["authentication"] != "invitees" {
		t.Fatalf("security as scheduled: %v, %v", m.Security, inv.Security)
	}

	b := oidctest.NewBrowser(t, p.Issuer) // stop at the provider to look
	post := func(path string, form url.Values) (int, string, string) {
		t.Helper()
		res, err := b.Client.PostForm(s.url+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Location"), string(body)
	}
	form := url.Values{"passcode": {m.Passcode}, "name": {"Typed Name"}}
	st, loc, body := post("/j/"+m.MeetingID, form)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, p.Issuer) {
		t.Fatalf("an anonymous join of a signed_in meeting: %d %q, want a redirect to the provider\n%s", st, loc, body)
	}
	b.StopAt = s.url + "/signin/sso/callback"
	cb, err := b.Login(loc, "alice", oidctest.Password)
	if err != nil {
		t.Fatal(err)
	}
	b.StopAt = s.url + "/"
	res, err := b.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/j/"+m.MeetingID {
		t.Fatalf("the callback: %d %q, want back to the join page", res.StatusCode, res.Header.Get("Location"))
	}
	st, loc, body = post("/j/"+m.MeetingID, form)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/p/") {
		t.Fatalf("the join after signing in: %d %q\n%s", st, loc, body)
	}
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if !strings.Contains(string(roster.raw), "Alice Example") || strings.Contains(string(roster.raw), "Typed Name") {
		t.Errorf("the roster should name Alice as the provider does:\n%s", roster.raw)
	}

	// Alice is signed in but not invited to the deposition.
	st, _, body = post("/j/"+inv.MeetingID, url.Values{"passcode": {inv.Passcode}, "name": {"Alice"}})
	if st != http.StatusForbidden || !strings.Contains(body, "Invalid meeting ID or passcode.") {
		t.Errorf("a signed-in non-invitee: %d, want the uniform refusal\n%s", st, body)
	}
	// Nor does the API let an unsigned caller in.
	if r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "API"}); r.status != http.StatusUnauthorized {
		t.Errorf("an API join of a signed_in meeting: %d, want 401 sign_in_required\n%s", r.status, r.raw)
	}
}
