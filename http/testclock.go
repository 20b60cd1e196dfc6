package http

import (
	"net/http"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// testClockRoutes registers the clock control of `admit serve --test-clock`.
// Handler registers it only when Server.Clock is set.
func (s *Server) testClockRoutes() []edge.Route {
	return []edge.Route{{Method: "POST", Path: "/api/v1/test-clock", Handler: s.handleTestClock}}
}

// TestClockInput is the body of POST /api/v1/test-clock: set the clock to
// Now (RFC 3339), or move it by Advance (a Go duration such as "90m" or
// "-1h"). With neither, the clock is only read.
type TestClockInput struct {
	Now     string `json:"now,omitempty"`
	Advance string `json:"advance,omitempty"`
}

// TestClockResult is the answer of POST /api/v1/test-clock.
type TestClockResult struct {
	Now time.Time `json:"now"`
}

func (s *Server) handleTestClock(w http.ResponseWriter, r *http.Request) {
	var in TestClockInput
	if err := decodeOptionalBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	switch {
	case in.Now != "" && in.Advance != "":
		s.Error(w, r, admit.FieldErrorf("advance", "give now or advance, not both"))
		return
	case in.Now != "":
		t, err := time.Parse(time.RFC3339, in.Now)
		if err != nil {
			s.Error(w, r, admit.FieldErrorf("now", "now must be an RFC 3339 time (2006-01-02T15:04:05Z)"))
			return
		}
		s.Clock.Set(t)
	case in.Advance != "":
		d, err := time.ParseDuration(in.Advance)
		if err != nil {
			s.Error(w, r, admit.FieldErrorf("advance", "advance must be a duration such as 90m, 2h or -30s"))
			return
		}
		s.Clock.Advance(d)
	}
	s.writeJSON(w, r, http.StatusOK, TestClockResult{Now: s.Clock.Now()})
}
