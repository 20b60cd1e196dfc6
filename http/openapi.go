package http

import (
	_ "embed"
	"net/http"

	"github.com/admit-project/admit/edge"
)

// OpenAPIDocument is the OpenAPI 3.0 description of the API, as served at
// GET /api/v1/openapi.json. A test checks it against the routes and the
// responses of the handler.
//
//go:embed openapi.json
var OpenAPIDocument []byte

// openAPIRoutes registers the API's description.
func (s *Server) openAPIRoutes() []edge.Route {
	return []edge.Route{{Method: "GET", Path: "/api/v1/openapi.json", Handler: s.handleOpenAPI}}
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeBytes(w, http.StatusOK, jsonContentType, OpenAPIDocument)
}
