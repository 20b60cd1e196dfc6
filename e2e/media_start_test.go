package e2e_test

// The host's Start, end to end: the host presses Start on the meeting page
// and lands in the occurrence's LiveKit room as its admin, with the live
// roster beside it; they admit, see and remove participants from that page,
// and End closes the room for everyone.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/livekit"
	"github.com/admit-project/admit/livekit/livekittest"
)

// lkClaims are the claims of a LiveKit access token the tests read.
type lkClaims struct {
	Issuer  string `json:"iss"`
	Subject string `json:"sub"`
	Name    string `json:"name"`
	Video   struct {
		Room      string `json:"room"`
		RoomJoin  bool   `json:"roomJoin"`
		RoomAdmin bool   `json:"roomAdmin"`
	} `json:"video"`
}

// claimsOf decodes the payload of a JWT without checking its signature
// (the LiveKit server checks it when the token connects).
func claimsOf(t *testing.T, token string) lkClaims {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.20q…", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("the token's payload: %v", err)
	}
	var c lkClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("the token's payload %s: %v", raw, err)
	}
	return c
}

// inRoom returns the identities LiveKit lists in room.
func inRoom(t *testing.T, b admit.MediaBackend, room string) []string {
	t.Helper()
	ps, err := b.Presence(context.Background(), room)
	if err != nil {
		t.Fatalf("listing room %s: %v", room, err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.Identity)
	}
	return ids
}

