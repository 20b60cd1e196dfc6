package http

import (
	"net/http"

	"github.com/admit-project/admit"

	"github.com/admit-project/admit/edge"
)

// joinRoutes registers the participant's join. It takes no API token.
func (s *Server) joinRoutes() []edge.Route {
	return []edge.Route{{Method: "POST", Path: "/api/v1/join", Handler: s.handleJoin}}
}

// joinCrossOrigin is the cross-origin check of POST /api/v1/join.
var joinCrossOrigin = http.NewCrossOriginProtection()

// errCrossSite refuses a cross-site browser request to join.
var errCrossSite = &admit.Error{Code: admit.EFORBIDDEN, Message: "This join came from another site's page; join from admit's own pages or from an app."}

// handleJoin decides a join attempt. It is the hot path of the API and the
// target of guessing: it allocates little, logs nothing per request, and
// every refusal is answered with the same bytes (see Error).
func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	// A hostile page must not make its visitors' browsers spend a meeting's
	// guess budget or a source's limit: a browser's cross-site request
	// (Sec-Fetch-Site, or an Origin of another host) is refused before it
	// is judged. Clients that are not browsers send neither header.
	if err := joinCrossOrigin.Check(r); err != nil {
		s.Error(w, r, errCrossSite)
		return
	}
	req, err := decodeJoinRequest(http.MaxBytesReader(w, r.Body, MaxJoinBodyBytes))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	req.Source = s.ClientIP(r)
	if req.Caller, err = edge.GatewayCaller(r, req.Source, s.TrustedGateways); err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Service.Join(r.Context(), req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, res)
}
