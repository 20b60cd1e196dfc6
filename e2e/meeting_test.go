package e2e_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRecurringOccurrencesHaveTheirOwnCodes(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, map[string]any{"topic": "Stand-up", "kind": "recurring", "start": monday.Add(time.Hour).Format(time.RFC3339),
		"duration_minutes": 15, "timezone": "America/New_York",
		"recurrence": map[string]any{"freq": "weekly", "weekdays": []string{"MO", "WE", "FR"}, "count": 6}})
	if len(m.Occurrences) != 6 {
		t.Fatalf("%d occurrences, want 6", len(m.Occurrences))
	}
	seen := map[string]bool{}
	for i, o := range m.Occurrences {
		if o.Index != i+1 || o.AccessCode == "" || seen[o.AccessCode] {
			t.Errorf("occurrence %d: index %d, code %q (seen before: %v)", i+1, o.Index, o.AccessCode, seen[o.AccessCode])
		}
		seen[o.AccessCode] = true
		if !o.OpensAt.Equal(o.Start.Add(-15*time.Minute)) || !o.ClosesAt.Equal(o.End.Add(30*time.Minute)) {
			t.Errorf("occurrence %d window %v–%v for %v–%v", o.Index, o.OpensAt, o.ClosesAt, o.Start, o.End)
		}
	}
	// Wednesday's code does not open Monday's occurrence, and vice versa.
	s.setClock(m.Occurrences[0].Start)
	wed := map[string]any{"access_code": m.Occurrences[1].AccessCode, "passcode": m.Passcode}
	if r := s.join(wed); r.str("error") != "not_open" {
		t.Errorf("Wednesday's code on Monday: %d %s, want not_open", r.status, r.raw)
	}
	p := wantAdmitted(t, s.join(map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode}), "Monday's code")
	s.setClock(m.Occurrences[1].Start)
	r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}).must(t, 200)
	if occ := r.body["meeting"].(map[string]any)["occurrence"]; occ != float64(2) {
		t.Errorf("meeting ID on Wednesday joined occurrence %v, want 2", occ)
	}
	wantRefused(t, s.join(map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode}), "Monday's code on Wednesday")
	_ = p
}

func TestAccountDefaultsApplyToNewMeetings(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("owner@example.com", "Owner")
	s.setClock(monday)
	sec := s.do("GET", "/api/v1/account/security", tok, nil).must(t, 200)
	if sec.body["early_join_minutes"] != float64(15) || sec.body["grace_minutes"] != float64(30) || sec.body["passcode"] != "shared" {
		t.Fatalf("defaults %s", sec.raw)
	}
	s.do("PUT", "/api/v1/account/security", tok, map[string]any{"waiting_room": true, "early_join_minutes": 5,
		"access_code": false, "locked": []string{"waiting_room"}}).must(t, 200)
	m := s.schedule(tok, scheduledAt(monday.Add(time.Hour), nil))
	if m.Security["waiting_room"] != true || m.Security["early_join_minutes"] != float64(5) || m.Occurrences[0].AccessCode != "" {
		t.Errorf("new meeting's security %v, access code %q; want the account defaults", m.Security, m.Occurrences[0].AccessCode)
	}
	if !m.Occurrences[0].OpensAt.Equal(m.Occurrences[0].Start.Add(-5 * time.Minute)) {
		t.Errorf("opens at %v, want 5 minutes before %v", m.Occurrences[0].OpensAt, m.Occurrences[0].Start)
	}
	r := s.do("POST", "/api/v1/meetings", tok, scheduledAt(monday.Add(time.Hour), map[string]any{"security": map[string]any{"waiting_room": false}}))
	if r.status != 403 || r.str("field") != "security.waiting_room" {
		t.Errorf("overriding a locked setting: %d %s", r.status, r.raw)
	}
	// A host (not admin) cannot change the defaults.
	host := s.host("host@example.com", "Host")
	s.do("PUT", "/api/v1/account/security", host, map[string]any{"waiting_room": false}).must(t, 403)
}

