package http_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	admithttp "github.com/admit-project/admit/http"
)

func TestErrorShape(t *testing.T) {
	var logs bytes.Buffer
	s := &admithttp.Server{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	tests := []struct {
		err  error
		code int
		want string
	}{
		{admit.FieldErrorf("topic", "topic is too long"), 400, `{"error":"invalid","field":"topic","message":"topic is too long"}` + "\n"},
		{&admit.Error{Code: admit.ENOTOPEN, Message: "Opens at 09:45.", Detail: map[string]any{"opens_at": "2030-01-01T09:45:00Z"}}, 403,
			`{"error":"not_open","message":"Opens at 09:45.","opens_at":"2030-01-01T09:45:00Z"}` + "\n"},
		{&admit.Error{Code: admit.EREFUSED, Message: "anything else", Detail: map[string]any{"reason": "wrong_passcode"}}, 403,
			`{"error":"invalid_credentials","message":"Invalid meeting ID or passcode."}` + "\n"},
		// A store out of reach past the request's deadline: come back, no guess.
		{context.DeadlineExceeded, 503, `{"error":"unavailable","message":"The service is briefly unavailable; try again in a moment."}` + "\n"},
		{&admit.Error{Code: admit.EINTERNAL, Message: "disk /var/x full", Field: "f"}, 500, `{"error":"internal","message":"Internal error."}` + "\n"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		s.Error(w, httptest.NewRequest("GET", "/x", nil), tt.err)
		if w.Code != tt.code || w.Body.String() != tt.want {
			t.Errorf("Error(%v) = %d %s, want %d %s", tt.err, w.Code, w.Body, tt.code, tt.want)
		}
		if ra := w.Header().Get("Retry-After"); (tt.code == 503) != (ra != "") {
			t.Errorf("Error(%v): Retry-After %q", tt.err, ra)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("Error(%v): Content-Type %q", tt.err, ct)
		}
	}
	if !strings.Contains(logs.String(), "disk /var/x full") {
		t.Errorf("internal error details were not logged: %s", logs.String())
	}
}

func TestUnauthorized(t *testing.T) {
	f := mustServe(t, false)
	for _, auth := range []string{"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer adm_unknown", "Bearer " + f.token + "x", "Bearer " + strings.Repeat("a", 5000)} {
		var h []string
		if auth != "" {
			h = []string{"Authorization", auth}
		}
		res := f.send(t, "GET", "/api/v1/meetings", nil, h...)
		if res.Status != 401 || res.errorBody(t)["error"] != "unauthorized" {
			t.Errorf("Authorization %.20q: got %d %s, want 401 unauthorized", auth, res.Status, res.Body)
		}
		if res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %.20q: no WWW-Authenticate", auth)
		}
	}
	if res := f.send(t, "GET", "/api/v1/meetings", nil, "Authorization", "bearer "+f.token); res.Status != 200 {
		t.Errorf("lower-case scheme: got %d %s, want 200", res.Status, res.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := mustServe(t, false)
	for _, path := range []string{"/healthz", "/api/v1/openapi.json", "/api/v1/meetings", "/api/v1/nope", "/api/v1/participants/pabc"} {
		res := f.send(t, "GET", path, nil)
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", path, got)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", path, got)
		}
		if got := res.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("GET %s: Content-Type %q", path, got)
		}
	}
}

func TestHealthz(t *testing.T) {
	f := mustServe(t, false)
	res := f.send(t, "GET", "/healthz", nil)
	if res.Status != 200 || string(res.Body) != `{"status":"ok"}`+"\n" {
		t.Errorf("GET /healthz = %d %s", res.Status, res.Body)
	}
}

func TestNoRoute(t *testing.T) {
	f := mustServe(t, false)
	res := f.send(t, "GET", "/api/v1/nothing", nil)
	if res.Status != 404 || res.errorBody(t)["error"] != "not_found" {
		t.Errorf("unknown route: %d %s", res.Status, res.Body)
	}
	res = f.send(t, "PUT", "/api/v1/meetings", "{}")
	if res.Status != 405 || res.errorBody(t)["error"] != "method_not_allowed" || res.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT /api/v1/meetings: %d %s Allow %q", res.Status, res.Body, res.Header.Get("Allow"))
	}
	// The test clock exists only with --test-clock.
	res = f.send(t, "POST", "/api/v1/test-clock", `{"advance":"1h"}`)
	if res.Status != 404 {
		t.Errorf("test clock without --test-clock: %d %s, want 404", res.Status, res.Body)
	}
}

