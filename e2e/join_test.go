package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// monday is the test clock's starting point: Monday 4 January 2027, 08:00 UTC.
var monday = time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)

func scheduledAt(start time.Time, extra map[string]any) map[string]any {
	b := map[string]any{"topic": "Weekly sync", "kind": "scheduled", "start": start.Format(time.RFC3339),
		"duration_minutes": 60, "timezone": "Europe/Berlin"}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func wantRefused(t *testing.T, r *response, why string) {
	t.Helper()
	if r.status != 403 || r.str("error") != "invalid_credentials" || r.str("message") != "Invalid meeting ID or passcode." {
		t.Errorf("%s: got %d %s; want the uniform refusal", why, r.status, r.raw)
	}
}

func wantAdmitted(t *testing.T, r *response, why string) map[string]any {
	t.Helper()
	if r.status != 200 || r.str("status") != "admitted" || r.str("admission_token") == "" {
		t.Fatalf("%s: got %d %s; want admitted with a token", why, r.status, r.raw)
	}
	p, _ := r.body["participant"].(map[string]any)
	return p
}

func TestJoinWithEachCredential(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada Lovelace")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(time.Hour), map[string]any{
		"invitees": []map[string]any{{"name": "Grace Hopper", "email": "grace@example.com"}},
	}))
	if len(m.MeetingID) != 11 || m.Passcode == "" || len(m.Occurrences) != 1 || len(m.Occurrences[0].AccessCode) != 9 {
		t.Fatalf("meeting lacks its ID, passcode or access code: %+v", m)
	}
	if len(m.Invitees) != 1 || m.Invitees[0].Link == "" || len(m.Invitees[0].PIN) != 12 {
		t.Fatalf("invitee lacks link or PIN: %+v", m.Invitees)
	}
	s.setClock(monday.Add(50 * time.Minute)) // open: 10 minutes before the start

	grouped := m.MeetingID[:3] + " " + m.MeetingID[3:7] + "-" + m.MeetingID[7:]
	p := wantAdmitted(t, s.join(map[string]any{"meeting_id": grouped, "passcode": m.Passcode, "name": "Alan"}), "meeting ID + passcode")
	if p["display_name"] != "Alan" {
		t.Errorf("display name %v, want Alan", p["display_name"])
	}
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.PhonePass, "channel": "phone"}), "meeting ID + phone passcode")
	wantAdmitted(t, s.join(map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode, "name": "Bob"}), "access code + passcode")

	token := m.Invitees[0].Link[strings.LastIndex(m.Invitees[0].Link, "/")+1:]
	p = wantAdmitted(t, s.join(map[string]any{"token": token, "name": "Somebody Else"}), "invitee link")
	if p["display_name"] != "Grace Hopper" {
		t.Errorf("invitee joined as %v, want the address book's Grace Hopper", p["display_name"])
	}
	u, err := url.Parse(m.JoinURL)
	if err != nil || u.Query().Get("pwd") == "" || strings.Contains(m.JoinURL, m.Passcode) {
		t.Fatalf("join URL %q lacks an encoded passcode (or shows the passcode)", m.JoinURL)
	}
	wantAdmitted(t, s.join(map[string]any{"meeting_id": strings.TrimPrefix(u.Path, "/j/"), "pwd": u.Query().Get("pwd"), "name": "Carol"}), "join URL")
	p = wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Invitees[0].PIN, "channel": "phone"}), "meeting ID + invitee PIN")
	if p["display_name"] != "Grace Hopper (2)" || p["shared_credential"] != true {
		t.Errorf("second use of Grace's credentials: %v, want Grace Hopper (2) marked shared", p)
	}

	// Every refusal looks the same.
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": "wrongpass1"}), "wrong passcode")
	wantRefused(t, s.join(map[string]any{"meeting_id": "98765432109", "passcode": m.Passcode}), "unknown meeting")
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID}), "missing passcode")
	wantRefused(t, s.join(map[string]any{"access_code": "111222333", "passcode": m.Passcode}), "unknown access code")
	wantRefused(t, s.join(map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": "nope12345"}), "access code + wrong passcode")
	wantRefused(t, s.join(map[string]any{"token": "AAAAAAAAAAAAAAAAAAAAAA"}), "unknown token")
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "pwd": "Zm9vYmFyYmF6cXV4cXV1eA"}), "wrong pwd")
}

