package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// handleWelcome tells a visitor of a store without users to use the set-up
// link that `admit serve` printed.
func (a *App) handleWelcome(w http.ResponseWriter, r *http.Request) {
	ok, err := a.ownerExists(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	if ok {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	a.render(w, r, http.StatusOK, "host_welcome", &page{Title: "Set up admit"})
}

// setupData is the set-up form's data.
type setupData struct {
	Token string
	Form  *form
}

var setupFields = map[string]string{"name": "name", "email": "email", "password": "password", "password_confirm": "password_confirm"}

func (a *App) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	ok, err := a.ownerExists(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	if ok {
		a.render(w, r, http.StatusGone, "host_setup_done", &page{Title: "Already set up"})
		return
	}
	a.render(w, r, http.StatusOK, "host_setup", &page{Title: "Create the owner account", Data: &setupData{Token: r.PathValue("token"), Form: &form{}}})
}

// handleSetup creates the owner from the set-up form, signs them in and
// sends them to the dashboard.
func (a *App) handleSetup(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		a.errorPage(w, r, admit.FieldErrorf("form", "the form could not be read"))
		return
	}
	in := admit.SetupInput{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"),
		Password: r.PostForm.Get("password"), PasswordConfirm: r.PostForm.Get("password_confirm")}
	ws, err := a.Service.CompleteSetup(r.Context(), r.PathValue("token"), in, a.clientIP(r))
	if err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		vals := r.PostForm
		vals.Del("password")
		vals.Del("password_confirm")
		a.render(w, r, edge.ErrorStatus(admit.ErrorCode(err)), "host_setup", &page{Title: "Create the owner account",
			Data: &setupData{Token: r.PathValue("token"), Form: formError(vals, err, setupFields)}})
		return
	}
	a.owned.Store(true)
	a.proposeTimezone(r, ws, r.PostForm.Get("timezone"))
	setSessionCookie(w, ws, a.Secure)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signInData is the sign-in form's data.
type signInData struct {
	Next string
	Form *form
	// Provider names the account's identity provider, "" when none.
	Provider string
}

func (a *App) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	ok, err := a.ownerExists(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	if !ok {
		http.Redirect(w, r, "/welcome", http.StatusSeeOther)
		return
	}
	if _, err := a.session(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	a.render(w, r, http.StatusOK, "host_signin", &page{Title: "Sign in", Data: &signInData{Next: safeNext(r.URL.Query().Get("next")), Form: &form{},
		Provider: a.signInProvider(r.Context())}})
}

// safeNext keeps a post-sign-in destination on this site: a path that
// starts with one "/" and holds no control character or backslash anywhere
// (browsers drop tabs and newlines, so "/\t/evil.example" would become
// "//evil.example", another site), else "/".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

func (a *App) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		a.errorPage(w, r, admit.FieldErrorf("form", "the form could not be read"))
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	ws, err := a.Service.SignIn(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"), a.clientIP(r))
	if err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		vals := r.PostForm
		vals.Del("password")
		f := &form{Values: vals, Error: admit.ErrorMessage(err), Field: "password"}
		a.render(w, r, edge.ErrorStatus(admit.ErrorCode(err)), "host_signin", &page{Title: "Sign in", Data: &signInData{Next: next, Form: f,
			Provider: a.signInProvider(r.Context())}})
		return
	}
	a.proposeTimezone(r, ws, r.PostForm.Get("timezone"))
	setSessionCookie(w, ws, a.Secure)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *App) handleSignOut(w http.ResponseWriter, r *http.Request, h *hostReq) {
	// A session that signed in with the provider ends there too
	// (RP-initiated logout), when the provider offers it.
	logout := a.providerLogoutURL(r.Context(), h.ws)
	if err := a.Service.SignOut(r.Context(), h.ws, h.actor.Source); err != nil {
		a.errorPage(w, r, err)
		return
	}
	clearCookie(w, a.Secure)
	if logout != "" {
		http.Redirect(w, r, logout, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// inviteData is the invitation form's data.
type inviteData struct {
	Token string
	Form  *form
}

func (a *App) handleInviteForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "host_invite", &page{Title: "Set your password", Data: &inviteData{Token: r.PathValue("token"), Form: &form{}}})
}

// handleInvite sets an invited user's password and signs them in.
func (a *App) handleInvite(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		a.errorPage(w, r, admit.FieldErrorf("form", "the form could not be read"))
		return
	}
	ws, err := a.Service.AcceptInvite(r.Context(), r.PathValue("token"), r.PostForm.Get("password"), r.PostForm.Get("password_confirm"), a.clientIP(r))
	if err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.render(w, r, edge.ErrorStatus(admit.ErrorCode(err)), "host_invite", &page{Title: "Set your password",
			Data: &inviteData{Token: r.PathValue("token"), Form: formError(nil, err, setupFields)}})
		return
	}
	a.proposeTimezone(r, ws, r.PostForm.Get("timezone"))
	setSessionCookie(w, ws, a.Secure)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// proposeTimezone takes the browser's zone tz, which static/zone.js puts in
// the form's hidden timezone field (for a sign-in with the provider, carried
// through the sign-in's sealed flow), as the user's when they have none yet.
// A failure leaves the zone unset and is logged: signing in goes on.
func (a *App) proposeTimezone(r *http.Request, ws *admit.WebSession, tz string) {
	if _, err := a.Service.ProposeTimezone(r.Context(), ws, strings.TrimSpace(tz), a.clientIP(r)); err != nil {
		a.logger().Error("web: time zone from the browser", "err", err)
	}
}
