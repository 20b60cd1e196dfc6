package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// tokenRoutes registers a user's management of their own API tokens.
// Authorization: every route acts on the caller's own tokens only (another
// user's token is answered as one that does not exist).
func (s *Server) tokenRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/api/v1/tokens", Handler: s.authed(s.handleListTokens)},
		{Method: "POST", Path: "/api/v1/tokens", Handler: s.authed(s.handleCreateToken)},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Handler: s.authed(s.handleRevokeToken)},
	}
}

// TokenList is the answer of GET /api/v1/tokens: the caller's tokens,
// without the tokens themselves (only their keyed hashes are stored).
type TokenList struct {
	Tokens []*admit.APIToken `json:"tokens"`
}

// NewToken is the answer of POST /api/v1/tokens: the token, shown this
// once, and its record.
type NewToken struct {
	Token     string     `json:"token"`
	ID        string     `json:"id"`
	Scopes    []string   `json:"scopes"`
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	ts, err := s.Service.APITokens(r.Context(), a)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, TokenList{Tokens: ts})
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	var in admit.APITokenInput
	if err := decodeBody(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	tok, t, err := s.Service.IssueAPIToken(r.Context(), a, &in)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id := strconv.FormatInt(t.ID, 10)
	w.Header().Set("Location", "/api/v1/tokens/"+id)
	s.writeJSON(w, r, http.StatusCreated, NewToken{Token: tok, ID: id, Scopes: t.Scopes, Name: t.Name, ExpiresAt: t.ExpiresAt, CreatedAt: t.CreatedAt})
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathInt(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Service.RevokeAPIToken(r.Context(), a, id); err != nil {
		s.Error(w, r, err)
		return
	}
	writeNoContent(w)
}
