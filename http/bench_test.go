package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
)

// bareJoin is the baseline of the join benchmark: a plain net/http handler
// that decodes, joins and answers, with none of the API's checks.
func bareJoin(svc *app.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req admit.JoinRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.WriteHeader(400)
			return
		}
		req.Source = r.RemoteAddr
		res, err := svc.Join(r.Context(), &req)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(403)
			json.NewEncoder(w).Encode(map[string]string{"error": admit.ErrorCode(err), "message": admit.ErrorMessage(err)})
			return
		}
		json.NewEncoder(w).Encode(res)
	}
}

// BenchmarkJoinRefused compares refusals through the API's handler with the
// bare handler; the API should stay close to it.
func BenchmarkJoinRefused(b *testing.B) {
	f := mustServe(b, false)
	m := f.mustCreateMeeting(b, map[string]any{"topic": "Bench", "start": f.in(time.Minute), "security": map[string]any{"passcode": "shared"}})
	body := `{"meeting_id":"` + m.MeetingID + `","passcode":"wrong-passcode","name":"Mallory"}`
	for _, h := range []struct {
		name    string
		handler http.Handler
	}{{"bare", bareJoin(f.service)}, {"api", f.server.Handler()}} {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest("POST", "/api/v1/join", strings.NewReader(body))
				r.RemoteAddr = "192.0.2.1:4242"
				w := httptest.NewRecorder()
				h.handler.ServeHTTP(w, r)
				if w.Code != 403 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
