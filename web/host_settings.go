package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// settingsPage is the settings page's data.
type settingsPage struct {
	Sec       *admit.AccountSecurity
	CanManage bool
	Room      *admit.MeetingView
	Pro       bool
	Lockable  []string
	Classes   []string
	Zones     []string
	Form      *form  // the form that failed, if any
	Which     string // which form: security, room, profile, password, media
	Mail      admit.MailStatus
	// Media is the account's media server without its secret (nil when
	// none); shown to owners and admins.
	Media *admit.MediaConfig
	// Tokens are the user's own API tokens (never the tokens themselves);
	// NewToken is the one just made, shown once.
	Tokens   []*admit.APIToken
	NewToken string
	// AccountMail is the account's mail settings without the SMTP
	// password; shown to owners and admins.
	AccountMail *admit.AccountMailView
}

// MediaIs reports whether the shown (or submitted) media backend is kind.
func (p *settingsPage) MediaIs(kind string) bool {
	if p.Form != nil && p.Form.V("media_backend") != "" {
		return p.Form.V("media_backend") == kind
	}
	return p.Media != nil && string(p.Media.Kind) == kind
}

// MediaValue returns a media form field: the submitted value after a
// refusal, else the stored one.
func (p *settingsPage) MediaValue(name string) string {
	if p.Form != nil && p.Form.Values != nil {
		return p.Form.V(name)
	}
	c := p.Media
	if c == nil {
		return ""
	}
	switch {
	case name == "lk_url" && c.LiveKit != nil:
		return c.LiveKit.URL
	case name == "lk_api_key" && c.LiveKit != nil:
		return c.LiveKit.APIKey
	case name == "jitsi_domain" && c.Jitsi != nil:
		return c.Jitsi.Domain
	case name == "jitsi_app_id" && c.Jitsi != nil:
		return c.Jitsi.AppID
	case name == "jitsi_tenant" && c.Jitsi != nil:
		return c.Jitsi.Tenant
	case name == "bbb_api_url" && c.BigBlueButton != nil:
		return c.BigBlueButton.APIURL
	case name == "bbb_checksum" && c.BigBlueButton != nil:
		return c.BigBlueButton.Checksum
	}
	return ""
}

var settingsFields = map[string]string{
	"security.access_code": "access_code", "security.passcode": "passcode", "security.waiting_room": "waiting_room", "security.authentication": "authentication", "security.phone_joins": "phone_joins",
	"security.early_join_minutes": "early_join_minutes", "security.grace_minutes": "grace_minutes",
	"security.max_uses": "max_uses", "security.access_code_length": "access_code_length",
	"security.passcode_policy.length": "policy_length", "security.passcode_policy.min_length": "policy_min_length",
	"security.passcode_policy.pin_length": "policy_pin_length", "security.passcode_policy.require_classes": "require_classes",
	"passcode_policy.length": "policy_length", "passcode_policy.pin_length": "policy_pin_length",
	"guess_budget": "guess_budget", "guess_ceiling": "guess_ceiling", "locked": "locked", "passcode": "passcode",
	"scopes": "token_scopes", "expires_in": "token_expires_in",
	"meeting_id": "meeting_id", "security.passcode_value": "room_passcode", "name": "name", "timezone": "timezone",
	"current_password": "current_password", "password": "password", "password_confirm": "password_confirm",
}

