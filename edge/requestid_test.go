package edge_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/admit-project/admit/edge"
)

// TestRequestIDs checks that each answer carries a fresh ID in
// X-Request-ID, that a client's own ID is not taken, and that records
// logged with the request's context carry the same ID.
func TestRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(edge.LogHandler(slog.NewTextHandler(&logs, nil)))
	var seen string
	h := edge.RequestIDs(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = edge.RequestIDFrom(r.Context())
		logger.WarnContext(r.Context(), "something", "k", "v")
	}), nil)
	ids := map[string]bool{}
	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set(edge.RequestIDHeader, "client-chosen")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		id := rec.Header().Get(edge.RequestIDHeader)
		if len(id) != 32 || id == "client-chosen" || id != seen {
			t.Errorf("answer's ID %q, handler's %q; want the same 32 hex digits, not the client's", id, seen)
		}
		if !strings.Contains(logs.String(), "request_id="+id) {
			t.Errorf("log %q lacks request_id=%s", logs.String(), id)
		}
		ids[id] = true
	}
	if len(ids) != 3 {
		t.Errorf("%d distinct IDs in 3 requests", len(ids))
	}
}
