package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
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

// TestMeetingPageStart: the meeting page offers Start (the room page) while
// the occurrence is open and the account has a media server; not before
// one is set, not for an occurrence that is not open yet.
func TestMeetingPageStart(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	open := owner.schedule(t, scheduleForm(f, nil))
	start := f.clock.Now().Add(3 * time.Hour)
	later := owner.schedule(t, scheduleForm(f, url.Values{"date": {start.Format("2006-01-02")}, "time": {start.Format("15:04")}}))
	if p := owner.get(open); strings.Contains(p.body, `id="start"`) {
		t.Error("the meeting page offers Start without a media server")
	}
	good := url.Values{"media_backend": {"livekit"}, "lk_url": {"wss://lk.example.org"}, "lk_api_key": {"APIk"}, "lk_api_secret": {strings.Repeat("q", 32)}}
	owner.get("/settings")
	wantRedirect(t, owner.post("/settings/media", good, true), "/settings", "save the media server")
	p := owner.get(open)
	wantStatus(t, p, http.StatusOK, "meeting page")
	if !strings.Contains(p.body, `id="start" href="`+open+`/room?occurrence=1"`) {
		t.Errorf("the meeting page of an open occurrence does not offer Start to its room:\n%s", p.body)
	}
	if p := owner.get(later); strings.Contains(p.body, `id="start"`) {
		t.Error("the meeting page offers Start for an occurrence that is not open")
	}
	// The dashboard lists Start for every occurrence: one that is not open
	// leads to its meeting page, which says why no room started.
	wantRedirect(t, owner.get(later+"/room?occurrence=1"), later+"?done=not-open&occurrence=1", "Start before the meeting opens")
	if p := owner.get(later + "?done=not-open&occurrence=1"); !strings.Contains(p.body, "The meeting room opens with the meeting") {
		t.Errorf("the meeting page does not say why Start did not open the room:\n%s", p.body)
	}

	// A navigation from another site (or another origin of the site) does
	// not start the room: it leads to the meeting page, and nothing starts.
	for _, site := range []string{"cross-site", "same-site"} {
		req, _ := http.NewRequest("GET", f.srv.URL+open+"/room?occurrence=1", nil)
		req.Header.Set("Sec-Fetch-Site", site)
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		wantRedirect(t, owner.do(req), open+"?occurrence=1", "Start from a "+site+" link")
	}
	if evs := f.events(t, "media.start"); len(evs) != 0 {
		t.Errorf("links from other sites started the room: %d media.start events", len(evs))
	}
}

// TestStartPersonalRoom: Start on the host's personal room opens a session
// when none is open (as the first join does) and puts the host in its
// room, with the live roster.
func TestStartPersonalRoom(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	room, err := f.svc.PersonalRoom(context.Background(), f.owner(t))
	if err != nil {
		t.Fatal(err)
	}
	good := url.Values{"media_backend": {"livekit"}, "lk_url": {"wss://lk.example.org"}, "lk_api_key": {"APIk"}, "lk_api_secret": {strings.Repeat("q", 32)}}
	owner.get("/settings")
	wantRedirect(t, owner.post("/settings/media", good, true), "/settings", "save the media server")
	if p := owner.get("/meetings/" + room.ID); !strings.Contains(p.body, `id="start" href="/meetings/`+room.ID+`/room"`) {
		t.Errorf("the personal room's page with no session open does not offer Start:\n%s", p.body)
	}
	for i := 1; i <= 2; i++ {
		p := owner.get("/meetings/" + room.ID + "/room")
		wantStatus(t, p, http.StatusOK, "Start on the personal room")
		if !strings.Contains(p.body, `data-token="`) || !strings.Contains(p.body, `data-events="/meetings/`+room.ID+`/events?occurrence=`) {
			t.Fatalf("Start %d on the personal room: no room or no live roster:\n%s", i, p.body)
		}
		// Once ended, the next Start opens the next session.
		v, err := f.svc.EndMeeting(context.Background(), f.owner(t), room.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(v.Occurrences); n != i {
			t.Errorf("after Start %d the room has %d sessions", i, n)
		}
	}
}

// TestStartPersonalRoomWithoutMedia: without a media server, Start on the
// personal room shows its page and opens no session.
func TestStartPersonalRoomWithoutMedia(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	room, err := f.svc.PersonalRoom(context.Background(), f.owner(t))
	if err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, owner.get("/meetings/"+room.ID+"/room"), "/meetings/"+room.ID, "Start without a media server")
	v, err := f.svc.HostMeeting(context.Background(), f.owner(t), room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Occurrences) != 0 {
		t.Errorf("Start without a media server opened %d sessions", len(v.Occurrences))
	}
}
