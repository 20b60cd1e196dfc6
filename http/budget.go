package http

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// budgetRoutes registers what the host does about a spent guess budget:
// reset it, restore the meeting, deny the unmatched entries.
func (s *Server) budgetRoutes() []edge.Route {
	return []edge.Route{
		{Method: "POST", Path: "/api/v1/meetings/{id}/reset-budget", Handler: s.authed(s.handleResetBudget)},
		{Method: "POST", Path: "/api/v1/meetings/{id}/restore", Handler: s.authed(s.handleRestore)},
		{Method: "POST", Path: "/api/v1/meetings/{id}/participants/deny-unmatched", Handler: s.authed(s.handleDenyUnmatched)},
	}
}

// handleRestore redraws every guessable credential of the meeting, sends
// them to the invitees and resets its guess budget.
func (s *Server) handleRestore(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	m, err := s.Service.RestoreMeeting(r.Context(), a, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}

// handleDenyUnmatched denies every entry the spent budget held with a wrong
// passcode or PIN.
func (s *Server) handleDenyUnmatched(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := s.Service.DenyUnmatched(r.Context(), a, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]int{"denied": n})
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
