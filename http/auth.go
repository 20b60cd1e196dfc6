package http

import (
	"net/http"
	"strings"

	"github.com/admit-project/admit"
)

// hostHandler is a handler of a host route: it runs for an authenticated
// actor.
type hostHandler func(w http.ResponseWriter, r *http.Request, a *admit.Actor)

// authed wraps h so that it runs only with a valid bearer API token
// ("Authorization: Bearer adm_…"); otherwise the answer is 401.
func (s *Server) authed(h hostHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			s.Error(w, r, &admit.Error{Code: admit.EUNAUTHORIZED, Message: "A valid API token is required."})
			return
		}
		a, err := s.Service.Authenticate(r.Context(), token, s.ClientIP(r))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		h(w, r, a)
	}
}

// bearerToken returns the token of an Authorization header of the Bearer
// scheme (the scheme name is case-insensitive).
func bearerToken(h string) (string, bool) {
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	t := strings.TrimSpace(h[len(prefix):])
	return t, t != ""
}
