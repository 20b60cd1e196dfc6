package e2e_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSourceLimit fails joins from one source at different meeting IDs
// until the server answers 429 with Retry-After (--source-limit 5: five
// distinct identifiers an hour, delays after two): first the growing
// delay, then the hourly limit. Retrying an identifier it already tried is
// not held by that limit (its repeats have their own, far larger one).
func TestSourceLimit(t *testing.T) {
	s := startServer(t, "", "--source-limit", "5")
	s.setClock(monday)
	const attacker = "203.0.113.9"
	unknown := func(i int) map[string]any {
		return map[string]any{"meeting_id": strconv.Itoa(98765432100 + i), "passcode": "Guess12345"}
	}
	for i := range 3 {
		wantRefused(t, s.joinFrom(attacker, unknown(i)), "meeting ID "+strconv.Itoa(i+1))
	}
	r := s.joinFrom(attacker, unknown(3))
	if r.status != 429 || r.header.Get("Retry-After") != "1" || r.str("error") != "rate_limited" {
		t.Fatalf("fourth meeting ID at once: %d Retry-After %q %s; want 429 with Retry-After 1", r.status, r.header.Get("Retry-After"), r.raw)
	}
	// Another source is not held back, nor this one at an identifier it tried.
	wantRefused(t, s.joinFrom("203.0.113.10", unknown(3)), "another source")
	wantRefused(t, s.joinFrom(attacker, unknown(0)), "a meeting ID tried before")
	s.advance(time.Second)
	wantRefused(t, s.joinFrom(attacker, unknown(3)), "meeting ID 4, after the delay")
	s.advance(2 * time.Second)
	wantRefused(t, s.joinFrom(attacker, unknown(4)), "meeting ID 5, after the delay")
	s.advance(time.Minute)
	r = s.joinFrom(attacker, unknown(5))
	retry, _ := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != 429 || retry < 3500 || retry > 3600 {
		t.Fatalf("sixth meeting ID within the hour: %d Retry-After %q %s; want 429 until the hour is over", r.status, r.header.Get("Retry-After"), r.raw)
	}
	wantRefused(t, s.joinFrom(attacker, unknown(2)), "a meeting ID tried before, after the limit")
	s.advance(time.Hour)
	wantRefused(t, s.joinFrom(attacker, unknown(5)), "an hour later")
}

// TestGuessBudget spends a meeting's guess budget with wrong passcodes from
// many sources: passcode joins then wait for the host, invitee links still
// admit, the host sees the alert, and may reset the budget once the
// passcode is regenerated.
func TestGuessBudget(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	sec := s.do("PUT", "/api/v1/account/security", tok, map[string]any{"guess_budget": 5}).must(t, 200)
	if sec.body["guess_budget"] != float64(5) || sec.body["guess_ceiling"] != 1e-6 {
		t.Fatalf("account security %s; want guess_budget 5 and the default ceiling", sec.raw)
	}
	m := s.schedule(tok, scheduledAt(monday, map[string]any{"invitees": []map[string]any{{"name": "Grace Hopper"}}}))
	shown := s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 200)
	bound, _ := shown.body["guess_bound"].(map[string]any)
	if p, _ := bound["p"].(float64); p <= 0 || p > 1e-6 || bound["budget"] != float64(5) {
		t.Errorf("guess_bound %v; want 0 < p ≤ 1e-6 under budget 5", bound)
	}

	creds := map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}
	wantAdmitted(t, s.join(creds), "before any failure")
	for i := range 5 {
		wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": "Wrong" + strconv.Itoa(10000+i)}), "wrong passcode")
	}
	r := s.join(creds).must(t, 200)
	if r.str("status") != "waiting" || r.str("admission_token") != "" {
		t.Fatalf("passcode join after the budget is spent: %s; want waiting", r.raw)
	}
	r = s.join(map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode}).must(t, 200)
	if r.str("status") != "waiting" {
		t.Errorf("access-code join after the budget is spent: %s; want waiting", r.raw)
	}
	link := m.Invitees[0].Link
	wantAdmitted(t, s.join(map[string]any{"token": link[strings.LastIndex(link, "/")+1:]}), "invitee link after the budget is spent")

	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	budget, _ := roster.body["budget"].(map[string]any)
	if budget["spent"] != true || budget["failures"] != float64(5) || budget["alert"] == "" {
		t.Errorf("roster budget %v; want spent with 5 failures and an alert", budget)
	}
	if w, _ := roster.body["waiting"].([]any); len(w) != 2 {
		t.Errorf("waiting %v; want the two passcode joins", w)
	}
	audit := s.do("GET", "/api/v1/audit?limit=1000", tok, nil).must(t, 200)
	if n := strings.Count(string(audit.raw), `"budget.spent"`); n != 1 {
		t.Errorf("%d budget.spent events; want 1", n)
	}

	r = s.do("POST", "/api/v1/meetings/"+m.ID+"/reset-budget", tok, nil).must(t, 409)
	if r.str("field") != "passcode" {
		t.Errorf("reset before regenerating: %s; want a conflict naming the passcode", r.raw)
	}
	m2 := decodeMeeting(t, s.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "passcode"}).must(t, 200))
	r = s.do("POST", "/api/v1/meetings/"+m.ID+"/reset-budget", tok, nil).must(t, 200)
	if r.body["spent"] != false || r.body["failures"] != float64(0) {
		t.Errorf("after reset: %s", r.raw)
	}
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m2.Passcode}), "new passcode after the reset")
}