func TestWindows(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	start := monday.Add(2 * time.Hour) // 10:00 UTC, 11:00 in Berlin
	m := s.schedule(tok, scheduledAt(start, nil))
	creds := map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}

	s.setClock(start.Add(-16 * time.Minute))
	r := s.join(creds)
	if r.status != 403 || r.str("error") != "not_open" || r.str("opens_at") != start.Add(-15*time.Minute).Format(time.RFC3339) {
		t.Fatalf("early join: %d %s; want not_open with opens_at", r.status, r.raw)
	}
	if want := "This meeting opens at 10:45 CET (15 minutes before its start)."; r.str("message") != want {
		t.Errorf("early message %q, want %q", r.str("message"), want)
	}
	// Too early with a wrong passcode says nothing more.
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": "wrong12345"}), "early and wrong")
	code := map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode}
	if r := s.join(code); r.str("error") != "not_open" {
		t.Errorf("early access code: %d %s; want not_open", r.status, r.raw)
	}

	s.setClock(start.Add(-15 * time.Minute))
	wantAdmitted(t, s.join(creds), "at opens_at")
	s.setClock(start.Add(89 * time.Minute))
	wantAdmitted(t, s.join(code), "in the grace period")
	s.setClock(start.Add(90 * time.Minute))
	r = s.join(creds)
	if r.status != 403 || r.str("error") != "ended" || r.str("message") != "This meeting has ended." {
		t.Errorf("after the window: %d %s; want ended", r.status, r.raw)
	}
	wantRefused(t, s.join(code), "expired access code")
}

func TestEndAndMaxUses(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday, map[string]any{"security": map[string]any{"max_uses": 2}}))
	code := map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode}
	wantAdmitted(t, s.join(code), "first use")
	wantAdmitted(t, s.join(code), "second use")
	wantRefused(t, s.join(code), "third use of a max_uses=2 code")
	// The meeting ID still works: max_uses closes the access code only.
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}), "meeting ID after max uses")

	s.do("POST", "/api/v1/meetings/"+m.ID+"/end", tok, map[string]any{}).must(t, 200)
	r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode})
	if r.str("error") != "ended" {
		t.Errorf("join after end: %d %s; want ended", r.status, r.raw)
	}
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if ps, _ := roster.body["participants"].([]any); len(ps) != 0 {
		t.Errorf("participants still in after end: %v", ps)
	}
}

func TestRegenerateAndDeleteTakeEffectAtOnce(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(10*time.Minute), nil))
	oldCode, oldPass := m.Occurrences[0].AccessCode, m.Passcode

	m2 := decodeMeeting(t, s.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "access_code", "occurrence": 1}).must(t, 200))
	if m2.Occurrences[0].AccessCode == oldCode || m2.Occurrences[0].AccessCode == "" {
		t.Fatal("regenerate kept the access code")
	}
	wantRefused(t, s.join(map[string]any{"access_code": oldCode, "passcode": oldPass}), "replaced access code")
	wantAdmitted(t, s.join(map[string]any{"access_code": m2.Occurrences[0].AccessCode, "passcode": oldPass}), "new access code")

	m3 := decodeMeeting(t, s.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "passcode"}).must(t, 200))
	if m3.Passcode == oldPass || m3.Passcode == "" {
		t.Fatal("regenerate kept the passcode")
	}
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": oldPass}), "replaced passcode")
	oldURL, _ := url.Parse(m.JoinURL)
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "pwd": oldURL.Query().Get("pwd")}), "join URL of the replaced passcode")
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m3.Passcode}), "new passcode")

	s.do("DELETE", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 204)
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m3.Passcode}), "deleted meeting")
	wantRefused(t, s.join(map[string]any{"access_code": m2.Occurrences[0].AccessCode, "passcode": m3.Passcode}), "deleted meeting's code")
	s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 404)
}

