package http_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// TestJoinPathOneValidJoin makes one valid join through the API's handler
// after another meeting's join has warmed the service. It is the request
// docs/design.md's join-path figures trace (cmd/admit-joinpath): a join by
// meeting ID and passcode, admitted without a waiting room, its meeting
// read from the store.
func TestJoinPathOneValidJoin(t *testing.T) {
	f := mustServe(t, false)
	h := f.server.Handler()
	join := func(m *admit.MeetingView) *admit.JoinResult {
		t.Helper()
		body := `{"meeting_id":"` + m.MeetingID + `","passcode":"` + m.Passcode + `","name":"Tracy"}`
		r := httptest.NewRequest("POST", "/api/v1/join", strings.NewReader(body))
		r.RemoteAddr = "192.0.2.1:4242"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("join %s: status %d: %s", m.MeetingID, w.Code, w.Body)
		}
		var res admit.JoinResult
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatalf("join %s: %v: %s", m.MeetingID, err, w.Body)
		}
		return &res
	}
	open := map[string]any{"passcode": "shared", "waiting_room": false}
	warm := f.mustCreateMeeting(t, map[string]any{"topic": "Warm", "start": f.in(time.Minute), "security": open})
	traced := f.mustCreateMeeting(t, map[string]any{"topic": "Traced", "start": f.in(time.Minute), "security": open})
	join(warm)
	res := join(traced)
	number, _ := admit.StripSeparators(traced.MeetingID)
	if res.Status != "admitted" || res.AdmissionToken == "" || res.Meeting == nil || res.Meeting.MeetingID != number {
		t.Fatalf("traced join: status %q, token %t, meeting %+v; want admitted into %s", res.Status, res.AdmissionToken != "", res.Meeting, traced.MeetingID)
	}
}