// badInputTests are requests the API refuses with 400 naming a field, or
// 413.
var badInputTests = []struct {
	name, method, path, body string
	status                   int
	field                    string
}{
	{"unknown field", "POST", "/api/v1/meetings", `{"topic":"x","topics":"y"}`, 400, "topics"},
	{"wrong type", "POST", "/api/v1/meetings", `{"duration_minutes":"sixty"}`, 400, "duration_minutes"},
	{"nested wrong type", "POST", "/api/v1/meetings", `{"security":{"max_uses":true}}`, 400, "security.max_uses"},
	{"nested unknown field", "POST", "/api/v1/meetings", `{"security":{"colour":"red"}}`, 400, "colour"},
	{"bad time", "POST", "/api/v1/meetings", `{"start":"tomorrow"}`, 400, "start"},
	{"time not a string", "PATCH", "/api/v1/meetings/m1", `{"start":20300101}`, 400, "start"},
	{"not an object", "POST", "/api/v1/meetings", `[1,2]`, 400, "body"},
	{"two values", "POST", "/api/v1/meetings", `{} {}`, 400, "body"},
	{"trailing garbage", "POST", "/api/v1/meetings", `{}x`, 400, "body"},
	{"syntax", "POST", "/api/v1/meetings", `{"topic":`, 400, "body"},
	{"empty body", "POST", "/api/v1/meetings", ``, 400, "body"},
	{"too large", "POST", "/api/v1/meetings", `{"topic":"` + strings.Repeat("a", 70<<10) + `"}`, 413, ""},
	{"too large after a value", "POST", "/api/v1/contacts", `{"name":"x"}` + strings.Repeat(" ", 70<<10), 413, ""},
	{"join too large", "POST", "/api/v1/join", `{"name":"` + strings.Repeat("a", 9<<10) + `"}`, 413, ""},
	{"join unknown field", "POST", "/api/v1/join", `{"meeting_id":"12345678901","source":"1.2.3.4"}`, 400, "source"},
	{"join wrong type", "POST", "/api/v1/join", `{"meeting_id":12345678901}`, 400, "meeting_id"},
	{"bad from", "GET", "/api/v1/meetings?from=yesterday", "", 400, "from"},
	{"bad to", "GET", "/api/v1/meetings?to=2030-01-01", "", 400, "to"},
	{"bad occurrence", "GET", "/api/v1/meetings/m1/participants?occurrence=-1", "", 400, "occurrence"},
	{"bad occurrence word", "GET", "/api/v1/meetings/m1/attendance?occurrence=first", "", 400, "occurrence"},
	{"bad limit", "GET", "/api/v1/audit?limit=0", "", 400, "limit"},
	{"bad after", "GET", "/api/v1/audit?after=x", "", 400, "after"},
	{"bad meeting id", "GET", "/api/v1/meetings/m%3Cscript%3E", "", 400, "id"},
	{"long meeting id", "GET", "/api/v1/meetings/m" + strings.Repeat("a", 80), "", 400, "id"},
	{"bad contact id", "PATCH", "/api/v1/contacts/abc", `{}`, 400, "id"},
	{"zero contact id", "DELETE", "/api/v1/contacts/0", "", 400, "id"},
	{"bad pid", "GET", "/api/v1/participants/x1", "", 400, "pid"},
	{"bad pid on decide", "POST", "/api/v1/meetings/m1/participants/P!/admit", "", 400, "pid"},
	{"negative end occurrence", "POST", "/api/v1/meetings/m1/end", `{"occurrence":-2}`, 400, "occurrence"},
	{"regenerate what", "POST", "/api/v1/meetings/m1/regenerate", `{"what":1}`, 400, "what"},
}

func TestBadInput(t *testing.T) {
	f := mustServe(t, false)
	for _, tt := range badInputTests {
		var body any
		if tt.body != "" {
			body = tt.body
		}
		res := f.host(t, tt.method, tt.path, body)
		if res.Status != tt.status {
			t.Errorf("%s: got %d %s, want %d", tt.name, res.Status, res.Body, tt.status)
			continue
		}
		e := res.errorBody(t)
		if tt.status == 413 {
			if e["error"] != "too_large" {
				t.Errorf("%s: error %v, want too_large", tt.name, e["error"])
			}
			continue
		}
		if e["error"] != "invalid" || e["field"] != tt.field {
			t.Errorf("%s: got %s, want invalid naming %q", tt.name, res.Body, tt.field)
		}
	}
}

