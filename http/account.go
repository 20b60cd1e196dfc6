package http

import (
	"net/http"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// accountRoutes registers the account's security defaults and locks, and
// its plan.
func (s *Server) accountRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/account/security", Handler: s.authed(s.handleAccountSecurity)},
		{Method: "PUT", Path: "/api/v1/account/security", Handler: s.authed(s.handleUpdateAccountSecurity)},
		{Method: "GET", Path: "/api/v1/account/plan", Handler: s.authed(s.handlePlan)},
		{Method: "PUT", Path: "/api/v1/account/plan", Handler: s.authed(s.handleSetPlan)},
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

// planBody is the account's plan as the API reads and writes it.
type planBody struct {
	Plan admit.Plan `json:"plan"`
}

// handlePlan answers the account's plan: any user of the account (read
// scope), since the plan says what they may choose.
func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	p, err := s.Service.Plan(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, planBody{Plan: p})
}

// handleSetPlan sets the account's plan: owners only (the service decides,
// in SetPlan).
func (s *Server) handleSetPlan(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in planBody
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	p, err := s.Service.SetPlan(r.Context(), a, in.Plan)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, planBody{Plan: p})
}