func TestUniquePasscodesAndSharedCredential(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	c := s.do("POST", "/api/v1/contacts", tok, map[string]any{"name": "Grace Hopper", "email": "grace@example.com"}).must(t, 201)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), map[string]any{
		"security": map[string]any{"passcode": "unique", "waiting_room": false},
		"invitees": []map[string]any{{"contact_id": c.body["id"]}, {"name": "Alan Turing", "phone": "+44 20 7946 0000"}},
	}))
	if m.Passcode != "" || m.Invitees[0].Passcode == "" || m.Invitees[0].Passcode == m.Invitees[1].Passcode {
		t.Fatalf("unique mode: shared %q, invitee passcodes %q, %q", m.Passcode, m.Invitees[0].Passcode, m.Invitees[1].Passcode)
	}
	g := map[string]any{"meeting_id": m.MeetingID, "passcode": m.Invitees[0].Passcode, "name": "Not Grace"}
	names := []string{}
	pids := []string{}
	for i := 0; i < 3; i++ {
		p := wantAdmitted(t, s.join(g), "Grace's unique passcode")
		names = append(names, p["display_name"].(string))
		pids = append(pids, p["id"].(string))
	}
	if strings.Join(names, "|") != "Grace Hopper|Grace Hopper (2)|Grace Hopper (3)" {
		t.Errorf("names %q", names)
	}
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants?occurrence=1", tok, nil).must(t, 200)
	ps, _ := roster.body["participants"].([]any)
	if len(ps) != 3 || ps[1].(map[string]any)["shared_credential"] != true {
		t.Errorf("roster %s", roster.raw)
	}
	// The first holder leaves; a newcomer takes the freed plain name? No: the
	// name goes to whoever is first, and suffixes to later holders.
	s.do("POST", "/api/v1/participants/"+pids[1]+"/leave", "", nil).must(t, 200)
	p := wantAdmitted(t, s.join(g), "fourth use")
	if p["display_name"] != "Grace Hopper (2)" {
		t.Errorf("after (2) left, the newcomer is %v, want the freed Grace Hopper (2)", p["display_name"])
	}
	// A unique passcode of one invitee is not another's.
	wantAdmitted(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Invitees[1].Passcode}), "Alan's passcode")
	wantRefused(t, s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": "Nobody7777x"}), "no such unique passcode")

	att := s.do("GET", "/api/v1/meetings/"+m.ID+"/attendance?occurrence=1", tok, nil, "Accept", "text/csv").must(t, 200)
	csv := string(att.raw)
	if !strings.HasPrefix(att.header.Get("Content-Type"), "text/csv") || !strings.Contains(csv, "Grace Hopper (3)") || !strings.Contains(csv, "grace@example.com") || !strings.Contains(csv, "left") {
		t.Errorf("attendance CSV:\n%s", csv)
	}
	js := s.do("GET", "/api/v1/meetings/"+m.ID+"/attendance?occurrence=1", tok, nil).must(t, 200)
	if rows, _ := js.body["participants"].([]any); len(rows) != 5 {
		t.Errorf("attendance has %d rows, want 5", len(rows))
	}
	// Grace's email stays on her own row; the others came via her link.
	for _, row := range js.body["participants"].([]any) {
		r := row.(map[string]any)
		name, _ := r["display_name"].(string)
		if !strings.HasPrefix(name, "Grace Hopper") {
			continue
		}
		shared := r["shared_credential"] == true
		if shared && (r["email"] != nil || r["via"] != "Grace Hopper") {
			t.Errorf("%s (shared): email %v via %v; want no email, via Grace Hopper", name, r["email"], r["via"])
		}
		if !shared && (r["email"] != "grace@example.com" || r["via"] != nil) {
			t.Errorf("%s: email %v via %v; want grace@example.com and no via", name, r["email"], r["via"])
		}
	}
}

func TestWaitingRoom(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday, map[string]any{"security": map[string]any{"waiting_room": true}}))
	r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Eve"}).must(t, 200)
	if r.str("status") != "waiting" || r.str("admission_token") != "" {
		t.Fatalf("waiting room join: %s", r.raw)
	}
	pid := r.body["participant"].(map[string]any)["id"].(string)
	r2 := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Mallory"}).must(t, 200)
	pid2 := r2.body["participant"].(map[string]any)["id"].(string)
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if w, _ := roster.body["waiting"].([]any); len(w) != 2 {
		t.Fatalf("waiting list %s", roster.raw)
	}
	eve, mallory := s.handle(tok, m.ID, "Eve"), s.handle(tok, m.ID, "Mallory")
	if eve == pid || mallory == pid2 {
		t.Errorf("the roster shows a participant's bearer ID")
	}
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+pid+"/admit", tok, nil).must(t, 404)
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+eve+"/admit", tok, nil).must(t, 200)
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+mallory+"/deny", tok, nil).must(t, 200)
	st := s.do("GET", "/api/v1/participants/"+pid, "", nil).must(t, 200)
	if st.str("status") != "admitted" || st.str("admission_token") == "" {
		t.Errorf("admitted participant's status: %s", st.raw)
	}
	if st := s.do("GET", "/api/v1/participants/"+pid2, "", nil).must(t, 200); st.str("status") != "denied" {
		t.Errorf("denied participant's status: %s", st.raw)
	}
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+mallory+"/admit", tok, nil).must(t, 409)
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+eve+"/remove", tok, nil).must(t, 200)
	if st := s.do("GET", "/api/v1/participants/"+pid, "", nil).must(t, 200); st.str("status") != "removed" {
		t.Errorf("removed participant's status: %s", st.raw)
	}
}
