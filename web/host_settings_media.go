package web

import (
	"net/http"
	"strings"

	"github.com/admit-project/admit"
)

// mediaSettingsFields maps the media settings' error fields to the form's.
var mediaSettingsFields = map[string]string{
	"backend": "media_backend", "url": "lk_url", "api_key": "lk_api_key", "api_secret": "lk_api_secret",
	"domain": "jitsi_domain", "app_id": "jitsi_app_id", "app_secret": "jitsi_app_secret", "tenant": "jitsi_tenant",
	"api_url": "bbb_api_url", "secret": "bbb_secret", "checksum": "bbb_checksum",
}

func init() {
	for k, v := range mediaSettingsFields {
		settingsFields[k] = v
	}
}

// mediaConfigFromForm reads the media settings form: the chosen backend and
// its fields. A secret left empty keeps the stored one.
func mediaConfigFromForm(v map[string][]string) *admit.MediaConfig {
	get := func(k string) string {
		if s := v[k]; len(s) > 0 {
			return strings.TrimSpace(s[0])
		}
		return ""
	}
	cfg := &admit.MediaConfig{Kind: admit.MediaKind(get("media_backend"))}
	switch cfg.Kind {
	case admit.MediaLiveKit:
		cfg.LiveKit = &admit.LiveKitConfig{URL: get("lk_url"), APIKey: get("lk_api_key"), APISecret: get("lk_api_secret")}
	case admit.MediaJitsi:
		cfg.Jitsi = &admit.JitsiConfig{Domain: get("jitsi_domain"), AppID: get("jitsi_app_id"), AppSecret: get("jitsi_app_secret"), Tenant: get("jitsi_tenant")}
	case admit.MediaBigBlueButton:
		cfg.BigBlueButton = &admit.BigBlueButtonConfig{APIURL: get("bbb_api_url"), Secret: get("bbb_secret"), Checksum: get("bbb_checksum")}
	}
	return cfg
}

// handleSettingsMedia saves the account's media server (owners and admins;
// the service refuses others).
func (a *App) handleSettingsMedia(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if _, err := a.Service.SetMediaSettings(r.Context(), h.actor, mediaConfigFromForm(r.PostForm)); err != nil {
		r.PostForm.Del("lk_api_secret")
		r.PostForm.Del("jitsi_app_secret")
		r.PostForm.Del("bbb_secret")
		a.settingsError(w, r, h, "media", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}

// handleSettingsMediaDelete removes the account's media server.
func (a *App) handleSettingsMediaDelete(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if err := a.Service.DeleteMediaSettings(r.Context(), h.actor); err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
		a.settingsError(w, r, h, "media", err)
		return
	}
	http.Redirect(w, r, "/settings?done=saved", http.StatusSeeOther)
}
