package livekit_test

// The room client (web/static/room.js, built from web/room) in headless
// Chromium with fake camera and microphone, against a real LiveKit server:
// two participants see each other's video under the names admit gave them,
// removal disconnects one at once and says so, End closes the room.

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/livekit/livekittest"
)

const staticDir = "../web/static"

func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ADMIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and no Chromium: install Debian's chromium package or set ADMIT_CHROMIUM")
	}
	t.Skip("no Chromium: install Debian's chromium package or set ADMIT_CHROMIUM")
	return ""
}

// newTab starts a Chromium of its own (fresh profile, fake camera and
// microphone, loopback allowed for WebRTC) and returns its first tab.
func newTab(t *testing.T, path string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 768),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

var roomPage = template.Must(template.New("room").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Room</title>
<link rel="stylesheet" href="/static/room.css"></head>
<body><main>
<div id="room" data-server="{{.URL}}" data-token="{{.Token}}"><p>The meeting room needs JavaScript.</p></div>
</main><script src="/static/room.js" defer></script></body></html>`))

// roomServer serves a room page per token under the page CSP admit uses,
// with connect-src opened to the LiveKit server only.
func roomServer(t *testing.T, lk *livekittest.Server) (*httptest.Server, func(token string) string) {
	t.Helper()
	var mu sync.Mutex
	tokens := map[string]string{}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir(staticDir))))
	mux.HandleFunc("GET /room/{n}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tok := tokens[r.PathValue("n")]
		mu.Unlock()
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self' "+
			lk.URL+" "+lk.HTTPURL+"; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		_ = roomPage.Execute(w, map[string]string{"URL": lk.URL, "Token": tok})
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	n := 0
	return hs, func(token string) string {
		mu.Lock()
		defer mu.Unlock()
		n++
		tokens[fmt.Sprint(n)] = token
		return fmt.Sprintf("%s/room/%d", hs.URL, n)
	}
}

// waitJS polls expr in ctx until it is true, or fails after limit.
func waitJS(t *testing.T, ctx context.Context, what, expr string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("room") ? String(document.getElementById("room").getAttribute("data-state")) : ""`))
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: not within %s (err %v, room state %q, page %q)", what, limit, err, state, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func seesVideoOf(identity string) string {
	return fmt.Sprintf(`(function(){var t=document.querySelector('.room-tile[data-identity="%s"]');`+
		`if(!t)return false;var v=t.querySelector("video");return t.getAttribute("data-video")==="playing"&&v&&v.videoWidth>0;})()`, identity)
}

func nameShown(identity, name string) string {
	return fmt.Sprintf(`(function(){var t=document.querySelector('.room-tile[data-identity="%s"] .room-name');return !!t&&t.textContent===%q;})()`, identity, name)
}

func roomState(state string) string {
	return fmt.Sprintf(`document.getElementById("room").getAttribute("data-state")===%q`, state)
}

func TestRoomClientInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	if _, err := os.Stat(staticDir + "/room.js"); err != nil {
		t.Fatalf("the room client bundle is missing (run web/room/build.sh): %v", err)
	}
	path := chromium(t)
	lk := livekittest.Start(t, livekittest.Options{})
	b := newBackend(t, lk)
	_, page := roomServer(t, lk)
	ctx := context.Background()
	room := admit.MediaRoom{Name: admit.MediaRoomName("mbrowser", 1)}

	ada := participant("pada", "Ada")
	ada2 := participant("pada2", "Ada (2)")
	ga, err := b.Grant(ctx, room, ada, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := b.Grant(ctx, room, ada2, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tabA := newTab(t, path)
	tabB := newTab(t, path)
	for _, step := range []struct {
		ctx context.Context
		url string
	}{{tabA, page(ga.Token)}, {tabB, page(gb.Token)}} {
		if err := chromedp.Do(step.ctx, chromedp.Navigate(step.url)); err != nil {
			t.Fatal(err)
		}
	}
	waitJS(t, tabA, "A connected", roomState("connected"), 30*time.Second)
	waitJS(t, tabB, "B connected", roomState("connected"), 30*time.Second)
	waitJS(t, tabA, "A sees B's video", seesVideoOf(ada2.Identity), 45*time.Second)
	waitJS(t, tabB, "B sees A's video", seesVideoOf(ada.Identity), 45*time.Second)
	waitJS(t, tabA, "A sees B's name", nameShown(ada2.Identity, "Ada (2)"), 5*time.Second)
	waitJS(t, tabB, "B sees A's name", nameShown(ada.Identity, "Ada"), 5*time.Second)

	// Mute: the microphone toggle mutes the local track.
	if err := chromedp.Do(tabA, chromedp.Click(chromedp.CSS("#room-mic"), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, tabA, "A muted", `window.admitRoom.localParticipant.isMicrophoneEnabled===false`, 10*time.Second)

	// The host removes B: B's page says so at once.
	removedAt := time.Now()
	if err := b.Remove(ctx, room.Name, ada2.Identity); err != nil {
		t.Fatal(err)
	}
	waitJS(t, tabB, "B removed", roomState("removed"), 2*time.Second)
	t.Logf("B saw its removal after %s", time.Since(removedAt).Round(time.Millisecond))
	waitJS(t, tabA, "B's tile gone from A", fmt.Sprintf(`!document.querySelector('.room-tile[data-identity="%s"]')`, ada2.Identity), 10*time.Second)

	// End: A's page says the meeting has ended.
	if err := b.End(ctx, room.Name); err != nil {
		t.Fatal(err)
	}
	waitJS(t, tabA, "A sees the end", roomState("ended"), 5*time.Second)
	text, err := chromedp.Run(tabA, chromedp.Text(chromedp.CSS("#room"), chromedp.NodeReady))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "The meeting has ended.") {
		t.Errorf("A's page says %q", text)
	}
}
