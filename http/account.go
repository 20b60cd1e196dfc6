package http

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// accountRoutes registers the account's security defaults and locks.
func (s *Server) accountRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/account/security", Handler: s.authed(s.handleAccountSecurity)},
		{Method: "PUT", Path: "/api/v1/account/security", Handler: s.authed(s.handleUpdateAccountSecurity)},
	}
}

func (s *Server) handleAccountSecurity(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	sec, err := s.Service.AccountSecurity(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, sec)
}

// handleUpdateAccountSecurity sets the settings given and leaves the others
// (PUT of the settings resource; fields left out keep their value).
func (s *Server) handleUpdateAccountSecurity(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in admit.AccountSecurityInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	sec, err := s.Service.UpdateAccountSecurity(r.Context(), a, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, sec)
}
