package http

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// participantRoutes registers what a participant does with their
// participant ID (the ID is the capability: no API token), and the host's
// roster and decisions.
func (s *Server) participantRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/participants/{pid}", Handler: s.handleParticipantStatus},
		{Method: "POST", Path: "/api/v1/participants/{pid}/leave", Handler: s.handleLeave},
		{Method: "GET", Path: "/api/v1/meetings/{id}/participants", Handler: s.authed(s.handleRoster)},
		{Method: "POST", Path: "/api/v1/meetings/{id}/participants/{pid}/admit", Handler: s.authed(s.decide(admit.DecisionAdmit))},
		{Method: "POST", Path: "/api/v1/meetings/{id}/participants/{pid}/deny", Handler: s.authed(s.decide(admit.DecisionDeny))},
		{Method: "POST", Path: "/api/v1/meetings/{id}/participants/{pid}/remove", Handler: s.authed(s.decide(admit.DecisionRemove))},
	}
}

// participantID returns the {pid} path value: "p" followed by lower-case
// letters and digits. EINVALID names "pid" otherwise.
func participantID(r *http.Request) (string, error) {
	pid, ok := edge.ParticipantID(r)
	if !ok {
		return "", admit.FieldErrorf("pid", "pid must be a participant ID (p…)")
	}
	return pid, nil
}

// handleParticipantStatus lets a participant poll where they stand (a
// waiting participant learns here that they were admitted, with their
// admission token).
func (s *Server) handleParticipantStatus(w http.ResponseWriter, r *http.Request) {
	pid, err := participantID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Service.ParticipantStatus(r.Context(), pid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, res)
}

func (s *Server) handleLeave(w http.ResponseWriter, r *http.Request) {
	pid, err := participantID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p, err := s.Service.Leave(r.Context(), pid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, p)
}

func (s *Server) handleRoster(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := occurrenceParam(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	roster, err := s.Service.Roster(r.Context(), a, id, n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, roster)
}

// decide returns the handler of a host's decision on a participant.
func (s *Server) decide(decision string) hostHandler {
	return func(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
		id, err := pathID(r, "id")
		if err != nil {
			s.Error(w, r, err)
			return
		}
		pid, err := participantID(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		p, err := s.Service.Decide(r.Context(), a, id, pid, decision)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.writeJSON(w, r, http.StatusOK, p)
	}
}