// waitRoom waits until LiveKit's list of room's identities satisfies ok.
func waitRoom(t *testing.T, b admit.MediaBackend, room, what string, ok func([]string) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ids := inRoom(t, b, room)
		if ok(ids) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: LiveKit lists %v in %s", what, ids, room)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// joinInTab joins the meeting as name on the join page in tab ctx, with
// the meeting ID and passcode, and leaves the tab on the participant's page.
func joinInTab(t *testing.T, ctx context.Context, s *server, m *meeting, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/j/"+m.MeetingID),
		chromedp.SendKeys(chromedp.CSS("#passcode"), m.Passcode, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#name"), name, chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS("#passcode-form button[type=submit]"), chromedp.NodeVisible),
	); err != nil {
		t.Fatalf("%s joins: %v", name, err)
	}
}

// TestMediaHostStart: the host signs in, opens the meeting page and presses
// Start; the room page joins them to the occurrence's LiveKit room as its
// admin (the token carries roomAdmin; the server lists them) with the live
// roster beside the room. A participant they admit from that roster appears
// on it and in the room, and sees them; Remove on the roster takes the
// participant's browser out of the room while the host stays in it; End
// from the room page closes the room for everyone. A host of the account
// who does not host the meeting gets the page of a meeting that does not
// exist.
func TestMediaHostStart(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	s := startServer(t, "")
	lk := livekittest.Start(t, livekittest.Options{WebhookURL: s.url + "/api/v1/media/webhook/1"})
	b := newBrowser(t, mediaFlags...)
	host := b.tab(s, desktopWidth)
	signUpOwner(t, s, host, false)

	// The owner connects the account to LiveKit on the settings page.
	host.open("/settings")
	host.checked(`input[name=media_backend][value=livekit]`)
	host.fill("#lk_url", lk.URL)
	host.fill("#lk_api_key", lk.APIKey)
	host.fill("#lk_api_secret", lk.APISecret)
	if st := host.click("#media-form button[type=submit]"); st != 200 {
		t.Fatalf("saving the media server: %d", st)
	}
	host.waitText("#media-current", "livekit")

	tok := strings.TrimSpace(s.cli("token", "create", "--email", "ada@example.com"))
	m := s.schedule(tok, scheduledAt(time.Now().UTC().Add(5*time.Minute).Truncate(time.Minute), map[string]any{
		"topic": "Design review", "security": map[string]any{"waiting_room": true}}))
	room := admit.MediaRoomName(m.ID, 1)
	lkb, err := livekit.New(admit.LiveKitConfig{URL: lk.URL, APIKey: lk.APIKey, APISecret: lk.APISecret}, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Another site cannot start the room in the host's browser (their
	// camera and microphone on): a link from it to the room page leads to
	// the meeting page, where Start is the host's to press.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Elsewhere</title></head><body><a id="go" href="%s/meetings/%s/room">Go</a></body></html>`, s.url, m.ID)
	}))
	t.Cleanup(evil.Close)
	elsewhere := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1) // another site
	if st := host.open(elsewhere); st != 200 {
		t.Fatalf("the other site: %d", st)
	}
	host.click("#go")
	if u, _ := url.Parse(host.location()); u == nil || u.Path != "/meetings/"+m.ID || host.has("#room") {
		t.Errorf("a link from another site led to %s (room client on the page: %v), want the meeting page without the room", host.location(), host.has("#room"))
	}
	if ids := inRoom(t, lkb, room); len(ids) > 0 {
		t.Errorf("a link from another site put %v in the room", ids)
	}
	starts := func() int {
		t.Helper()
		r := s.do("GET", "/api/v1/audit?limit=1000", tok, nil).must(t, 200)
		return strings.Count(string(r.raw), `"media.start"`)
	}
	if n := starts(); n != 0 {
		t.Errorf("a link from another site started the room: %d media.start entries", n)
	}

	// At phone width the roster comes under the room, and nothing sticks
	// out sideways. (The host's next window, below, takes their place in
	// the room: LiveKit keeps one connection per identity.)
	phone := b.tab(s, phoneWidth)
	if st := phone.open("/meetings/" + m.ID + "/room"); st != 200 {
		t.Fatalf("the room page at phone width: %d", st)
	}
	waitFor(t, phone.ctx, "the host connected at phone width", roomIs("connected"), 30*time.Second)
	var under bool
	phone.eval(`document.getElementById("roster").getBoundingClientRect().top >= document.getElementById("room").getBoundingClientRect().bottom`, &under)
	if !under {
		t.Errorf("at phone width the live roster is not under the room")
	}
	phone.check("host-room-phone")

	// Start on the meeting page leads to the room page.
	host.open("/meetings/" + m.ID)
	if st := host.click("#start"); st != 200 {
		t.Fatalf("Start: %d", st)
	}
	u, _ := url.Parse(host.location())
	if u == nil || u.Path != "/meetings/"+m.ID+"/room" {
		t.Fatalf("Start led to %s, want the meeting's room page", host.location())
	}
	host.eval(`window.__stayed = true`, nil)
	waitFor(t, host.ctx, "the host connected", roomIs("connected"), 30*time.Second)

	// The host's token makes them the room's admin, and LiveKit lists them.
	var token string
	host.eval(`document.getElementById("room").getAttribute("data-token")`, &token)
	c := claimsOf(t, token)
	if !c.Video.RoomAdmin || !c.Video.RoomJoin || c.Video.Room != room || c.Issuer != lk.APIKey || c.Name != "Ada Lovelace" || !strings.HasPrefix(c.Subject, "h") {
		t.Fatalf("the host's token: %+v; want roomAdmin and roomJoin in %s, issued by %s, for Ada Lovelace as a host identity", c, room, lk.APIKey)
	}
	hostID := c.Subject
	if n := starts(); n != 2 {
		t.Errorf("%d media.start entries in the audit trail after the phone's and the desktop's Start, want 2", n)
	}
	waitRoom(t, lkb, room, "the host in the room", func(ids []string) bool { return slices.Contains(ids, hostID) })
	waitFor(t, phone.ctx, "the host's phone window told it was replaced", roomIs("disconnected"), 10*time.Second)
	waitFor(t, host.ctx, "the host sees their own camera", seesVideo(hostID), 30*time.Second)

	// The live roster is on the page, beside the room.
	host.waitTrue(`document.getElementById("roster").dataset.live === "on"`, "the live roster")
	var beside bool
	host.eval(`(() => { const r = document.getElementById("room").getBoundingClientRect(), l = document.getElementById("roster").getBoundingClientRect();
		return l.left >= r.right && l.top < r.bottom && l.bottom > r.top && l.right <= document.documentElement.clientWidth; })()`, &beside)
	if !beside {
		t.Errorf("the live roster is not beside the room at %d px", desktopWidth)
	}
	host.check("host-room")

	// A participant waits, the host admits them from the roster on the
	// room page, and they meet in the room.
	grace := mediaTab(t)
	joinInTab(t, grace, s, m, "Grace Hopper")
	waitFor(t, grace, "Grace waits", `(function(){var s=document.getElementById("status");return !!s&&s.textContent.indexOf("Waiting for the host")>=0;})()`, actionTimeout)
	host.waitText("#waiting", "Grace Hopper")
	var handle string
	host.eval(`document.querySelector("#waiting li.waiting").getAttribute("data-pid")`, &handle)
	graceID := admit.MediaIdentity(handle)
	host.press(`#waiting button[aria-label="Admit Grace Hopper"]`)
	waitFor(t, grace, "Grace connected", roomIs("connected"), 30*time.Second)
	host.waitText("#participants", "Grace Hopper")
	waitFor(t, host.ctx, "the host sees Grace's video", seesVideo(graceID), 45*time.Second)
	waitFor(t, host.ctx, "the host sees Grace's name", showsName(graceID, "Grace Hopper"), 5*time.Second)
	waitFor(t, grace, "Grace sees the host's video", seesVideo(hostID), 45*time.Second)
	waitFor(t, grace, "Grace sees the host's name", showsName(hostID, "Ada Lovelace"), 5*time.Second)
	waitRoom(t, lkb, room, "Grace in the room", func(ids []string) bool { return slices.Contains(ids, graceID) && slices.Contains(ids, hostID) })

	// Remove on the roster: Grace's browser is out of the room, the host
	// stays in it, on the same page.
	host.press(`#participants button[aria-label="Remove Grace Hopper"]`)
	waitFor(t, grace, "Grace out of the room", `(function(){var r=document.getElementById("room");`+
		`if(r&&r.getAttribute("data-state")==="removed")return true;var s=document.getElementById("status");`+
		`return !!s&&s.getAttribute("data-state")==="removed";})()`, 5*time.Second)
	waitRoom(t, lkb, room, "Grace removed", func(ids []string) bool { return !slices.Contains(ids, graceID) && slices.Contains(ids, hostID) })
	host.waitTrue(`!document.getElementById("participants").textContent.includes("Grace Hopper")`, "Grace off the roster")
	host.waitTrue(`!document.querySelector('.room-tile[data-identity="`+graceID+`"]')`, "Grace's tile gone from the host's room")
	var stayed bool
	host.eval(`window.__stayed === true && document.getElementById("room").getAttribute("data-state") === "connected"`, &stayed)
	if !stayed {
		t.Errorf("the host left the room when removing Grace (now at %s)", host.location())
	}

	// Another participant comes in (in the tab Grace left); End on the
	// room page closes the room for everyone.
	alanTab := grace
	joinInTab(t, alanTab, s, m, "Alan Turing")
	host.waitText("#waiting", "Alan Turing")
	host.press(`#waiting button[aria-label="Admit Alan Turing"]`)
	waitFor(t, alanTab, "Alan connected", roomIs("connected"), 30*time.Second)
	host.waitText("#participants", "Alan Turing")
	waitRoom(t, lkb, room, "Alan in the room", func(ids []string) bool { return len(ids) == 2 })
	if st := host.click("#end"); st != 200 {
		t.Fatalf("End on the room page: %d, want its confirmation", st)
	}
	if got := host.text("#end-count"); !strings.Contains(got, "1 in the meeting") {
		t.Errorf("the confirmation says %q, want 1 in the meeting", got)
	}
	host.click("#end-form button[type=submit]")
	waitFor(t, alanTab, "Alan sees the end", `(function(){var r=document.getElementById("room");`+
		`if(r&&r.getAttribute("data-state")==="ended")return true;var s=document.getElementById("status");`+
		`return !!s&&s.textContent.indexOf("The host ended the meeting")>=0;})()`, 5*time.Second)
	waitRoom(t, lkb, room, "the room closed", func(ids []string) bool { return len(ids) == 0 })
	if got := host.text(".flash, .notice, main"); !strings.Contains(got, "The occurrence has ended") {
		t.Errorf("after End the host's page says %q", got)
	}

	// Another host of the account gets the page of no meeting, and no room.
	s.cli("user", "create", "--email", "hank@example.com", "--name", "Hank Host", "--role", "host")
	hank := s.signIn("hank@example.com")
	m2 := s.schedule(tok, scheduledAt(time.Now().UTC().Add(5*time.Minute).Truncate(time.Minute), map[string]any{"topic": "Ada's other meeting"}))
	gotSt, _, gotBody := hank.send("GET", "/meetings/"+m2.ID+"/room", nil)
	wantSt, _, wantBody := hank.send("GET", "/meetings/"+nonexistent(m2.ID)+"/room", nil)
	if gotSt != 404 || wantSt != 404 || pageError.FindString(gotBody) != pageError.FindString(wantBody) {
		t.Errorf("Hank starts Ada's meeting: %d, want the 404 of no meeting (%d)\n%s", gotSt, wantSt, pageError.FindString(gotBody))
	}
	if strings.Contains(gotBody, "data-token") {
		t.Errorf("Hank got a room token for Ada's meeting")
	}
}
