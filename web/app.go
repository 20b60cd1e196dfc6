package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
	"github.com/admit-project/admit/oidc"
	"github.com/admit-project/admit/streams"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// App is the web app. Set its fields, then call Handler.
type App struct {
	// Service is what the app serves.
	Service admit.Service
	// Logger receives internal errors (never secrets); slog.Default when nil.
	Logger *slog.Logger
	// Secure marks cookies Secure: set it when the app is reached over TLS
	// (a base URL starting with https://).
	Secure bool
	// ClientIP returns the address a request comes from (the API's rule for
	// trusted proxies); the peer address when nil.
	ClientIP func(r *http.Request) string
	// AuditKey checks the audit chain on the audit page (the keyring's
	// audit key); without it the page says the chain was not checked.
	AuditKey []byte
	// SignIns turns on single sign-on: the relying parties of the
	// accounts' identity providers (nil: no sign-in with a provider).
	SignIns *oidc.Registry
	// DialIn are the deployment's dial-in numbers, shown with the phone
	// instructions of invitations (none: "dial in" without a number) and
	// on the join page (those of no account: it tells nothing of the
	// meeting). The service's answers (meeting views, joins, the invitee's
	// page) take them from app.Service.DialIn, given the same list.
	DialIn []admit.DialInNumber

	// participantStreams and sessionStreams bound the event streams one
	// participant ID and one host session hold open.
	streamsInit        sync.Once
	participantStreams *streams.Bound
	sessionStreams     *streams.Bound

	tmpl  map[string]*template.Template
	owned atomic.Bool // the store has a user: host pages are open
	// streams end the live roster's event streams when the server shuts
	// down (Close).
	streamsOnce sync.Once
	streams     chan struct{}
	closeOnce   sync.Once
}

// routes returns every route of the app, gathered from the file of each
// page.
func (a *App) routes() []edge.Route {
	var rs []edge.Route
	rs = append(rs, edge.Route{Method: "GET", Path: "/static/", Handler: a.handleStatic})
	rs = append(rs, a.hostRoutes()...)
	rs = append(rs, a.ssoRoutes()...)
	rs = append(rs, a.participantRoutes()...)
	rs = append(rs, a.invitationRoutes()...)
	return rs
}

// Bounds on open event streams.
const (
	MaxStreamsPerParticipant = 4
	MaxStreamsPerSession     = 8
)

// streamBounds returns the app's bounds on open event streams.
func (a *App) streamBounds() (participant, session *streams.Bound) {
	a.streamsInit.Do(func() {
		a.participantStreams = streams.New(MaxStreamsPerParticipant)
		a.sessionStreams = streams.New(MaxStreamsPerSession)
	})
	return a.participantStreams, a.sessionStreams
}

// Routes lists the pages and forms the app registers, as "METHOD /path"
// with the path's {parameters}: the route × role tests walk it, so that a
// page added later without an authorization decision fails them.
func (a *App) Routes() []string {
	var out []string
	for _, rt := range a.routes() {
		out = append(out, rt.Method+" "+rt.Path)
	}
	return out
}

// Handler returns the app's handler. It panics if a template does not
// parse: they are embedded, so that is a build fault.
func (a *App) Handler() http.Handler {
	a.tmpl = parseTemplates()
	mux := edge.Mux(a.routes())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.errorPage(w, r, &admit.Error{Code: admit.ENOTFOUND, Message: "There is no such page."})
	})
	// Every state-changing request from another site is refused (Sec-Fetch-Site
	// and Origin), on top of the host forms' per-session CSRF tokens.
	return edge.Headers{Next: http.NewCrossOriginProtection().Handler(mux), Values: pageHeaders}
}

// parseTemplates parses each page template with the shared layout.
func parseTemplates() map[string]*template.Template {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := p[len("templates/") : len(p)-len(".html")]
		if name == "layout" {
			continue
		}
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p))
		out[name] = t
	}
	return out
}

// funcs are the helpers templates may call.
var funcs = template.FuncMap{}

// page is what every page template receives.
type page struct {
	Title string
	User  *admit.User // the signed-in host, nil for participants
	CSRF  string      // the session's CSRF token, for forms
	Flash string      // a one-line notice at the top of the page
	Data  any         // the page's own data
	Path  string      // the request's path, for the navigation's current section
}

// render writes the named page with status.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := a.tmpl[name]
	if t == nil {
		a.logger().Error("web: no such template", "name", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	if p.Path == "" {
		p.Path = r.URL.Path
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		a.logger().Error("web: render", "name", name, "route", r.Pattern, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows err as a page with the status of its code. Internal
// errors are logged and shown as "Internal error.".
func (a *App) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := edge.ErrorCodeOf(err), admit.ErrorMessage(err)
	status := edge.ErrorStatus(code)
	switch status {
	case http.StatusInternalServerError:
		a.logger().ErrorContext(r.Context(), "web: internal error", "method", r.Method, "route", r.Pattern, "err", err)
		msg = "Internal error."
	case http.StatusServiceUnavailable:
		a.logger().WarnContext(r.Context(), "web: unavailable", "method", r.Method, "route", r.Pattern, "err", err)
		edge.SetUnavailable(w.Header())
		msg = admit.UnavailableMessage
	}
	a.render(w, r, status, "error", &page{Title: http.StatusText(status), Data: msg})
}

// handleStatic serves the embedded assets, cacheable for a day.
func (a *App) handleStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.FileServerFS(staticFS).ServeHTTP(w, r)
}

// pageHeaders are the headers every page carries: no sniffing, no
// framing, a strict content security policy (no inline script), no caching
// of pages (they hold secrets and per-session tokens).
var pageHeaders = http.Header{
	"X-Content-Type-Options":  {"nosniff"},
	"X-Frame-Options":         {"DENY"},
	"Referrer-Policy":         {"same-origin"},
	"Content-Security-Policy": {"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"},
	"Cache-Control":           {"no-store"},
}

func (a *App) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.Default()
	}
	return a.Logger
}

// clientIP returns where r comes from.
func (a *App) clientIP(r *http.Request) string {
	if a.ClientIP != nil {
		return a.ClientIP(r)
	}
	return r.RemoteAddr
}
