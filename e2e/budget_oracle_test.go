package e2e_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Part 2 of the hardening issue: a spent guess budget cannot be turned into
// an oracle or against the meeting.

// shape is what an answer to a join tells its caller apart from values
// drawn for this join: the status, the state and the names of the fields.
func shape(r *response) string {
	var keys []string
	for k, v := range r.body {
		if m, ok := v.(map[string]any); ok {
			for k2 := range m {
				keys = append(keys, k+"."+k2)
			}
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strconv.Itoa(r.status) + " " + r.str("status") + " " + r.str("error") + " [" + strings.Join(keys, ",") + "]"
}

// spendBudget spends a meeting's budget of n with wrong passcodes, each
// from a source of its own.
func spendBudget(t *testing.T, s *server, m *meeting, n int) {
	t.Helper()
	for i := range n {
		wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": "Wrong" + strconv.Itoa(10000+i)}), "spending the budget")
	}
}

// TestBudgetSpentNoOracle: once the budget is spent, a right and a wrong
// passcode, PIN or phone passcode get the same answer; both wait; the host
// sees which matched, is told of the attack and denies all unmatched
// entries at once; invitee links still admit.
func TestBudgetSpentNoOracle(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	s.do("PUT", "/api/v1/account/security", tok, map[string]any{"guess_budget": 5}).must(t, 200)
	m := s.schedule(tok, scheduledAt(monday, map[string]any{"invitees": []map[string]any{{"name": "Grace Hopper"}}}))
	spendBudget(t, s, m, 5)

	cases := []struct {
		name         string
		right, wrong map[string]any
	}{
		{"passcode",
			map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Rita Right"},
			map[string]any{"meeting_id": m.MeetingID, "passcode": "WrongPass99", "name": "Walt Wrong"}},
		{"access code",
			map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode, "name": "Rita Right"},
			map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": "WrongPass98", "name": "Walt Wrong"}},
		{"phone passcode",
			map[string]any{"meeting_id": m.MeetingID, "passcode": m.PhonePass, "channel": "phone"},
			map[string]any{"meeting_id": m.MeetingID, "passcode": "98765432", "channel": "phone"}},
		{"invitee PIN",
			map[string]any{"meeting_id": m.MeetingID, "passcode": m.Invitees[0].PIN, "channel": "phone"},
			map[string]any{"meeting_id": m.MeetingID, "passcode": "123456789012", "channel": "phone"}},
	}
	for _, c := range cases {
		right, wrong := s.join(c.right), s.join(c.wrong)
		if shape(right) != shape(wrong) {
			t.Errorf("%s after the budget is spent: a right guess answers %s, a wrong one %s; want the same answer (an oracle otherwise)",
				c.name, shape(right), shape(wrong))
		}
		if right.status != 200 || right.str("status") != "waiting" || right.str("admission_token") != "" {
			t.Errorf("%s right after the budget is spent: %d %s; want waiting, without an admission token", c.name, right.status, right.raw)
		}
	}
	link := m.Invitees[0].Link
	wantAdmitted(t, s.join(map[string]any{"token": link[strings.LastIndex(link, "/")+1:]}), "invitee link after the budget is spent")

	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	budget, _ := roster.body["budget"].(map[string]any)
	if budget["under_attack"] != true || budget["alert"] == "" {
		t.Errorf("roster budget %v; want under_attack and an alert", budget)
	}
	waiting, _ := roster.body["waiting"].([]any)
	matched, unmatched := 0, 0
	for _, w := range waiting {
		switch w.(map[string]any)["matched"] {
		case true:
			matched++
		case false:
			unmatched++
		}
	}
	if matched != 4 || unmatched != 4 {
		t.Errorf("waiting room: %d matched, %d unmatched entries; want 4 and 4 (%s)", matched, unmatched, roster.raw)
	}
	r := s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/deny-unmatched", tok, map[string]any{})
	if r.status != 200 || r.body["denied"] != float64(4) {
		t.Fatalf("deny-unmatched: %d %s; want 200 denying 4", r.status, r.raw)
	}
	roster = s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if w, _ := roster.body["waiting"].([]any); len(w) != 4 {
		t.Errorf("after deny-unmatched %d wait; want the 4 that matched", len(w))
	}
}

// TestBudgetRestoreRedrawsAll: the host restores normal joining in one
// step, which redraws every credential that was exposed to guessing (the
// shared passcode, the phone passcode and the invitees' PINs) and leaves the
// invitee links as they were.
func TestBudgetRestoreRedrawsAll(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	s.do("PUT", "/api/v1/account/security", tok, map[string]any{"guess_budget": 5}).must(t, 200)
	m := s.schedule(tok, scheduledAt(monday, map[string]any{"invitees": []map[string]any{{"name": "Grace Hopper", "email": "grace@example.com"}}}))
	spendBudget(t, s, m, 5)

	r := s.do("POST", "/api/v1/meetings/"+m.ID+"/restore", tok, map[string]any{})
	if r.status != 200 {
		t.Fatalf("restore: %d %s; want 200 in one step", r.status, r.raw)
	}
	m2 := decodeMeeting(t, s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 200))
	if m2.Passcode == m.Passcode || m2.PhonePass == m.PhonePass || len(m2.Invitees) != 1 || m2.Invitees[0].PIN == m.Invitees[0].PIN {
		t.Errorf("restore kept a guessable credential: passcode %v, phone %v, PIN %v redrawn",
			m2.Passcode != m.Passcode, m2.PhonePass != m.PhonePass, len(m2.Invitees) == 1 && m2.Invitees[0].PIN != m.Invitees[0].PIN)
	}
	if b, _ := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200).body["budget"].(map[string]any); b["spent"] != false {
		t.Errorf("budget after restore: %v; want not spent", b)
	}
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}), "old passcode after restore")
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Invitees[0].PIN, "channel": "phone"}), "old PIN after restore")
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m2.Passcode}), "new passcode after restore")
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m2.Invitees[0].PIN, "channel": "phone"}), "new PIN after restore")
	link := m.Invitees[0].Link
	wantAdmitted(t, s.join(map[string]any{"token": link[strings.LastIndex(link, "/")+1:]}), "the invitee link after restore")
	audit := s.do("GET", "/api/v1/audit?limit=1000", tok, nil).must(t, 200)
	if !strings.Contains(string(audit.raw), `"budget.restore"`) {
		t.Errorf("no budget.restore entry in the audit trail")
	}
}

// TestBudgetRegeneratePINs: regenerating the passcodes redraws the
// invitees' PINs too (they are guessable forms of the same secret).
func TestBudgetRegeneratePINs(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(time.Hour), map[string]any{"invitees": []map[string]any{{"name": "Grace Hopper"}}}))
	m2 := decodeMeeting(t, s.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "passcode"}).must(t, 200))
	if m2.Passcode == m.Passcode {
		t.Fatalf("regenerate kept the passcode")
	}
	shown := decodeMeeting(t, s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 200))
	if shown.PhonePass == m.PhonePass || shown.Invitees[0].PIN == m.Invitees[0].PIN {
		t.Errorf("regenerating the passcode left the phone passcode (%v) or the invitee's PIN (%v) as they were",
			shown.PhonePass == m.PhonePass, shown.Invitees[0].PIN == m.Invitees[0].PIN)
	}
}
