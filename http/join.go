package http

import (
	"net/http"

	"github.com/admit-project/admit/edge"
)

// joinRoutes registers the participant's join. It takes no API token.
func (s *Server) joinRoutes() []edge.Route {
	return []edge.Route{{Method: "POST", Path: "/api/v1/join", Handler: s.handleJoin}}
}

// handleJoin decides a join attempt. It is the hot path of the API and the
// target of guessing: it allocates little, logs nothing per request, and
// every refusal is answered with the same bytes (see Error).
func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	req, err := decodeJoinRequest(http.MaxBytesReader(w, r.Body, MaxJoinBodyBytes))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	req.Source = s.ClientIP(r)
	res, err := s.Service.Join(r.Context(), req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, res)
}
