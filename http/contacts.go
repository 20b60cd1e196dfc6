package http

import (
	"net/http"
	"strconv"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// contactRoutes registers the account's address book.
func (s *Server) contactRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/contacts", Handler: s.authed(s.handleListContacts)},
		{Method: "POST", Path: "/api/v1/contacts", Handler: s.authed(s.handleCreateContact)},
		{Method: "PATCH", Path: "/api/v1/contacts/{id}", Handler: s.authed(s.handleUpdateContact)},
		{Method: "DELETE", Path: "/api/v1/contacts/{id}", Handler: s.authed(s.handleDeleteContact)},
	}
}

// ContactList is the answer of GET /api/v1/contacts.
type ContactList struct {
	Contacts []*admit.Contact `json:"contacts"`
}

func (s *Server) handleListContacts(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	cs, err := s.Service.Contacts(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if cs == nil {
		cs = []*admit.Contact{}
	}
	s.writeJSON(w, r, http.StatusOK, ContactList{Contacts: cs})
}

func (s *Server) handleCreateContact(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in admit.ContactInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Service.CreateContact(r.Context(), a, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/contacts/"+strconv.FormatInt(c.ID, 10))
	s.writeJSON(w, r, http.StatusCreated, c)
}

func (s *Server) handleUpdateContact(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathInt(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in admit.ContactInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.Service.UpdateContact(r.Context(), a, id, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, c)
}

func (s *Server) handleDeleteContact(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathInt(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Service.DeleteContact(r.Context(), a, id); err != nil {
		s.Error(w, r, err)
		return
	}
	writeNoContent(w)
}
