package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// SSOCallbackPath is where the identity provider sends the browser back:
// register BaseURL + SSOCallbackPath at the provider as the redirect URI.
const SSOCallbackPath = "/signin/sso/callback"

// Flow keys: a host's sign-in ("host:<account>", or
// "host:<account>:<zone>" with the browser's time zone, proposed as the
// user's once signed in) and a participant's sign-in for a join
// ("join:<account>"). The key travels in the flow's sealed cookie.
const (
	hostFlowPrefix = "host:"
	joinFlowPrefix = "join:"
)

// ssoRoutes registers single sign-on: the sign-in with the account's
// provider and its settings page (owners and admins). None without
// SignIns.
func (a *App) ssoRoutes() []edge.Route {
	if a.SignIns == nil {
		return nil
	}
	return []edge.Route{
		{Method: "GET", Path: "/signin/sso", Handler: a.handleSSOStart},
		{Method: "GET", Path: SSOCallbackPath, Handler: a.handleSSOCallback},
		{Method: "GET", Path: "/settings/sso", Handler: a.host(a.handleSSOSettings)},
		{Method: "POST", Path: "/settings/sso", Handler: a.host(a.handleSSOSave)},
		{Method: "POST", Path: "/settings/sso/test", Handler: a.host(a.handleSSOTest)},
		{Method: "POST", Path: "/settings/sso/delete", Handler: a.host(a.handleSSODelete)},
	}
}

// signInProvider returns the name of the provider the sign-in page offers,
// "" when there is none.
func (a *App) signInProvider(ctx context.Context) string {
	if a.SignIns == nil {
		return ""
	}
	p, err := a.Service.DefaultIdentityProvider(ctx)
	if err != nil {
		return ""
	}
	return p.Name
}

// ssoRefused shows the sign-in page with the one refusal of every failed
// sign-in with the provider.
func (a *App) ssoRefused(w http.ResponseWriter, r *http.Request, status int, msg string) {
	f := &form{Error: msg}
	a.render(w, r, status, "host_signin", &page{Title: "Sign in", Data: &signInData{Next: "/", Form: f, Provider: a.signInProvider(r.Context())}})
}

// zoneName reports whether tz looks like an IANA zone name ("Europe/Berlin",
// "Etc/GMT+5"): short, of the characters such names use. The service checks
// that the server knows it.
func zoneName(tz string) bool {
	if tz == "" || len(tz) > 64 {
		return false
	}
	for _, c := range tz {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_-+", c)) {
			return false
		}
	}
	return true
}