func (a *App) renderSettings(w http.ResponseWriter, r *http.Request, h *hostReq, status int, p *settingsPage) {
	ctx := r.Context()
	p.Mail = a.Service.MailStatus(ctx, h.actor)
	sec, err := a.Service.AccountSecurity(ctx, h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	plan, err := a.Service.Plan(ctx, h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	p.Sec, p.CanManage, p.Pro = sec, h.ws.User.CanManageAccount(), plan == admit.PlanPro
	p.Lockable, p.Classes, p.Zones = admit.LockableSettings, []string{admit.ClassUpper, admit.ClassLower, admit.ClassDigit, admit.ClassSpecial}, commonZones
	if room, err := a.Service.PersonalRoom(ctx, h.actor); err == nil {
		p.Room = room
	}
	if p.CanManage {
		if m, err := a.Service.MediaSettings(ctx, h.actor); err == nil {
			p.Media = m
		}
		if m, err := a.Service.AccountMail(ctx, h.actor); err == nil {
			p.AccountMail = m
		}
	}
	if ts, err := a.Service.APITokens(ctx, h.actor); err == nil {
		p.Tokens = ts
	}
	if p.Form == nil {
		p.Form = &form{}
	}
	pg := h.page("Settings", p)
	pg.Flash = map[string]string{"saved": "Saved.", "password": "Your password is changed; other sessions were signed out.",
		"revoked": "The token is revoked: it no longer works."}[r.URL.Query().Get("done")]
	a.render(w, r, status, "host_settings", pg)
}

func (a *App) handleSettings(w http.ResponseWriter, r *http.Request, h *hostReq) {
	a.renderSettings(w, r, h, http.StatusOK, &settingsPage{})
}

func (a *App) settingsError(w http.ResponseWriter, r *http.Request, h *hostReq, which string, err error) {
	if !isUserError(err) {
		a.errorPage(w, r, err)
		return
	}
	vals := r.PostForm
	for _, k := range []string{"current_password", "password", "password_confirm"} {
		vals.Del(k)
	}
	a.renderSettings(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &settingsPage{Form: formError(vals, err, settingsFields), Which: which})
}

func intField(v url.Values, name string) (*int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, admit.FieldErrorf(name, "%s must be a whole number", strings.ReplaceAll(name, "_", " "))
	}
	return &n, nil
}

// securityInputFromSettings reads the account defaults form.
func securityInputFromSettings(v url.Values) (*admit.AccountSecurityInput, error) {
	in := &admit.AccountSecurityInput{}
	ac, wr := v.Get("access_code") == "on", v.Get("waiting_room") == "on"
	in.AccessCode, in.WaitingRoom = &ac, &wr
	if m := v.Get("passcode"); m != "" {
		mode := admit.PasscodeMode(m)
		in.Passcode = &mode
	}
	var err error
	for name, dst := range map[string]**int{"early_join_minutes": &in.EarlyJoinMinutes, "grace_minutes": &in.GraceMinutes,
		"max_uses": &in.MaxUses, "access_code_length": &in.AccessCodeLength, "guess_budget": &in.GuessBudget} {
		if *dst, err = intField(v, name); err != nil {
			return nil, err
		}
	}
	pol := admit.PasscodePolicy{NumericOnly: v.Get("numeric_only") == "on", RequireClasses: append([]string{}, v["require_classes"]...)}
	for name, dst := range map[string]*int{"policy_length": &pol.Length, "policy_min_length": &pol.MinLength, "policy_pin_length": &pol.PINLength} {
		p, err := intField(v, name)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, admit.FieldErrorf(name, "%s is required", strings.ReplaceAll(name, "_", " "))
		}
		*dst = *p
	}
	in.PasscodePolicy = &pol
	if a := v.Get("authentication"); a != "" {
		m := admit.Authentication(a)
		in.Authentication = &m
	}
	if p := v.Get("phone_joins"); p != "" {
		m := admit.PhoneJoins(p)
		in.PhoneJoins = &m
	}
	if s := strings.TrimSpace(v.Get("guess_ceiling")); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, admit.FieldErrorf("guess_ceiling", "the guess ceiling is a number such as 1e-6")
		}
		in.GuessCeiling = &f
	}
	locked := append([]string{}, v["locked"]...)
	in.Locked = &locked
	return in, nil
}

