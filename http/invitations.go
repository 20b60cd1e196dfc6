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
		{Method: "DELETE", Path: "/api/v1/meetings/{id}/invitees/{invitee}", Handler: s.authed(s.handleRemoveInvitee)},
		// The account's mail settings: owners and admins (the service decides).
		{Method: "GET", Path: "/api/v1/account/mail", Handler: s.authed(s.handleAccountMail)},
		{Method: "PUT", Path: "/api/v1/account/mail", Handler: s.authed(s.handleUpdateAccountMail)},
		{Method: "PUT", Path: "/api/v1/account/mail/smtp", Handler: s.authed(s.handleSetAccountSMTP)},
		{Method: "DELETE", Path: "/api/v1/account/mail/smtp", Handler: s.authed(s.handleDeleteAccountSMTP)},
	}
}

// handleAccountMail returns the account's mail settings, never the SMTP
// password.
func (s *Server) handleAccountMail(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	v, err := s.Service.AccountMail(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleUpdateAccountMail changes the account's reminder lead.
func (s *Server) handleUpdateAccountMail(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in admit.AccountMailInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.Service.UpdateAccountMail(r.Context(), a, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleSetAccountSMTP sets the account's own SMTP server.
func (s *Server) handleSetAccountSMTP(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in admit.AccountSMTPInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.Service.SetAccountSMTP(r.Context(), a, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleDeleteAccountSMTP returns the account to the deployment's SMTP
// server.
func (s *Server) handleDeleteAccountSMTP(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	if err := s.Service.DeleteAccountSMTP(r.Context(), a); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleRemoveInvitee removes one invitee of a meeting; with mail on, they
// alone get a cancellation.
func (s *Server) handleRemoveInvitee(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	inv, err := pathID(r, "invitee")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.Service.RemoveInvitee(r.Context(), a, id, inv)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleMailStatus says whether changes send mail.
func (s *Server) handleMailStatus(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	s.writeJSON(w, r, http.StatusOK, s.Service.MailStatus(r.Context(), a))
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
