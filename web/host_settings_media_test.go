package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestMediaSettings: owners set the account's media server on the settings
// page; the secret is never shown again; a host may not.
func TestMediaSettings(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	secret := strings.Repeat("q", 32)
	page := owner.get("/settings")
	wantStatus(t, page, http.StatusOK, "settings")
	if !strings.Contains(page.body, `id="media-form"`) {
		t.Fatal("no media server form for the owner")
	}
	bad := url.Values{"media_backend": {"livekit"}, "lk_url": {"wss://lk.example.org"}, "lk_api_key": {"APIk"}}
	r := owner.post("/settings/media", bad, true)
	wantStatus(t, r, http.StatusBadRequest, "no secret")
	if !strings.Contains(r.body, "LiveKit API secret") {
		t.Errorf("the refusal does not name the secret:\n%s", r.body)
	}
	good := url.Values{"media_backend": {"livekit"}, "lk_url": {"wss://lk.example.org"}, "lk_api_key": {"APIk"}, "lk_api_secret": {secret}}
	wantRedirect(t, owner.post("/settings/media", good, true), "/settings", "save the media server")
	page = owner.get("/settings")
	if !strings.Contains(page.body, `id="media-current">livekit<`) || !strings.Contains(page.body, `value="wss://lk.example.org"`) {
		t.Errorf("the saved media server is not shown:\n%s", page.body)
	}
	if strings.Contains(page.body, secret) {
		t.Error("the settings page shows the media secret")
	}

	// A host sees no form and may not post one.
	r = owner.post("/users", url.Values{"name": {"Hank Host"}, "email": {"hank@example.com"}, "role": {"host"}}, true)
	link := regexp.MustCompile(`id="invite-link" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("invitation link not shown:\n%s", r.body)
	}
	hank := f.client(t)
	inv := strings.TrimPrefix(link[1], "http://admit.test")
	hank.get(inv)
	wantRedirect(t, hank.post(inv, url.Values{"password": {"hank-secret-words"}, "password_confirm": {"hank-secret-words"}}, false), "/", "accept invitation")
	if p := hank.get("/settings"); strings.Contains(p.body, `id="media-form"`) {
		t.Error("a host is shown the media server form")
	}
	wantStatus(t, hank.post("/settings/media", good, true), http.StatusForbidden, "host sets the media server")
	wantStatus(t, hank.post("/settings/media/delete", nil, true), http.StatusForbidden, "host removes the media server")

	owner.get("/settings")
	wantRedirect(t, owner.post("/settings/media/delete", nil, true), "/settings", "remove the media server")
	if p := owner.get("/settings"); strings.Contains(p.body, `id="media-current"`) {
		t.Error("the media server is still shown after its removal")
	}
}