// handleSSOStart sends the browser to the default account's provider, with
// the browser's time zone (the timezone parameter zone.js adds to the sign-in
// page's link) kept in the flow.
func (a *App) handleSSOStart(w http.ResponseWriter, r *http.Request) {
	p, err := a.Service.DefaultIdentityProvider(r.Context())
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	rp, err := a.SignIns.For(r.Context(), p)
	if err != nil {
		a.Service.RecordRefusedSignIn(r.Context(), p.AccountID, err, a.clientIP(r))
		a.logger().Warn("web: identity provider unreachable", "issuer", p.Issuer, "err", err)
		a.ssoRefused(w, r, http.StatusBadGateway, "The identity provider cannot be reached right now. Please try again later.")
		return
	}
	key := hostFlowPrefix + strconv.FormatInt(p.AccountID, 10)
	if tz := strings.TrimSpace(r.URL.Query().Get("timezone")); zoneName(tz) {
		key += ":" + tz
	}
	u, err := rp.Begin(w, key, safeNext(r.URL.Query().Get("next")))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// handleSSOCallback finishes the sign-in: the flow this browser started,
// the provider's verified answer, then the provisioning and the session.
// Every refusal is audited with its reason and shown alike.
func (a *App) handleSSOCallback(w http.ResponseWriter, r *http.Request) {
	ctx, ip := r.Context(), a.clientIP(r)
	refuse := func(accountID int64, err error) {
		if admit.SignInReasonOf(err) == "" && !errors.As(err, new(*admit.SignInError)) {
			a.logger().Error("web: sign-in with the provider", "err", err)
		}
		if accountID == 0 {
			if p, perr := a.Service.DefaultIdentityProvider(ctx); perr == nil {
				accountID = p.AccountID
			}
		}
		a.Service.RecordRefusedSignIn(ctx, accountID, err, ip)
		a.ssoRefused(w, r, http.StatusUnauthorized, admit.ErrSignInRefused.Message)
	}
	f, err := a.SignIns.Keeper.Consume(w, r)
	if err != nil {
		refuse(0, err)
		return
	}
	kind, rest, _ := strings.Cut(f.Key, ":")
	acct, zone, _ := strings.Cut(rest, ":")
	accountID, perr := strconv.ParseInt(acct, 10, 64)
	if (kind+":" != hostFlowPrefix && kind+":" != joinFlowPrefix) || perr != nil {
		refuse(0, &admit.SignInError{Reason: admit.SignInBadState, Err: fmt.Errorf("flow key %q", f.Key)})
		return
	}
	p, err := a.Service.IdentityProvider(ctx, accountID)
	if err != nil {
		refuse(accountID, &admit.SignInError{Reason: admit.SignInNotConfigured, Err: err})
		return
	}
	rp, err := a.SignIns.For(ctx, p)
	if err != nil {
		refuse(accountID, err)
		return
	}
	res, err := rp.Exchange(ctx, f, r.URL.Query())
	if err != nil {
		refuse(accountID, err)
		return
	}
	if kind+":" == joinFlowPrefix {
		// A participant: no user, no session; the verified identity goes
		// with their joins (the service checks it against the meeting).
		if err := a.SignIns.Keeper.SetIdentity(w, &res.Identity); err != nil {
			a.errorPage(w, r, err)
			return
		}
		http.Redirect(w, r, safeNext(res.ReturnTo), http.StatusSeeOther)
		return
	}
	ws, err := a.Service.SignInWithIdentity(ctx, accountID, &res.Identity, res.IDToken, ip)
	if err != nil {
		if admit.SignInReasonOf(err) != "" {
			a.ssoRefused(w, r, http.StatusUnauthorized, admit.ErrSignInRefused.Message) // audited by the service
			return
		}
		a.errorPage(w, r, err)
		return
	}
	a.owned.Store(true)
	a.proposeTimezone(r, ws, zone)
	setSessionCookie(w, ws, a.Secure)
	http.Redirect(w, r, safeNext(res.ReturnTo), http.StatusSeeOther)
}

// participantIdentity returns the participant's sign-in with a provider,
// nil when none.
func (a *App) participantIdentity(r *http.Request) *admit.VerifiedIdentity {
	if a.SignIns == nil {
		return nil
	}
	return a.SignIns.Keeper.Identity(r)
}

// startParticipantSignIn sends a participant whose join needs a sign-in
// (err is the join's ESIGNIN, naming the account) to the account's
// provider, to come back to back.
func (a *App) startParticipantSignIn(w http.ResponseWriter, r *http.Request, err error, back string) {
	var e *admit.Error
	var accountID int64
	if errors.As(err, &e) {
		switch v := e.Detail["account_id"].(type) {
		case int64:
			accountID = v
		case float64:
			accountID = int64(v)
		}
	}
	p, perr := a.Service.IdentityProvider(r.Context(), accountID)
	if perr != nil {
		a.errorPage(w, r, perr)
		return
	}
	rp, perr := a.SignIns.For(r.Context(), p)
	if perr != nil {
		a.Service.RecordRefusedSignIn(r.Context(), p.AccountID, perr, a.clientIP(r))
		a.errorPage(w, r, &admit.Error{Code: admit.EUNAUTHORIZED, Message: "The organisation's identity provider cannot be reached right now. Please try again later."})
		return
	}
	u, perr := rp.Begin(w, joinFlowPrefix+strconv.FormatInt(p.AccountID, 10), back)
	if perr != nil {
		a.errorPage(w, r, perr)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// providerLogoutURL returns where to send a browser whose session signed in
// with the provider, so that the provider's session ends too ("" when the
// session did not, or the provider offers no logout).
func (a *App) providerLogoutURL(ctx context.Context, ws *admit.WebSession) string {
	if a.SignIns == nil {
		return ""
	}
	tok, err := a.Service.SessionIDToken(ctx, ws)
	if err != nil || tok == "" {
		return ""
	}
	p, err := a.Service.IdentityProvider(ctx, ws.User.AccountID)
	if err != nil {
		return ""
	}
	rp, err := a.SignIns.For(ctx, p)
	if err != nil {
		return ""
	}
	u, ok := rp.LogoutURL(tok, a.SignIns.PostLogoutURL)
	if !ok {
		return ""
	}
	return u
}

// ssoData is the settings page's data.
type ssoData struct {
	P           *admit.IdentityProvider
	HasSecret   bool
	Connected   bool
	RedirectURI string
	Mappings    string // "value = role" lines
	Domains     string // one a line
	Form        *form
	Notice      string
}

var ssoFields = map[string]string{"name": "name", "issuer": "issuer", "client_id": "client_id", "client_secret": "client_secret",
	"allowed_domains": "allowed_domains", "role_claim": "role_claim", "default_role": "default_role"}

func (a *App) ssoPage(w http.ResponseWriter, r *http.Request, h *hostReq, status int, f *form, notice string) {
	p, has, err := a.Service.ProviderSettings(r.Context(), h.actor)
	connected := err == nil
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		p, err = &admit.IdentityProvider{}, nil
	}
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	d := &ssoData{P: p, HasSecret: has, Connected: connected, RedirectURI: a.SignIns.RedirectURL, Form: f, Notice: notice,
		Domains: strings.Join(p.AllowedDomains, "\n"), Mappings: formatMappings(p.RoleMappings)}
	if f == nil {
		d.Form = &form{}
	}
	a.render(w, r, status, "host_sso", h.page("Single sign-on", d))
}

func formatMappings(ms []admit.RoleMapping) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s = %s\n", m.Value, m.Role)
	}
	return b.String()
}

