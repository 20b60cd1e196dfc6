package http

import (
	"net/http"

	"github.com/admit-project/admit"
)

// participantRoutes registers what a participant does with their
// participant ID (the ID is the capability: no API token), and the host's
// roster and decisions.
func (s *Server) participantRoutes() []route {
	return []route{
		{"GET", "/api/v1/participants/{pid}", s.handleParticipantStatus},
		{"POST", "/api/v1/participants/{pid}/leave", s.handleLeave},
		{"GET", "/api/v1/meetings/{id}/participants", s.authed(s.handleRoster)},
		{"POST", "/api/v1/meetings/{id}/participants/{pid}/admit", s.authed(s.decide(admit.DecisionAdmit))},
		{"POST", "/api/v1/meetings/{id}/participants/{pid}/deny", s.authed(s.decide(admit.DecisionDeny))},
		{"POST", "/api/v1/meetings/{id}/participants/{pid}/remove", s.authed(s.decide(admit.DecisionRemove))},
	}
}

// participantID returns the {pid} path value: "p" followed by lower-case
// letters and digits. EINVALID names "pid" otherwise.
func participantID(r *http.Request) (string, error) {
	pid := r.PathValue("pid")
	if len(pid) < 2 || len(pid) > admit.MaxCredentialLength || pid[0] != 'p' {
		return "", admit.FieldErrorf("pid", "pid must be a participant ID (p…)")
	}
	for i := 1; i < len(pid); i++ {
		if c := pid[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "", admit.FieldErrorf("pid", "pid must be a participant ID (p…)")
		}
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
