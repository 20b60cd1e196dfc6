package http

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// meetingRoutes registers the host's meeting operations.
func (s *Server) meetingRoutes() []edge.Route {
	return []edge.Route{
		{Method: "POST", Path: "/api/v1/meetings", Handler: s.authed(s.handleCreateMeeting)},
		{Method: "GET", Path: "/api/v1/meetings", Handler: s.authed(s.handleListMeetings)},
		{Method: "GET", Path: "/api/v1/meetings/{id}", Handler: s.authed(s.handleShowMeeting)},
		{Method: "PATCH", Path: "/api/v1/meetings/{id}", Handler: s.authed(s.handleUpdateMeeting)},
		{Method: "DELETE", Path: "/api/v1/meetings/{id}", Handler: s.authed(s.handleDeleteMeeting)},
		{Method: "POST", Path: "/api/v1/meetings/{id}/end", Handler: s.authed(s.handleEndMeeting)},
		{Method: "POST", Path: "/api/v1/meetings/{id}/regenerate", Handler: s.authed(s.handleRegenerate)},
	}
}

// MeetingList is the answer of GET /api/v1/meetings.
type MeetingList struct {
	Meetings []*admit.MeetingView `json:"meetings"`
}

// EndInput is the optional body of POST /api/v1/meetings/{id}/end.
type EndInput struct {
	// Occurrence is the occurrence to end; 0 (the default) ends the open one.
	Occurrence int `json:"occurrence,omitempty"`
}

// RegenerateInput is the body of POST /api/v1/meetings/{id}/regenerate.
type RegenerateInput struct {
	// What is "access_code", "passcode" or "invitee".
	What string `json:"what"`
	// Occurrence picks the occurrence of a new access code (0: the open or
	// next one).
	Occurrence int `json:"occurrence,omitempty"`
	// Invitee is the ID of the invitee whose credentials are redrawn.
	Invitee string `json:"invitee,omitempty"`
}

func (s *Server) handleCreateMeeting(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in admit.MeetingInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, timeField(err, "start"))
		return
	}
	m, err := s.Service.CreateMeeting(r.Context(), a, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/meetings/"+m.ID)
	s.writeJSON(w, r, http.StatusCreated, m)
}

func (s *Server) handleListMeetings(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	from, err := queryTime(r, "from")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	to, err := queryTime(r, "to")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ms, err := s.Service.ListMeetings(r.Context(), a, from, to)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if ms == nil {
		ms = []*admit.MeetingView{}
	}
	s.writeJSON(w, r, http.StatusOK, MeetingList{Meetings: ms})
}

func (s *Server) handleShowMeeting(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	m, err := s.Service.ShowMeeting(r.Context(), a, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}

func (s *Server) handleUpdateMeeting(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in admit.MeetingInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, timeField(err, "start"))
		return
	}
	m, err := s.Service.UpdateMeeting(r.Context(), a, id, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}

func (s *Server) handleDeleteMeeting(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Service.DeleteMeeting(r.Context(), a, id); err != nil {
		s.Error(w, r, err)
		return
	}
	writeNoContent(w)
}

func (s *Server) handleEndMeeting(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in EndInput
	if err := decodeOptionalBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	if in.Occurrence < 0 {
		s.Error(w, r, admit.FieldErrorf("occurrence", "occurrence must be 0 (the open one) or more"))
		return
	}
	m, err := s.Service.EndMeeting(r.Context(), a, id, in.Occurrence)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}

func (s *Server) handleRegenerate(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in RegenerateInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	if in.Occurrence < 0 {
		s.Error(w, r, admit.FieldErrorf("occurrence", "occurrence must be 0 (the open or next one) or more"))
		return
	}
	m, err := s.Service.Regenerate(r.Context(), a, id, in.What, in.Occurrence, in.Invitee)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}
