package http

import (
	"net/http"
	"strconv"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// invitationRoutes registers mail's state, a meeting's deliveries and their
// resend, and the invitation as a calendar file and as text. Each decides
// in the service: the meeting's host, or an owner or admin of its account.
func (s *Server) invitationRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/mail", Handler: s.authed(s.handleMailStatus)},
		{Method: "GET", Path: "/api/v1/meetings/{id}/deliveries", Handler: s.authed(s.handleDeliveries)},
		{Method: "POST", Path: "/api/v1/meetings/{id}/deliveries/{delivery}/resend", Handler: s.authed(s.handleResend)},
		{Method: "GET", Path: "/api/v1/meetings/{id}/invitation.ics", Handler: s.authed(s.handleInvitationICS)},
		{Method: "GET", Path: "/api/v1/meetings/{id}/invitation", Handler: s.authed(s.handleInvitationText)},
	}
}

// handleMailStatus says whether changes send mail.
func (s *Server) handleMailStatus(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	s.writeJSON(w, r, http.StatusOK, s.Service.MailStatus(r.Context()))
}

// handleDeliveries lists a meeting's messages with their delivery state.
func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ds, err := s.Service.Deliveries(r.Context(), a, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"deliveries": ds})
}

// handleResend queues a message again, with the same Message-ID.
func (s *Server) handleResend(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil || n < 1 {
		s.Error(w, r, admit.FieldErrorf("delivery", "delivery must be a message number from GET /api/v1/meetings/%s/deliveries", id))
		return
	}
	d, err := s.Service.Resend(r.Context(), a, id, n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, d)
}

// handleInvitationICS answers the meeting's calendar file for ?invitee=ID,
// or the host's own without it.
func (s *Server) handleInvitationICS(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	b, err := s.Service.InvitationICS(r.Context(), a, id, r.URL.Query().Get("invitee"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="invite.ics"`)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// handleInvitationText answers the invitation as text with its real values
// (for ?invitee=ID, or the shared ones).
func (s *Server) handleInvitationText(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	text, err := s.Service.InvitationText(r.Context(), a, id, r.URL.Query().Get("invitee"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]string{"text": text})
}
