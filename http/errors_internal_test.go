package http

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// TestRateLimitedAnswer: 429 with Retry-After and the wait in the body.
func TestRateLimitedAnswer(t *testing.T) {
	w := httptest.NewRecorder()
	(&Server{}).Error(w, httptest.NewRequest("POST", "/api/v1/join", nil), admit.RateLimited(89500*time.Millisecond))
	if w.Code != 429 || w.Header().Get("Retry-After") != "90" {
		t.Errorf("got %d Retry-After %q; want 429 and 90", w.Code, w.Header().Get("Retry-After"))
	}
	if want := `{"error":"rate_limited","message":"Too many attempts. Try again later.","retry_after":90}` + "\n"; w.Body.String() != want {
		t.Errorf("body %s, want %s", w.Body, want)
	}
}
