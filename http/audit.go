package http

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// auditRoutes registers the host's views of join attempts and of the audit
// trail.
func (s *Server) auditRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/meetings/{id}/attempts", Handler: s.authed(s.handleAttempts)},
		{Method: "GET", Path: "/api/v1/audit", Handler: s.authed(s.handleAudit)},
	}
}

// AttemptList is the answer of GET /api/v1/meetings/{id}/attempts.
type AttemptList struct {
	Attempts []*admit.Attempt `json:"attempts"`
}

// EventList is the answer of GET /api/v1/audit.
type EventList struct {
	Events []*admit.Event `json:"events"`
}

// handleAttempts lists a meeting's recent refused join attempts with their
// internal reasons (?limit=, 1 to 500, default 100).
func (s *Server) handleAttempts(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 1, 500)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	as, err := s.Service.FailedAttempts(r.Context(), a, id, int(limit))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if as == nil {
		as = []*admit.Attempt{}
	}
	s.writeJSON(w, r, http.StatusOK, AttemptList{Attempts: as})
}

// handleAudit pages through the account's audit trail, in chain order:
// events whose seq is after ?after= (default 0; pass the last seq of the
// previous page), at most ?limit= (1 to 1000, default 100). Each event
// carries its seq, prev_hash and hash: the account's events are a
// subsequence of the one chain that `admit audit verify` checks.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	after, err := queryInt(r, "after", 0, 0, 1<<62)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	es, err := s.Service.Events(r.Context(), a, after, int(limit))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if es == nil {
		es = []*admit.Event{}
	}
	s.writeJSON(w, r, http.StatusOK, EventList{Events: es})
}
