package http

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/edge"
)

// Body limits. Join requests carry a few short credentials, so they get a
// much smaller budget than host requests.
const (
	MaxBodyBytes     = 64 << 10
	MaxJoinBodyBytes = 8 << 10
)

// Server serves admit's JSON API. Set its fields, then call Handler.
type Server struct {
	// Service is what the API serves.
	Service admit.Service
	// Clock, when not nil, is the settable clock of `admit serve
	// --test-clock`; it enables POST /api/v1/test-clock. It should be the
	// Service's clock too.
	Clock *clock.TestClock
	// Logger receives internal errors (never secrets); slog.Default when nil.
	Logger *slog.Logger
	// TrustedProxies are the proxies whose X-Forwarded-For is believed (see
	// ClientIP); with none, the header is ignored.
	TrustedProxies []netip.Prefix
	// TrustedGateways are the gateways (a phone dial-in) whose Admit-Caller
	// header is believed as the caller's identity on a join (see
	// edge.GatewayCaller); with none, the header is ignored.
	TrustedGateways []netip.Prefix
	// Hashing, when not nil, reports the password hashing counts in the
	// answer of POST /api/v1/test-clock (tests only).
	Hashing func() any
}

// routes returns every operation of the API, gathered from the file of each
// resource.
func (s *Server) routes() []edge.Route {
	var rs []edge.Route
	rs = append(rs, s.healthRoutes()...)
	rs = append(rs, s.openAPIRoutes()...)
	rs = append(rs, s.meetingRoutes()...)
	rs = append(rs, s.joinRoutes()...)
	rs = append(rs, s.participantRoutes()...)
	rs = append(rs, s.attendanceRoutes()...)
	rs = append(rs, s.auditRoutes()...)
	rs = append(rs, s.contactRoutes()...)
	rs = append(rs, s.tokenRoutes()...)
	rs = append(rs, s.accountRoutes()...)
	rs = append(rs, s.ssoRoutes()...)
	rs = append(rs, s.budgetRoutes()...)
	rs = append(rs, s.mediaRoutes()...)
	rs = append(rs, s.invitationRoutes()...)
	if s.Clock != nil {
		rs = append(rs, s.testClockRoutes()...)
	}
	return rs
}

// Handler returns the API's handler: every route, JSON answers for unknown
// routes and methods, and the security headers on every response.
func (s *Server) Handler() http.Handler {
	mux := edge.Mux(s.routes())
	mux.HandleFunc("/", s.noRoute(mux))
	return edge.Headers{Next: mux, Values: apiHeaders}
}

// Header values, allocated once and shared by every response (net/http
// never modifies them).
var (
	nosniff         = []string{"nosniff"}
	noStore         = []string{"no-store"}
	jsonContentType = []string{"application/json"}
	csvContentType  = []string{"text/csv; charset=utf-8"}
	bearerChallenge = []string{`Bearer realm="admit"`}
)

// apiHeaders are the headers every response carries.
var apiHeaders = http.Header{"X-Content-Type-Options": nosniff, "Cache-Control": noStore}

// allMethods are the methods the API uses, tried when a path has no route
// for the request's method.
var allMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// noRoute answers requests no route matches: 405 with Allow when the path
// exists for other methods, else 404, both as JSON errors.
func (s *Server) noRoute(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range allMethods {
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, p := mux.Handler(r2); p != "" && p != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.Error(w, r, &admit.Error{Code: edge.EMETHOD, Message: "This route does not accept " + r.Method + "; it accepts " + strings.Join(allow, ", ") + "."})
			return
		}
		s.Error(w, r, &admit.Error{Code: admit.ENOTFOUND, Message: "No such route."})
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// healthRoutes registers the liveness probe.
func (s *Server) healthRoutes() []edge.Route {
	return []edge.Route{{Method: "GET", Path: "/healthz", Handler: s.handleHealth}}
}

var healthBody = []byte(`{"status":"ok"}` + "\n")

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeBytes(w, http.StatusOK, jsonContentType, healthBody)
}

// ClientIP returns the address a request comes from (see edge.ClientIP),
// believing X-Forwarded-For from TrustedProxies only.
func (s *Server) ClientIP(r *http.Request) string { return edge.ClientIP(r, s.TrustedProxies) }
