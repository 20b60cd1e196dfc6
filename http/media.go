package http

import (
	"net/http"
	"strconv"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// mediaRoutes registers the account's media server (owners and admins),
// the host's start of a meeting's room, a participant's media grant (the
// participant ID is the capability) and the media server's webhooks (their
// signature is the authentication).
func (s *Server) mediaRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/account/media", Handler: s.authed(s.handleMediaSettings)},
		{Method: "PUT", Path: "/api/v1/account/media", Handler: s.authed(s.handleSetMediaSettings)},
		{Method: "DELETE", Path: "/api/v1/account/media", Handler: s.authed(s.handleDeleteMediaSettings)},
		{Method: "POST", Path: "/api/v1/meetings/{id}/media", Handler: s.authed(s.handleStartMedia)},
		{Method: "POST", Path: "/api/v1/participants/{pid}/media", Handler: s.handleParticipantMedia},
		{Method: "POST", Path: "/api/v1/media/webhook/{account}", Handler: s.handleMediaWebhook},
	}
}

func (s *Server) handleMediaSettings(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	cfg, err := s.Service.MediaSettings(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, cfg)
}

// handleSetMediaSettings replaces the account's media server; a secret left
// out keeps the stored one of the same backend.
func (s *Server) handleSetMediaSettings(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in admit.MediaConfig
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	cfg, err := s.Service.SetMediaSettings(r.Context(), a, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, cfg)
}

func (s *Server) handleDeleteMediaSettings(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	if err := s.Service.DeleteMediaSettings(r.Context(), a); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleStartMedia opens the room of an occurrence (?occurrence=n, or the
// open one) and returns the host's grant, as its admin.
func (s *Server) handleStartMedia(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
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
	g, err := s.Service.StartMedia(r.Context(), a, id, n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, g)
}

// handleParticipantMedia gives an admitted participant a fresh grant (their
// client calls it to connect again once a token has expired); it is refused
// once they are no longer admitted.
func (s *Server) handleParticipantMedia(w http.ResponseWriter, r *http.Request) {
	pid, err := participantID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	g, err := s.Service.ParticipantMedia(r.Context(), pid)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, g)
}

// handleMediaWebhook takes a webhook of the account's media server
// (LiveKit: set the webhook URL to this route with the account's ID).
func (s *Server) handleMediaWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("account"), 10, 64)
	if err != nil || id <= 0 {
		s.Error(w, r, admit.FieldErrorf("account", "account must be an account ID"))
		return
	}
	if err := s.Service.MediaWebhook(r.Context(), id, r); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
