package http

import (
	"io"

	"github.com/admit-project/admit/edge"
)

// Routes lists the operations s registers, as "METHOD /path/{param}".
func Routes(s *Server) []string {
	var out []string
	for _, rt := range s.routes() {
		out = append(out, rt.Method+" "+rt.Path)
	}
	return out
}

// DecodeJoinRequest exposes the join request decoder to the fuzz test.
func DecodeJoinRequest(body io.Reader) (any, error) { return decodeJoinRequest(body) }

// CSVCell exposes the CSV formula guard.
var CSVCell = edge.CSVCell
