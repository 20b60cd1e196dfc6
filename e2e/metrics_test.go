package e2e_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAdminMetricsAndRequestIDs runs admit serve --admin: answers carry an
// X-Request-ID, joins are counted by channel and outcome on the admin
// listener's /metrics, the store's group commits are observed, pprof is
// there, and the public listener serves neither.
func TestAdminMetricsAndRequestIDs(t *testing.T) {
	s := startServer(t, "", "--admin", "127.0.0.1:0")
	var admin string
	for _, line := range strings.Split(s.out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "admit: admin (metrics, pprof) on "); ok {
			admin = strings.TrimSpace(rest)
		}
	}
	if admin == "" {
		t.Fatalf("no admin address printed:\n%s", s.out.String())
	}
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(10*time.Minute), nil))
	ok := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Alan"})
	bad := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode + "x", "name": "Eve"})
	if ok.status != 200 || bad.status != 403 {
		t.Fatalf("joins answered %d and %d, want 200 and 403", ok.status, bad.status)
	}
	a, b := ok.header.Get("X-Request-ID"), bad.header.Get("X-Request-ID")
	if len(a) != 32 || len(b) != 32 || a == b {
		t.Errorf("X-Request-ID %q and %q; want two distinct 32-digit IDs", a, b)
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, body := get(admin + "/metrics")
	for _, want := range []string{
		`admit_joins_total{channel="api",outcome="admitted"} 1`,
		`admit_joins_total{channel="api",outcome="refused"} 1`,
		`admit_store_write_group_size_count{store="sqlite"}`,
		`admit_store_write_backlog{store="sqlite"} 0`,
		`go_goroutines`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("admin /metrics (%d) lacks %s", code, want)
		}
	}
	if code, _ := get(admin + "/debug/pprof/"); code != 200 {
		t.Errorf("admin /debug/pprof/: %d", code)
	}
	if code, _ := get(s.url + "/metrics"); code == 200 {
		t.Error("the public listener serves /metrics")
	}
}
