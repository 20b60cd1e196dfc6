package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
)

// mailSettingsFields maps the mail settings' error fields to the form's.
var mailSettingsFields = map[string]string{
	"smtp.host": "smtp_host", "smtp.port": "smtp_port", "smtp.security": "smtp_security", "smtp.username": "smtp_username",
	"smtp.password": "smtp_password", "smtp.from": "smtp_from", "smtp.from_name": "smtp_from_name",
	"reminder_lead_minutes": "reminder_lead_minutes",
}

func init() {
	for k, v := range mailSettingsFields {
		settingsFields[k] = v
	}
}

// SMTPValue returns an SMTP form field: the submitted value after a
// refusal, else the stored one. The password is never shown.
func (p *settingsPage) SMTPValue(name string) string {
	if p.Form != nil && p.Form.Values != nil && p.Which == "smtp" {
		return p.Form.V(name)
	}
	if p.AccountMail == nil || p.AccountMail.SMTP == nil {
		if name == "smtp_security" {
			return string(admit.SMTPStartTLS)
		}
		return ""
	}
	s := p.AccountMail.SMTP
	switch name {
	case "smtp_host":
		return s.Host
	case "smtp_port":
		return strconv.Itoa(s.Port)
	case "smtp_security":
		return string(s.Security)
	case "smtp_username":
		return s.Username
	case "smtp_from":
		return s.From
	case "smtp_from_name":
		return s.FromName
	}
	return ""
}

// SMTPReplyToHost reports whether the form's Reply-To box is ticked.
func (p *settingsPage) SMTPReplyToHost() bool {
	if p.Form != nil && p.Form.Values != nil && p.Which == "smtp" {
		return p.Form.V("smtp_reply_to_host") == "on"
	}
	return p.AccountMail == nil || p.AccountMail.SMTP == nil || p.AccountMail.SMTP.ReplyToHost
}

// smtpInputFromForm reads the SMTP form. An empty password keeps the
// stored one (the service says when it may not).
func smtpInputFromForm(v map[string][]string) (*admit.AccountSMTPInput, error) {
	get := func(k string) string {
		if s := v[k]; len(s) > 0 {
			return strings.TrimSpace(s[0])
		}
		return ""
	}
	in := &admit.AccountSMTPInput{Host: get("smtp_host"), Security: admit.SMTPSecurity(get("smtp_security")),
		Username: get("smtp_username"), From: get("smtp_from"), FromName: get("smtp_from_name")}
	if s := get("smtp_port"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, admit.FieldErrorf("smtp.port", "smtp.port must be a whole number")
		}
		in.Port = n
	}
	if pw := v["smtp_password"]; len(pw) > 0 && pw[0] != "" {
		in.Password = &pw[0]
	}
	reply := get("smtp_reply_to_host") == "on"
	in.ReplyToHost = &reply
	return in, nil
}

// handleSettingsSMTP saves the account's own SMTP server (owners and
// admins; the service refuses others).
func (a *App) handleSettingsSMTP(w http.ResponseWriter, r *http.Request, h *hostReq) {
	in, err := smtpInputFromForm(r.PostForm)
	if err == nil {
		_, err = a.Service.SetAccountSMTP(r.Context(), h.actor, in)
	}
	if err != nil {
		r.PostForm.Del("smtp_password")
		a.settingsError(w, r, h, "smtp", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}

// handleSettingsSMTPDelete returns the account to the deployment's server.
func (a *App) handleSettingsSMTPDelete(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if err := a.Service.DeleteAccountSMTP(r.Context(), h.actor); err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
		a.settingsError(w, r, h, "smtp", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}

// handleSettingsMail saves the account's reminder lead.
func (a *App) handleSettingsMail(w http.ResponseWriter, r *http.Request, h *hostReq) {
	n, err := intField(r.PostForm, "reminder_lead_minutes")
	if err == nil {
		zero := 0
		if n == nil {
			n = &zero
		}
		_, err = a.Service.UpdateAccountMail(r.Context(), h.actor, &admit.AccountMailInput{ReminderLeadMinutes: n})
	}
	if err != nil {
		a.settingsError(w, r, h, "mail", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}