// handleSettingsSecurity saves the account's security defaults and locks.
func (a *App) handleSettingsSecurity(w http.ResponseWriter, r *http.Request, h *hostReq) {
	// Authorization before the form's validation: a host learns nothing
	// from the form's errors (the service decides again on save).
	if !h.actor.User.CanManageAccount() {
		a.settingsError(w, r, h, "security", &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins change its security defaults."})
		return
	}
	in, err := securityInputFromSettings(r.PostForm)
	if err == nil {
		_, err = a.Service.UpdateAccountSecurity(r.Context(), h.actor, in)
	}
	if err != nil {
		a.settingsError(w, r, h, "security", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}

// handleSettingsRoom changes the personal room: a vanity meeting ID (pro
// plan) and the host's own passcode.
func (a *App) handleSettingsRoom(w http.ResponseWriter, r *http.Request, h *hostReq) {
	room, err := a.Service.PersonalRoom(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in := &admit.MeetingInput{}
	if id := strings.TrimSpace(r.PostForm.Get("meeting_id")); id != "" {
		in.MeetingID = &id
	}
	if p := r.PostForm.Get("room_passcode"); p != "" {
		mode := admit.PasscodeShared
		in.Security = &admit.SecurityInput{Passcode: &mode, PasscodeValue: &p}
	}
	if in.MeetingID == nil && in.Security == nil {
		a.settingsError(w, r, h, "room", admit.FieldErrorf("meeting_id", "give a new meeting ID or passcode"))
		return
	}
	if _, err := a.Service.UpdateMeeting(r.Context(), h.actor, room.ID, in); err != nil {
		a.settingsError(w, r, h, "room", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}

func (a *App) handleSettingsProfile(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if _, err := a.Service.UpdateProfile(r.Context(), h.actor, r.PostForm.Get("name"), strings.TrimSpace(r.PostForm.Get("timezone"))); err != nil {
		a.settingsError(w, r, h, "profile", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}

// handleSettingsPassword changes the password; the other sessions end, and
// this one too: the host signs in again.
func (a *App) handleSettingsPassword(w http.ResponseWriter, r *http.Request, h *hostReq) {
	err := a.Service.ChangePassword(r.Context(), h.ws, r.PostForm.Get("current_password"), r.PostForm.Get("password"), r.PostForm.Get("password_confirm"), h.actor.Source)
	if err != nil {
		a.settingsError(w, r, h, "password", err)
		return
	}
	clearCookie(w, a.Secure)
	http.Redirect(w, r, "/signin?next=%2Fsettings%3Fdone%3Dpassword", http.StatusSeeOther)
}

// tokenLifetimes are the expiries the token form offers.
var tokenLifetimes = map[string]bool{"24h": true, "168h": true, "720h": true, "2160h": true, "8760h": true}

// handleTokenCreate makes an API token for the signed-in user and shows it
// once, on the page itself (never in a URL or a redirect).
func (a *App) handleTokenCreate(w http.ResponseWriter, r *http.Request, h *hostReq) {
	v := r.PostForm
	in := &admit.APITokenInput{Name: strings.TrimSpace(v.Get("token_name")), ExpiresIn: v.Get("token_expires_in"), Scopes: v["token_scopes"]}
	if !tokenLifetimes[in.ExpiresIn] {
		a.settingsError(w, r, h, "tokens", admit.FieldErrorf("token_expires_in", "choose how long the token lasts"))
		return
	}
	if len(in.Scopes) == 0 {
		a.settingsError(w, r, h, "tokens", admit.FieldErrorf("token_scopes", "choose what the token may do: read, manage or both"))
		return
	}
	tok, _, err := a.Service.IssueAPIToken(r.Context(), h.actor, in)
	if err != nil {
		a.settingsError(w, r, h, "tokens", err)
		return
	}
	a.renderSettings(w, r, h, http.StatusOK, &settingsPage{NewToken: tok, Which: "tokens"})
}

// handleTokenRevoke revokes one of the user's own tokens.
func (a *App) handleTokenRevoke(w http.ResponseWriter, r *http.Request, h *hostReq) {
	id, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err != nil {
		a.errorPage(w, r, &admit.Error{Code: admit.ENOTFOUND, Message: "No such token."})
		return
	}
	if err := a.Service.RevokeAPIToken(r.Context(), h.actor, id); err != nil {
		a.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings?done=revoked#tokens-h", http.StatusSeeOther)
}
