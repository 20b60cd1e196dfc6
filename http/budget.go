package http

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// budgetRoutes registers the reset of a meeting's guess budget.
func (s *Server) budgetRoutes() []edge.Route {
	return []edge.Route{{Method: "POST", Path: "/api/v1/meetings/{id}/reset-budget", Handler: s.authed(s.handleResetBudget)}}
}

// handleResetBudget resets a meeting's spent guess budget once its passcode
// has been regenerated (409 otherwise).
func (s *Server) handleResetBudget(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	b, err := s.Service.ResetBudget(r.Context(), a, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, b)
}
