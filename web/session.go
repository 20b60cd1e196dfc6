package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// sessionCookie names the host's session cookie.
const sessionCookie = "admit_session"

// maxFormBytes bounds a host form's body (the contacts CSV import included).
const maxFormBytes = 1 << 20

// hostReq is a signed-in host's request.
type hostReq struct {
	ws    *admit.WebSession
	actor *admit.Actor
}

// hostHandler serves a page for a signed-in host.
type hostHandler func(w http.ResponseWriter, r *http.Request, h *hostReq)

// ownerExists reports whether the store has a user yet.
func (a *App) ownerExists(r *http.Request) (bool, error) {
	if a.owned.Load() {
		return true, nil
	}
	ok, err := a.Service.HasUsers(r.Context())
	if ok {
		a.owned.Store(true)
	}
	return ok, err
}

// host wraps a host page: without an owner it sends to /welcome; without a
// session to /signin; a state-changing request must carry the session's
// CSRF token (form field csrf, or header X-CSRF-Token from the script).
func (a *App) host(next hostHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ok, err := a.ownerExists(r)
		if err != nil {
			a.errorPage(w, r, err)
			return
		}
		if !ok {
			http.Redirect(w, r, "/welcome", http.StatusSeeOther)
			return
		}
		ws, err := a.session(r)
		if admit.ErrorCode(err) == admit.EUNAUTHORIZED {
			clearCookie(w, a.Secure)
			target := "/signin"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		} else if err != nil {
			a.errorPage(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			var perr error
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				perr = r.ParseMultipartForm(maxFormBytes)
			} else {
				perr = r.ParseForm()
			}
			if perr != nil {
				a.errorPage(w, r, &admit.Error{Code: admit.EINVALID, Message: "The form could not be read (too large or malformed)."})
				return
			}
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				token = r.PostForm.Get("csrf")
			}
			if !ws.CheckCSRF(token) {
				a.errorPage(w, r, &admit.Error{Code: admit.EFORBIDDEN, Message: "This form has expired or did not come from this site. Go back, reload the page and try again."})
				return
			}
		}
		next(w, r, &hostReq{ws: ws, actor: ws.Actor(a.clientIP(r))})
	}
}

// session returns the request's signed-in session.
func (a *App) session(r *http.Request) (*admit.WebSession, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, &admit.Error{Code: admit.EUNAUTHORIZED, Message: "Please sign in."}
	}
	return a.Service.SessionByCookie(r.Context(), c.Value)
}

// setSessionCookie gives the browser its session: HttpOnly, SameSite=Lax,
// Secure over TLS, for the whole site, expiring with the session.
func setSessionCookie(w http.ResponseWriter, ws *admit.WebSession, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: ws.Cookie, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, Expires: ws.Session.ExpiresAt, MaxAge: int(time.Until(ws.Session.ExpiresAt) / time.Second),
	})
}

func clearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// hostPage returns the page frame for a host.
func (h *hostReq) page(title string, data any) *page {
	return &page{Title: title, User: h.ws.User, CSRF: h.ws.CSRFToken(), Data: data}
}

// form is a submitted form for re-rendering with its error.
type form struct {
	Values url.Values
	Error  string // the message, shown in role=alert
	Field  string // the form field it belongs to
}

// V returns a field's submitted value.
func (f *form) V(name string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether the multi-valued field holds value.
func (f *form) Has(name, value string) bool {
	if f == nil || f.Values == nil {
		return false
	}
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Invalid reports whether the error belongs to the field.
func (f *form) Invalid(name string) bool { return f != nil && f.Error != "" && f.Field == name }

// formError returns a form holding err, its field mapped through fields
// (a service field name, or its prefix before "[" or ".", to the form's).
func formError(values url.Values, err error, fields map[string]string) *form {
	f := &form{Values: values, Error: admit.ErrorMessage(err)}
	name := admit.ErrorField(err)
	for name != "" {
		if ff, ok := fields[name]; ok {
			f.Field = ff
			break
		}
		i := strings.LastIndexAny(name, ".[")
		if i < 0 {
			break
		}
		name = name[:i]
	}
	if f.Field == "" {
		if _, ok := values[name]; ok {
			f.Field = name
		}
	}
	return f
}

// isUserError reports whether err is one to show on the form rather than
// on an error page.
func isUserError(err error) bool {
	switch admit.ErrorCode(err) {
	case admit.EINVALID, admit.EFORBIDDEN, admit.ECONFLICT, admit.EUNAUTHORIZED, admit.ERATELIMITED, admit.ENOTFOUND, admit.ETOOLARGE:
		return true
	}
	return false
}