func TestBadInputNamesTheField(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	cases := []struct {
		body  any
		field string
	}{
		{map[string]any{"kind": "scheduled", "duration_minutes": 30}, "start"},
		{map[string]any{"kind": "weekly", "start": monday.Add(time.Hour)}, "kind"},
		{scheduledAt(monday.Add(time.Hour), map[string]any{"timezone": "Mars/Olympus"}), "timezone"},
		{scheduledAt(monday.Add(time.Hour), map[string]any{"duration_minutes": 0}), "duration_minutes"},
		{scheduledAt(monday.Add(time.Hour), map[string]any{"security": map[string]any{"passcode_value": "123456"}}), "security.passcode_value"},
		{scheduledAt(monday.Add(time.Hour), map[string]any{"security": map[string]any{"passcode_value": "abc"}}), "security.passcode_value"},
		{scheduledAt(monday.Add(time.Hour), map[string]any{"security": map[string]any{"access_code_length": 6}}), "security.access_code_length"},
		{scheduledAt(monday.Add(time.Hour), map[string]any{"invitees": []map[string]any{{"name": "X", "email": "not-an-email"}}}), "invitees[0].email"},
		{scheduledAt(monday.Add(-3*time.Hour), nil), "start"},
		{map[string]any{"topic": "x", "kind": "recurring", "start": monday.Add(time.Hour), "recurrence": map[string]any{"freq": "daily", "count": 500}}, "recurrence.count"},
		{[]byte(`{"topic": 7}`), "topic"},
		{[]byte(`{"topic": "x", "bogus": 1}`), "bogus"},
	}
	for i, c := range cases {
		r := s.do("POST", "/api/v1/meetings", tok, c.body)
		if r.status != 400 || !strings.Contains(r.str("field")+r.str("message"), c.field) {
			t.Errorf("case %d: %d %s; want 400 naming %s", i, r.status, r.raw, c.field)
		}
	}
	big := `{"topic": "` + strings.Repeat("x", 2<<20) + `"}`
	if r := s.do("POST", "/api/v1/meetings", tok, []byte(big)); r.status != 413 {
		t.Errorf("2 MiB body: %d, want 413", r.status)
	}
	if r := s.join(map[string]any{"meeting_id": "12345", "passcode": "x"}); r.status != 400 || r.str("field") != "meeting_id" {
		t.Errorf("short meeting ID: %d %s", r.status, r.raw)
	}
	if r := s.join(map[string]any{"meeting_id": "12345678901", "access_code": "123456789"}); r.status != 400 {
		t.Errorf("two identifiers: %d %s", r.status, r.raw)
	}
	if r := s.join(map[string]any{"meeting_id": "12345678901", "channel": "fax"}); r.status != 400 || r.str("field") != "channel" {
		t.Errorf("bad channel: %d %s", r.status, r.raw)
	}
	// Nothing was half-written: the host has only the personal room.
	list := s.do("GET", "/api/v1/meetings", tok, nil).must(t, 200)
	if ms, _ := list.body["meetings"].([]any); len(ms) != 1 {
		t.Errorf("after refused requests the host has %d meetings, want only the personal room", len(ms))
	}
	s.do("GET", "/api/v1/meetings", "adm_bogus", nil).must(t, 401)
	s.do("GET", "/api/v1/meetings?from=yesterday", tok, nil).must(t, 400)
}

func TestCLIWhileServing(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	// The CLI uses the system clock; schedule far enough ahead for both.
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	out := s.cli("meeting", "create", "--email", "ada@example.com", "--topic", "From the CLI", "--start", start.Format(time.RFC3339), "--duration", "30", "--timezone", "UTC")
	var m meeting
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.ID == "" || m.Passcode == "" {
		t.Fatalf("CLI create: %v\n%s", err, out)
	}
	got := decodeMeeting(t, s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 200))
	if got.Passcode != m.Passcode {
		t.Errorf("the server sees passcode %q, the CLI made %q", got.Passcode, m.Passcode)
	}
	// Regenerating from the CLI takes effect on the running server at once.
	s.setClock(start)
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}), "before CLI regenerate")
	out = s.cli("meeting", "regenerate", m.ID, "--email", "ada@example.com", "--what", "passcode")
	var m2 meeting
	json.Unmarshal([]byte(out), &m2)
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}), "passcode replaced by the CLI")
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m2.Passcode}), "new CLI passcode")
	if out, err := s.cliErr("meeting", "show", "m-nope", "--email", "ada@example.com"); err == nil {
		t.Errorf("show of an unknown meeting succeeded: %s", out)
	}
	if out, err := s.cliErr("user", "create", "--email", "ada@example.com", "--name", "Again"); err == nil || !strings.Contains(out, "email") {
		t.Errorf("duplicate user: %v %s", err, out)
	}
}