func TestInternalErrorLogsNoSecrets(t *testing.T) {
	f := mustServe(t, false)
	var logs bytes.Buffer
	f.server.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	h := f.server.Handler()
	f.service.Store.Close()
	req := httptest.NewRequest("POST", "/api/v1/meetings", strings.NewReader(`{"topic":"secret topic","security":{"passcode_value":"Hunter22xx"}}`))
	req.Header.Set("Authorization", "Bearer "+f.token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 500 || w.Body.String() != `{"error":"internal","message":"Internal error."}`+"\n" {
		t.Fatalf("closed store: %d %s", w.Code, w.Body)
	}
	for _, secret := range []string{f.token, "Hunter22xx", "secret topic"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log holds %q: %s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "POST /api/v1/meetings") {
		t.Errorf("log does not name the route: %s", logs.String())
	}
}

// TestRefusalIdentical checks that every refusal short of fully valid
// credentials is answered with the same status, headers and body.
func TestRefusalIdentical(t *testing.T) {
	f := mustServe(t, false)
	m := f.mustCreateMeeting(t, map[string]any{"topic": "Board", "start": f.in(5 * time.Minute),
		"security": map[string]any{"passcode": "shared", "access_code": true}})
	if m.Passcode == "" || len(m.Occurrences) == 0 || m.Occurrences[0].AccessCode == "" {
		t.Fatalf("meeting without passcode or access code: %+v", m)
	}
	unknownMeeting := "19999999999"
	if m.MeetingID == unknownMeeting {
		unknownMeeting = "18888888888"
	}
	unknownCode := "000000000"
	if m.Occurrences[0].AccessCode == unknownCode {
		unknownCode = "000000001"
	}
	requests := map[string]map[string]string{
		"unknown meeting":     {"meeting_id": unknownMeeting, "passcode": m.Passcode},
		"wrong passcode":      {"meeting_id": m.MeetingID, "passcode": m.Passcode + "x"},
		"no passcode":         {"meeting_id": m.MeetingID},
		"unknown access code": {"access_code": unknownCode, "passcode": m.Passcode},
		"code, bad passcode":  {"access_code": m.Occurrences[0].AccessCode, "passcode": "nope"},
		"unknown token":       {"token": "tUnknownTokenValue123"},
		"wrong pwd":           {"meeting_id": m.MeetingID, "pwd": "AAAAAAAAAAAAAAAAAAAAAA"},
	}
	var first *response
	var firstName string
	for name, req := range requests {
		res := f.send(t, "POST", "/api/v1/join", req)
		if res.Status != 403 || string(res.Body) != `{"error":"invalid_credentials","message":"Invalid meeting ID or passcode."}`+"\n" {
			t.Errorf("%s: %d %s, want the refusal", name, res.Status, res.Body)
			continue
		}
		res.Header.Del("Date")
		if first == nil {
			first, firstName = res, name
			continue
		}
		if !equalHeaders(first.Header, res.Header) {
			t.Errorf("headers of %q differ from %q:\n%v\n%v", name, firstName, res.Header, first.Header)
		}
	}
	// The fully valid credentials are not refused.
	res := f.send(t, "POST", "/api/v1/join", map[string]string{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Ann"})
	if res.Status != 200 {
		t.Errorf("valid join: %d %s", res.Status, res.Body)
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb := b[k]
		if strings.Join(va, "\x00") != strings.Join(vb, "\x00") {
			return false
		}
	}
	return true
}

func TestJoinOutsideWindow(t *testing.T) {
	f := mustServe(t, false)
	m := f.mustCreateMeeting(t, map[string]any{"topic": "Later", "start": f.in(3 * time.Hour), "duration_minutes": 30,
		"security": map[string]any{"passcode": "shared", "early_join_minutes": 10, "grace_minutes": 0}})
	join := map[string]string{"meeting_id": m.MeetingID, "passcode": m.Passcode}
	res := f.send(t, "POST", "/api/v1/join", join)
	e := res.errorBody(t)
	if res.Status != 403 || e["error"] != "not_open" || e["opens_at"] != m.Occurrences[0].OpensAt.Format(time.RFC3339) {
		t.Errorf("early join: %d %s", res.Status, res.Body)
	}
	f.clock.Advance(4 * time.Hour)
	res = f.send(t, "POST", "/api/v1/join", join)
	if res.Status != 403 || res.errorBody(t)["error"] != "ended" {
		t.Errorf("late join: %d %s", res.Status, res.Body)
	}
}

func TestAttendanceCSV(t *testing.T) {
	f := mustServe(t, false)
	m := f.mustCreateMeeting(t, map[string]any{"topic": "Sync", "start": f.in(time.Minute), "security": map[string]any{"passcode": "shared"}})
	names := []string{"=HYPERLINK(\"http://evil\")", "+SUM(A1)", "-2+3", "@cmd", "Plain, \"quoted\" Name"}
	for _, n := range names {
		res := f.send(t, "POST", "/api/v1/join", map[string]string{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": n, "channel": "web"})
		if res.Status != 200 {
			t.Fatalf("join %q: %d %s", n, res.Status, res.Body)
		}
	}
	f.clock.Advance(10 * time.Minute)
	res := f.host(t, "GET", "/api/v1/meetings/"+m.ID+"/attendance?occurrence=1", nil, "Accept", "text/csv")
	if res.Status != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("attendance CSV: %d %q %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	recs, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "participant_id,display_name,invitee_id,email,shared_credential,channel,source,state,joined_at,admitted_at,left_at,duration_seconds,media_connected_at,media_left_at,media_seconds"
	if len(recs) != len(names)+1 || strings.Join(recs[0], ",") != want {
		t.Fatalf("CSV has %d records, header %q", len(recs), recs[0])
	}
	got := map[string]bool{}
	for _, rec := range recs[1:] {
		got[rec[1]] = true
		if rec[7] != "admitted" || rec[5] != "web" || rec[6] != "127.0.0.1" {
			t.Errorf("row %q: state, channel or source wrong", rec)
		}
		if _, err := time.Parse(time.RFC3339, rec[8]); err != nil || !strings.HasSuffix(rec[8], "Z") {
			t.Errorf("joined_at %q is not RFC 3339 UTC", rec[8])
		}
		if rec[11] != "600" {
			t.Errorf("duration_seconds = %q, want 600", rec[11])
		}
	}
	for _, n := range names {
		want := n
		if strings.ContainsAny(n[:1], "=+-@") {
			want = "'" + n
		}
		if !got[want] {
			t.Errorf("CSV lacks display name %q (has %v)", want, got)
		}
	}
	// JSON stays the default.
	res = f.host(t, "GET", "/api/v1/meetings/"+m.ID+"/attendance?occurrence=1", nil, "Accept", "application/json, text/csv;q=0.5")
	if res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("attendance JSON: Content-Type %q", res.Header.Get("Content-Type"))
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{"": "", "ok": "ok", "=1": "'=1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "a=b": "a=b"} {
		if got := admithttp.CSVCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTestClock(t *testing.T) {
	f := mustServe(t, true)
	res := f.send(t, "POST", "/api/v1/test-clock", `{"now":"2031-02-03T04:05:06Z"}`)
	var got struct{ Now time.Time }
	res.decode(t, &got)
	if res.Status != 200 || got.Now.Sub(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)).Abs() > time.Minute {
		t.Errorf("set: %d %s", res.Status, res.Body)
	}
	res = f.send(t, "POST", "/api/v1/test-clock", `{"advance":"90m"}`)
	res.decode(t, &got)
	if got.Now.Sub(time.Date(2031, 2, 3, 5, 35, 6, 0, time.UTC)).Abs() > time.Minute {
		t.Errorf("advance: %d %s", res.Status, res.Body)
	}
	for body, field := range map[string]string{`{"advance":"soon"}`: "advance", `{"now":"today"}`: "now", `{"now":"2031-02-03T04:05:06Z","advance":"1h"}`: "advance"} {
		res := f.send(t, "POST", "/api/v1/test-clock", body)
		if res.Status != 400 || res.errorBody(t)["field"] != field {
			t.Errorf("%s: %d %s, want 400 naming %s", body, res.Status, res.Body, field)
		}
	}
}
