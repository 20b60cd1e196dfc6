package http

import (
	"net/http"
	"strconv"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// auditRoutes registers the host's views of join attempts and of the audit
// trail.
func (s *Server) auditRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/meetings/{id}/attempts", Handler: s.authed(s.handleAttempts)},
		{Method: "GET", Path: "/api/v1/audit", Handler: s.authed(s.handleAudit)},
		{Method: "GET", Path: "/api/v1/audit/checkpoint", Handler: s.authed(s.handleAuditCheckpoint)},
		{Method: "GET", Path: "/api/v1/audit/proof/{seq}", Handler: s.authed(s.handleAuditProof)},
		{Method: "GET", Path: "/api/v1/audit/consistency", Handler: s.authed(s.handleAuditConsistency)},
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

// handleAudit pages through the account's audit trail in the order it was
// written: events whose id is after ?after= (default 0; pass the last id
// of the previous page), at most ?limit= (1 to 1000, default 100). An
// event's seq is its place in the audit log's tree, 0 until the integrator
// places it (within a second or two).
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
	es, err := s.Service.Events(r.Context(), a, admit.EventFilter{AfterID: after, Limit: int(limit)})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if es == nil {
		es = []*admit.Event{}
	}
	s.writeJSON(w, r, http.StatusOK, EventList{Events: es})
}

// handleAuditCheckpoint answers the audit log's latest signed checkpoint
// (owners and admins).
func (s *Server) handleAuditCheckpoint(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	cp, err := s.Service.AuditCheckpoint(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, cp)
}

// handleAuditProof answers the proof that entry {seq} is in the latest
// checkpoint's tree (owners and admins).
func (s *Server) handleAuditProof(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq < 1 {
		s.Error(w, r, admit.FieldErrorf("seq", "seq must be an entry's place in the log, from 1"))
		return
	}
	in, err := s.Service.AuditProof(r.Context(), a, seq)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, in)
}

// handleAuditConsistency answers the proof that the latest checkpoint
// extends the tree of the first ?old_size= entries (owners and admins).
func (s *Server) handleAuditConsistency(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	old, err := queryInt(r, "old_size", 0, 1, 1<<62)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Service.AuditConsistency(r.Context(), a, old)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, c)
}
