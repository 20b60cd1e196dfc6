package e2e_test

import (
	"strconv"
	"testing"
	"time"
)

// TestRefusalsBehind runs admit serve --refusals-behind: wrong guesses are
// answered at once and spend the budget in memory (the next passcode join
// waits), and after a graceful stop and a new start the store has counted
// every one of them (the shutdown flushed what was pending).
func TestRefusalsBehind(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--refusals-behind")
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	s.do("PUT", "/api/v1/account/security", tok, map[string]any{"guess_budget": 5}).must(t, 200)
	m := s.schedule(tok, scheduledAt(monday.Add(10*time.Minute), nil))
	creds := map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}
	for i := range 5 {
		wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": "Wrong" + strconv.Itoa(10000+i)}), "wrong passcode")
	}
	if r := s.join(creds).must(t, 200); r.str("status") != "waiting" {
		t.Fatalf("passcode join after 5 answered wrong guesses: %s; want waiting", r.raw)
	}
	s.stop()

	s = startServer(t, data)
	s.setClock(monday)
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	budget, _ := roster.body["budget"].(map[string]any)
	if budget["failures"] != float64(5) || budget["spent"] != true {
		t.Errorf("budget after the restart: %v; want 5 failures, spent", budget)
	}
}
