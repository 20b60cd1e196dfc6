package e2e_test

// Media rooms end to end: the real admit binary, a real LiveKit server and
// two headless Chromiums with fake cameras and microphones. Admission is
// enforced at the media server: only admitted participants get tokens,
// removal disconnects at once and a kept token does not get back in, End
// closes the room, and LiveKit's webhooks land in attendance.

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/livekit"
	"github.com/admit-project/admit/livekit/livekittest"
)

// mediaFlags give Chromium a fake camera and microphone, allowed without a
// prompt, and let WebRTC use the loopback (where the LiveKit server is).
var mediaFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("use-fake-ui-for-media-stream", true),
	chromedp.Flag("use-fake-device-for-media-stream", true),
	chromedp.Flag("allow-loopback-in-peer-connection", true),
	chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
	chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
}

// mediaTab starts a Chromium of its own with fake camera and microphone
// (and loopback allowed for WebRTC) and returns its tab.
func mediaTab(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		needBrowser(t, "no Chromium: install Debian's chromium package (apt-get install chromium) or set ADMIT_CHROMIUM")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 768),
	}
	opts = append(opts, mediaFlags...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// waitFor polls the JavaScript expression expr in ctx until it is true;
// it fails the test after limit, saying what the page shows.
func waitFor(t *testing.T, ctx context.Context, what, expr string, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		// Each look has a bound of its own: an evaluation can hang while
		// the tab navigates.
		look, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(look, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			look, cancel := context.WithTimeout(ctx, 5*time.Second)
			text, _ := chromedp.Run(look, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			cancel()
			t.Fatalf("%s: not within %s (err %v); the page says %q", what, limit, err, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func roomIs(state string) string {
	return fmt.Sprintf(`(function(){var r=document.getElementById("room");return !!r&&r.getAttribute("data-state")===%q;})()`, state)
}

func seesVideo(identity string) string {
	return fmt.Sprintf(`(function(){var t=document.querySelector('.room-tile[data-identity="%s"]');`+
		`if(!t)return false;var v=t.querySelector("video");return t.getAttribute("data-video")==="playing"&&!!v&&v.videoWidth>0;})()`, identity)
}

func showsName(identity, name string) string {
	return fmt.Sprintf(`(function(){var t=document.querySelector('.room-tile[data-identity="%s"] .room-name');return !!t&&t.textContent===%q;})()`, identity, name)
}

// keptTokenPage serves a page that runs admit's room client with a token a
// removed participant kept, as a client of their own would.
func keptTokenPage(t *testing.T, s *server, lk *livekittest.Server, token string) string {
	t.Helper()
	page := template.Must(template.New("kept").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kept token</title></head>
<body><div id="room" data-server="{{.URL}}" data-token="{{.Token}}"></div><script src="{{.Script}}"></script></body></html>`))
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = page.Execute(w, map[string]string{"URL": lk.URL, "Token": token, "Script": s.url + "/static/room.js"})
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

func TestMediaLiveKitEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	s := startServer(t, "")
	tok := s.host("hal@example.com", "Hal Host")
	lk := livekittest.Start(t, livekittest.Options{WebhookURL: s.url + "/api/v1/media/webhook/1"})

	// The owner connects the account to LiveKit; the secret is never shown.
	r := s.do("PUT", "/api/v1/account/media", tok, map[string]any{"backend": "livekit",
		"livekit": map[string]string{"url": lk.URL, "api_key": lk.APIKey, "api_secret": lk.APISecret}}).must(t, 200)
	if strings.Contains(string(r.raw), lk.APISecret) {
		t.Fatalf("the media settings show the secret: %s", r.raw)
	}

	now := time.Now().UTC().Truncate(time.Second)
	s.setClock(now)
	m := s.schedule(tok, scheduledAt(now.Add(2*time.Minute), map[string]any{
		"security": map[string]any{"waiting_room": true}}))
	join := func(name string) string {
		t.Helper()
		res := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": name}).must(t, 200)
		p, _ := res.body["participant"].(map[string]any)
		pid, _ := p["id"].(string)
		if pid == "" {
			t.Fatalf("join: %s", res.raw)
		}
		return pid
	}
	ada, ada2, wes := join("Ada"), join("Ada"), join("Wes Waiting")

	// Nobody in the waiting room gets a token.
	for _, pid := range []string{ada, wes} {
		res := s.do("GET", "/api/v1/participants/"+pid, "", nil).must(t, 200)
		if _, ok := res.body["media"]; ok {
			t.Errorf("a waiting participant's status carries media: %s", res.raw)
		}
		s.do("POST", "/api/v1/participants/"+pid+"/media", "", nil).must(t, 409)
	}
	nameOf := func(pid string) string {
		res := s.do("GET", "/api/v1/participants/"+pid, "", nil).must(t, 200)
		p, _ := res.body["participant"].(map[string]any)
		n, _ := p["display_name"].(string)
		return n
	}
	nameA, nameB := nameOf(ada), nameOf(ada2)
	t.Logf("admit named them %q and %q", nameA, nameB)
	// The host acts on the handles the roster shows, never on the
	// participants' bearer IDs; the media identity is the handle's.
	// Both are "Ada": the waiting room lists them in the order they came.
	var waiting []string
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	ws, _ := roster.body["waiting"].([]any)
	for _, w := range ws {
		if w, ok := w.(map[string]any); ok {
			waiting = append(waiting, fmt.Sprint(w["display_name"], "=", w["id"]))
		}
	}
	if len(waiting) != 3 || !strings.HasPrefix(waiting[0], nameA+"=") || !strings.HasPrefix(waiting[1], nameB+"=") {
		t.Fatalf("waiting room %v; want %s, %s and Wes Waiting in that order", waiting, nameA, nameB)
	}
	_, hA, _ := strings.Cut(waiting[0], "=")
	_, hA2, _ := strings.Cut(waiting[1], "=")
	for _, h := range []string{hA, hA2} {
		s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+h+"/admit", tok, nil).must(t, 200)
	}
	st := s.do("GET", "/api/v1/participants/"+ada2, "", nil).must(t, 200)
	grant, _ := st.body["media"].(map[string]any)
	keptToken, _ := grant["token"].(string)
	if grant["backend"] != "livekit" || keptToken == "" || grant["url"] != lk.URL {
		t.Fatalf("admitted status: %s", st.raw)
	}
	s.do("POST", "/api/v1/participants/"+wes+"/media", "", nil).must(t, 409)

	// Two admitted participants see each other in admit's room client, under
	// the names admit gave them.
	tabA, tabB := mediaTab(t), mediaTab(t)
	if err := chromedp.Do(tabA, chromedp.Navigate(s.url+"/p/"+ada)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tabB, chromedp.Navigate(s.url+"/p/"+ada2)); err != nil {
		t.Fatal(err)
	}
	idA, idB := admit.MediaIdentity(hA), admit.MediaIdentity(hA2)
	waitFor(t, tabA, "Ada connected", roomIs("connected"), 30*time.Second)
	waitFor(t, tabB, "Ada (2) connected", roomIs("connected"), 30*time.Second)
	waitFor(t, tabA, "Ada sees Ada (2)'s video", seesVideo(idB), 45*time.Second)
	waitFor(t, tabB, "Ada (2) sees Ada's video", seesVideo(idA), 45*time.Second)
	waitFor(t, tabA, "Ada sees the second Ada's name", showsName(idB, nameB), 5*time.Second)
	waitFor(t, tabB, "the second Ada sees Ada's name", showsName(idA, nameA), 5*time.Second)

	// LiveKit's webhooks land in attendance.
	deadline := time.Now().Add(20 * time.Second)
	for {
		att := s.do("GET", "/api/v1/meetings/"+m.ID+"/attendance", tok, nil).must(t, 200)
		rows, _ := att.body["participants"].([]any)
		connected := 0
		for _, row := range rows {
			if p, _ := row.(map[string]any); p["media_connected_at"] != nil {
				connected++
			}
		}
		if connected == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("media presence not in attendance: %s", att.raw)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The host removes Ada (2): her browser is out of the room within 2 s.
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+hA2+"/remove", tok, nil).must(t, 200)
	took := waitFor(t, tabB, "Ada (2) disconnected", `(function(){var r=document.getElementById("room");`+
		`if(r&&r.getAttribute("data-state")==="removed")return true;var s=document.getElementById("status");`+
		`return !!s&&s.getAttribute("data-state")==="removed";})()`, 2*time.Second)
	t.Logf("the removed participant's browser left the room %s after the API answered", took.Round(time.Millisecond))
	b, err := livekit.New(admit.LiveKitConfig{URL: lk.URL, APIKey: lk.APIKey, APISecret: lk.APISecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	room := admit.MediaRoomName(m.ID, 1)
	ps, err := b.Presence(context.Background(), room)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Identity == idB {
			t.Errorf("the removed participant is still in the room: %+v", ps)
		}
	}

	// She cannot get back in: admit refuses her a fresh token, and the token
	// she kept is thrown out of the room as soon as it connects.
	s.do("POST", "/api/v1/participants/"+ada2+"/media", "", nil).must(t, 409)
	if res := s.do("POST", "/p/"+ada2+"/media", "", nil); res.status != 409 {
		t.Errorf("the page's refresh for a removed participant: %d", res.status)
	}
	kept := mediaTab(t)
	if err := chromedp.Do(kept, chromedp.Navigate(keptTokenPage(t, s, lk, keptToken))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, kept, "the kept token thrown out", `(function(){var r=document.getElementById("room");`+
		`return !!r&&r.getAttribute("data-state")==="removed";})()`, 20*time.Second)

	// End closes the room for everyone.
	s.do("POST", "/api/v1/meetings/"+m.ID+"/end", tok, nil).must(t, 200)
	waitFor(t, tabA, "Ada sees the end", `(function(){var r=document.getElementById("room");`+
		`if(r&&r.getAttribute("data-state")==="ended")return true;var s=document.getElementById("status");`+
		`return !!s&&s.getAttribute("data-state")!=="admitted";})()`, 5*time.Second)
	deadline = time.Now().Add(10 * time.Second)
	for {
		ps, err := b.Presence(context.Background(), room)
		if err == nil && len(ps) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the room still has %+v (%v) after End", ps, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if os.Getenv("ADMIT_MEDIA_E2E_LOG") != "" {
		t.Logf("livekit log:\n%s", lk.Logs())
	}
}

// TestMediaCLI sets, shows and removes the account's media server with the
// CLI; the secret comes from the environment and is never printed.
func TestMediaCLI(t *testing.T) {
	s := startServer(t, "")
	s.host("olga@example.com", "Olga Owner")
	secret := strings.Repeat("c", 32)
	t.Setenv("ADMIT_MEDIA_SECRET", secret)
	out := s.cli("media", "--email", "olga@example.com", "set", "livekit", "--url", "wss://lk.example.org", "--api-key", "APIcli")
	if !strings.Contains(out, `"backend": "livekit"`) || strings.Contains(out, secret) {
		t.Errorf("media set printed:\n%s", out)
	}
	t.Setenv("ADMIT_MEDIA_SECRET", "")
	out = s.cli("media", "--email", "olga@example.com", "show")
	if !strings.Contains(out, `"url": "wss://lk.example.org"`) || strings.Contains(out, secret) {
		t.Errorf("media show printed:\n%s", out)
	}
	// Key rotation seals the media secret again: it still opens after the
	// old key is retired.
	s.cli("keys", "rotate")
	out = s.cli("media", "--email", "olga@example.com", "show")
	if !strings.Contains(out, `"api_key": "APIcli"`) {
		t.Errorf("media show after key rotation:\n%s", out)
	}
	if out, err := s.cliErr("media", "--email", "olga@example.com", "set", "jitsi", "--domain", "meet.example.org", "--app-id", "a"); err == nil || !strings.Contains(out, "app secret") {
		t.Errorf("jitsi without its secret: %v\n%s", err, out)
	}
	s.cli("media", "--email", "olga@example.com", "delete")
	if _, err := s.cliErr("media", "--email", "olga@example.com", "show"); err == nil {
		t.Error("media show after delete succeeded")
	}
}