func TestAdmissionSurvivesKill9(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday, nil))
	var pids []string
	for i := 0; i < 20; i++ {
		p := wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": fmt.Sprintf("P%d", i)}), "before the crash")
		pids = append(pids, p["id"].(string))
	}
	s.kill()
	s2 := startServer(t, data)
	s2.setClock(monday.Add(10 * time.Minute))
	att := s2.do("GET", "/api/v1/meetings/"+m.ID+"/attendance?occurrence=1", tok, nil).must(t, 200)
	rows, _ := att.body["participants"].([]any)
	if len(rows) != len(pids) {
		t.Fatalf("after kill -9 the attendance has %d participants, want %d", len(rows), len(pids))
	}
	for _, pid := range pids {
		if st := s2.do("GET", "/api/v1/participants/"+pid, "", nil); st.str("status") != "admitted" {
			t.Errorf("participant %s after restart: %s", pid, st.raw)
		}
	}
}

func TestConcurrentSchedulingGivesUniqueIDsAndCodes(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	const n = 60
	var mu sync.Mutex
	ids, codes := map[string]bool{}, map[string]bool{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.do("POST", "/api/v1/meetings", tok, scheduledAt(monday.Add(time.Hour), nil))
			if r.status != 201 {
				t.Errorf("schedule: %d %s", r.status, r.raw)
				return
			}
			m := decodeMeeting(t, r)
			mu.Lock()
			defer mu.Unlock()
			if ids[m.MeetingID] || codes[m.Occurrences[0].AccessCode] {
				t.Errorf("meeting ID %s or code %s issued twice", m.MeetingID, m.Occurrences[0].AccessCode)
			}
			ids[m.MeetingID], codes[m.Occurrences[0].AccessCode] = true, true
		}()
	}
	wg.Wait()
	if len(ids) != n {
		t.Errorf("%d meetings made, want %d", len(ids), n)
	}
}

func TestPersonalRoom(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	list := s.do("GET", "/api/v1/meetings", tok, nil).must(t, 200)
	ms, _ := list.body["meetings"].([]any)
	if len(ms) != 1 || ms[0].(map[string]any)["kind"] != "personal" {
		t.Fatalf("a new host's meetings: %s", list.raw)
	}
	id := ms[0].(map[string]any)["id"].(string)
	room := decodeMeeting(t, s.do("GET", "/api/v1/meetings/"+id, tok, nil).must(t, 200))
	if len(room.MeetingID) != 10 || room.Passcode == "" || strings.IndexAny(room.MeetingID[:1], "01") == 0 {
		t.Fatalf("personal room %+v", room)
	}
	wantAdmitted(t, s.join(map[string]any{"meeting_id": room.MeetingID, "passcode": room.Passcode}), "personal room")
	s.advance(24 * time.Hour)
	r := s.join(map[string]any{"meeting_id": room.MeetingID, "passcode": room.Passcode}).must(t, 200)
	if occ := r.body["meeting"].(map[string]any)["occurrence"]; occ != float64(2) {
		t.Errorf("a day later the room opened occurrence %v, want 2", occ)
	}
	// Vanity PMIs need the pro plan.
	if r := s.do("PATCH", "/api/v1/meetings/"+id, tok, map[string]any{"meeting_id": "234 567 8912"}); r.status != 403 {
		t.Errorf("vanity PMI on the free plan: %d %s", r.status, r.raw)
	}
	s.do("DELETE", "/api/v1/meetings/"+id, tok, nil).must(t, 409)
}

// TestTokenScopes checks that a read-only API token reads but cannot change.
func TestTokenScopes(t *testing.T) {
	s := startServer(t, "")
	manage := s.host("ada@example.com", "Ada")
	read := strings.TrimSpace(s.cli("token", "create", "--email", "ada@example.com", "--scopes", "read"))
	if !strings.HasPrefix(read, "adm_") || len(read) != len("adm_")+22 {
		t.Fatalf("token %q: want adm_ and 128 bits in base64url", read)
	}
	s.setClock(monday)
	m := s.schedule(manage, scheduledAt(monday.Add(time.Hour), nil))
	s.do("GET", "/api/v1/meetings/"+m.ID, read, nil).must(t, 200)
	if r := s.do("POST", "/api/v1/meetings", read, scheduledAt(monday.Add(time.Hour), nil)); r.status != 403 {
		t.Errorf("scheduling with a read token: %d %s; want 403", r.status, r.raw)
	}
	s.do("DELETE", "/api/v1/meetings/"+m.ID, read, nil).must(t, 403)
	s.do("GET", "/api/v1/meetings/"+m.ID, manage, nil).must(t, 200)
}