// parseMappings reads "value = role" lines.
func parseMappings(s string) ([]admit.RoleMapping, error) {
	var out []admit.RoleMapping
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, role, ok := strings.Cut(line, "=")
		if !ok {
			return nil, admit.FieldErrorf("role_mappings", "role_mappings line %d must read “value = role”", i+1)
		}
		out = append(out, admit.RoleMapping{Value: strings.TrimSpace(v), Role: admit.Role(strings.TrimSpace(role))})
	}
	return out, nil
}

func splitDomains(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' || r == '\t' })
}

func (a *App) handleSSOSettings(w http.ResponseWriter, r *http.Request, h *hostReq) {
	a.ssoPage(w, r, h, http.StatusOK, nil, "")
}

func (a *App) handleSSOSave(w http.ResponseWriter, r *http.Request, h *hostReq) {
	v := r.PostForm
	fail := func(err error) {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		vals := v
		vals.Del("client_secret")
		a.ssoPage(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), formError(vals, err, ssoFields), "")
	}
	mappings, err := parseMappings(v.Get("role_mappings"))
	if err != nil {
		fail(err)
		return
	}
	p := &admit.IdentityProvider{Name: v.Get("name"), Issuer: v.Get("issuer"), ClientID: v.Get("client_id"), ClientSecret: v.Get("client_secret"),
		AllowedDomains: splitDomains(v.Get("allowed_domains")), RoleClaim: v.Get("role_claim"), RoleMappings: mappings,
		DefaultRole: admit.Role(v.Get("default_role")), SSOOnly: v.Get("sso_only") == "on"}
	if _, err := a.Service.SetIdentityProvider(r.Context(), h.actor, p, true); err != nil {
		fail(err)
		return
	}
	a.ssoPage(w, r, h, http.StatusOK, nil, "Saved.")
}

// handleSSOTest discovers the saved provider afresh and fetches its keys.
func (a *App) handleSSOTest(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if _, _, err := a.Service.ProviderSettings(r.Context(), h.actor); err != nil {
		a.errorPage(w, r, err)
		return
	}
	p, err := a.Service.IdentityProvider(r.Context(), h.actor.User.AccountID)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	if err := a.SignIns.TestConnection(r.Context(), p); err != nil {
		// The page is the owner's or an admin's: the cause helps them.
		var se *admit.SignInError
		msg := "The connection failed."
		if errors.As(err, &se) && se.Err != nil {
			msg = "The connection failed: " + se.Err.Error()
		}
		a.ssoPage(w, r, h, http.StatusOK, &form{Error: msg}, "")
		return
	}
	a.ssoPage(w, r, h, http.StatusOK, nil, "Connection works: the provider's discovery document and signing keys were read.")
}

func (a *App) handleSSODelete(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if err := a.Service.DeleteIdentityProvider(r.Context(), h.actor); err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.SignIns.Forget(h.actor.User.AccountID)
	a.ssoPage(w, r, h, http.StatusOK, nil, "Disconnected.")
}
