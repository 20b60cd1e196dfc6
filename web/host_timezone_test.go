package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestTimezoneProposedFromTheBrowser: the zone the browser puts in the
// hidden field at set-up and sign-in becomes the user's when they have none;
// one chosen in Settings stays; times show in it, with the meeting's own
// zone where the clocks differ.
func TestTimezoneProposedFromTheBrowser(t *testing.T) {
	f := newFixture(t)
	link, err := f.svc.SetupLink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	owner := f.client(t)
	path := strings.TrimPrefix(link, "http://admit.test")
	form := owner.get(path)
	if !strings.Contains(form.body, `name="timezone" value="" data-browser-zone`) {
		t.Fatalf("set-up form has no hidden zone field for zone.js:\n%s", form.body)
	}
	wantRedirect(t, owner.post(path, url.Values{"name": {"Olive Owner"}, "email": {"olive@example.com"}, "password": {ownerPassword},
		"password_confirm": {ownerPassword}, "timezone": {"America/New_York"}}, false), "/", "set-up")
	u, err := f.svc.Store.FindUserByEmail(context.Background(), "olive@example.com")
	if err != nil || u.Timezone != "America/New_York" {
		t.Fatalf("owner's zone = %q, %v; want America/New_York from the browser", u.Timezone, err)
	}
	if d := owner.get("/"); !strings.Contains(d.body, "Times are in your zone, America/New_York") {
		t.Errorf("dashboard does not say the owner's zone:\n%s", d.body)
	}

	// A meeting set in Paris shows New York time first, then Paris time.
	meeting := owner.schedule(t, scheduleForm(f, url.Values{"timezone": {"Europe/Paris"}}))
	page := owner.get(meeting)
	if !regexp.MustCompile(`E[SD]T–\d\d:\d\d \(\w{3} \d\d:\d\d CES?T in Europe/Paris, the meeting&#39;s zone\)`).MatchString(page.body) {
		t.Errorf("meeting page does not show the meeting's own zone:\n%s", page.body[:min(len(page.body), 3000)])
	}

	// A host made without a zone takes the browser's at sign-in, once; a
	// zone that is not an IANA name is ignored.
	owner.get("/users")
	r := owner.post("/users", url.Values{"name": {"Hank Host"}, "email": {"hank@example.com"}, "role": {"host"}}, true)
	inv := regexp.MustCompile(`id="invite-link" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if inv == nil {
		t.Fatalf("invitation link not shown:\n%s", r.body)
	}
	hank := f.client(t)
	invPath := strings.TrimPrefix(inv[1], "http://admit.test")
	wantRedirect(t, hank.post(invPath, url.Values{"password": {"hank-secret-words"}, "password_confirm": {"hank-secret-words"}, "timezone": {"Mars/Olympus"}}, false), "/", "accept invitation")
	if u, _ := f.svc.Store.FindUserByEmail(context.Background(), "hank@example.com"); u.Timezone != "" {
		t.Fatalf("a bad zone was taken: %q", u.Timezone)
	}
	if s := hank.get("/settings"); !strings.Contains(s.body, `value="" data-browser-zone`) {
		t.Errorf("settings do not let zone.js propose a zone for a user without one")
	}
	signIn := func(tz string) {
		c := f.client(t)
		if s := c.get("/signin"); !strings.Contains(s.body, `name="timezone" value="" data-browser-zone`) {
			t.Fatalf("sign-in form has no hidden zone field")
		}
		wantRedirect(t, c.post("/signin", url.Values{"email": {"hank@example.com"}, "password": {"hank-secret-words"}, "timezone": {tz}}, false), "/", "sign in")
	}
	signIn("Asia/Tokyo")
	if u, _ := f.svc.Store.FindUserByEmail(context.Background(), "hank@example.com"); u.Timezone != "Asia/Tokyo" {
		t.Fatalf("hank's zone = %q after sign-in, want Asia/Tokyo", u.Timezone)
	}
	signIn("Europe/Lisbon")
	if u, _ := f.svc.Store.FindUserByEmail(context.Background(), "hank@example.com"); u.Timezone != "Asia/Tokyo" {
		t.Fatalf("hank's zone = %q: a later sign-in replaced it", u.Timezone)
	}
	if n := len(f.events(t, "user.update")); n != 2 {
		t.Errorf("%d user.update events, want 2 (set-up and hank's first sign-in)", n)
	}
	wantStatus(t, owner.get("/static/zone.js"), http.StatusOK, "zone.js")
}
