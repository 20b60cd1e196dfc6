package http

import (
	"net/http"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// ssoRoutes registers the account's identity provider (owners and admins;
// the service decides).
func (s *Server) ssoRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/account/identity-provider", Handler: s.authed(s.handleIdentityProvider)},
		{Method: "PUT", Path: "/api/v1/account/identity-provider", Handler: s.authed(s.handleSetIdentityProvider)},
		{Method: "DELETE", Path: "/api/v1/account/identity-provider", Handler: s.authed(s.handleDeleteIdentityProvider)},
	}
}

// identityProviderView is the provider as the API shows it: never the
// client secret, only whether one is set.
type identityProviderView struct {
	Name            string              `json:"name"`
	Issuer          string              `json:"issuer"`
	ClientID        string              `json:"client_id"`
	HasClientSecret bool                `json:"has_client_secret"`
	AllowedDomains  []string            `json:"allowed_domains"`
	RoleClaim       string              `json:"role_claim"`
	RoleMappings    []admit.RoleMapping `json:"role_mappings"`
	DefaultRole     admit.Role          `json:"default_role"`
	SSOOnly         bool                `json:"sso_only"`
	UpdatedAt       time.Time           `json:"updated_at"`
}

func viewProvider(p *admit.IdentityProvider, hasSecret bool) *identityProviderView {
	v := &identityProviderView{Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, HasClientSecret: hasSecret,
		AllowedDomains: p.AllowedDomains, RoleClaim: p.RoleClaim, RoleMappings: p.RoleMappings, DefaultRole: p.DefaultRole,
		SSOOnly: p.SSOOnly, UpdatedAt: p.UpdatedAt}
	if v.AllowedDomains == nil {
		v.AllowedDomains = []string{}
	}
	if v.RoleMappings == nil {
		v.RoleMappings = []admit.RoleMapping{}
	}
	return v
}

// identityProviderInput is a PUT's body; a client_secret left out keeps
// the stored one.
type identityProviderInput struct {
	Name           string              `json:"name"`
	Issuer         string              `json:"issuer"`
	ClientID       string              `json:"client_id"`
	ClientSecret   *string             `json:"client_secret,omitempty"`
	AllowedDomains []string            `json:"allowed_domains"`
	RoleClaim      string              `json:"role_claim"`
	RoleMappings   []admit.RoleMapping `json:"role_mappings"`
	DefaultRole    admit.Role          `json:"default_role"`
	SSOOnly        bool                `json:"sso_only"`
}

// sso returns the service's single sign-on side.
func (s *Server) sso() (admit.SSOService, error) {
	if s.Service == nil {
		return nil, admit.Errorf(admit.EINTERNAL, "no service")
	}
	return s.Service, nil
}

func (s *Server) handleIdentityProvider(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	sso, err := s.sso()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p, has, err := sso.ProviderSettings(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, viewProvider(p, has))
}

func (s *Server) handleSetIdentityProvider(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	sso, err := s.sso()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in identityProviderInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	p := &admit.IdentityProvider{Name: in.Name, Issuer: in.Issuer, ClientID: in.ClientID, AllowedDomains: in.AllowedDomains,
		RoleClaim: in.RoleClaim, RoleMappings: in.RoleMappings, DefaultRole: in.DefaultRole, SSOOnly: in.SSOOnly}
	keep := in.ClientSecret == nil
	if !keep {
		p.ClientSecret = *in.ClientSecret
	}
	if _, err := sso.SetIdentityProvider(r.Context(), a, p, keep); err != nil {
		s.Error(w, r, err)
		return
	}
	out, has, err := sso.ProviderSettings(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, viewProvider(out, has))
}

func (s *Server) handleDeleteIdentityProvider(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	sso, err := s.sso()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := sso.DeleteIdentityProvider(r.Context(), a); err != nil {
		s.Error(w, r, err)
		return
	}
	writeNoContent(w)
}
