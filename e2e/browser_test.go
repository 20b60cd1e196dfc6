package e2e_test

// Browser end-to-end tests: a headless Chromium (Debian's chromium package)
// driven with chromedp against the real binary. Each test saves a
// screenshot of every main page it visits in the test output folder
// ($ADMIT_TEST_OUTPUT, or e2e/browser/out/), and runs axe-core
// (e2e/browser/node_modules, `npm ci` there) on it: a serious or critical
// violation fails the test.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axePath is the axe-core script the tests inject into pages.
const axePath = "browser/node_modules/axe-core/axe.min.js"

// actionTimeout bounds one browser step, so that a page that never shows
// what a test waits for fails the test instead of hanging it.
const actionTimeout = 30 * time.Second

// browser is a headless Chromium with a fresh profile, for one test.
type browser struct {
	t   *testing.T
	ctx context.Context // the first tab, which started the browser
	out string          // where screenshots and the accessibility report go
	axe string          // the axe-core source

	shots map[string]bool // names of the screenshots taken, to keep them apart
}

// needBrowser skips the test with why, or fails it under CI=true, where
// everything the browser tests need must be installed.
func needBrowser(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s", why)
	}
	t.Skip(why)
}

// chromiumPath finds the browser: $ADMIT_CHROMIUM, or chromium on the PATH.
func chromiumPath() string {
	if p := os.Getenv("ADMIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// outputDir returns the test's output folder, emptied.
func outputDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("ADMIT_TEST_OUTPUT")
	if root == "" {
		root = filepath.Join("browser", "out")
	}
	dir := filepath.Join(root, t.Name())
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newBrowser starts Chromium for the test, or skips it (see needBrowser)
// when Chromium or axe-core is missing; extra are more flags (mediaFlags).
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		needBrowser(t, "no Chromium: install Debian's chromium package (apt-get install chromium) or set ADMIT_CHROMIUM")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		needBrowser(t, "no axe-core: run `npm ci` in e2e/browser ("+err.Error()+")")
	}
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
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return &browser{t: t, ctx: ctx, out: outputDir(t), axe: string(axe), shots: map[string]bool{}}
}

// tab is one browser tab on a server.
type tab struct {
	b   *browser
	s   *server
	ctx context.Context
	// width is the viewport's width in CSS pixels: 375 emulates a phone.
	width int64
}

// Viewport widths the tests use.
const (
	phoneWidth   = 375
	desktopWidth = 1280
)

// tab opens a new tab on s with a viewport width wide.
func (b *browser) tab(s *server, width int64) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	var opts []chromedp.EmulateViewportOption
	if width <= phoneWidth {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800, opts...)); err != nil {
		b.t.Fatal(err)
	}
	return &tab{b: b, s: s, ctx: ctx, width: width}
}

// noScript turns JavaScript off in the tab, for the pages' no-JS paths.
func (tb *tab) noScript() {
	tb.b.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		tb.b.t.Fatal(err)
	}
}

// step returns a context for one step.
func (tb *tab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, actionTimeout)
}

// do runs steps that return nothing.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.b.t.Fatalf("%s: %v", tb.location(), err)
	}
}

// load runs steps that load a page (a navigation, a click on a link or a
// submit button) and returns the HTTP status of the page they lead to.
func (tb *tab) load(steps ...chromedp.Action[chromedp.Void]) int64 {
	tb.b.t.Helper()
	return tb.loadAt("", steps...)
}

// loadAt is load for steps whose page is at the URL want ("" when unknown,
// as for a click).
func (tb *tab) loadAt(want string, steps ...chromedp.Action[chromedp.Void]) int64 {
	tb.b.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	tb.markDocument(ctx)
	res, err := chromedp.RunResponse(ctx, steps...)
	var le *chromedp.LoadError
	switch {
	case errors.As(err, &le) && le.ErrorText == "net::ERR_ABORTED":
		// The navigation RunResponse followed was one started before
		// (a form submitted by an earlier click), which this one aborted.
		return tb.settle(ctx, want)
	case err != nil:
		tb.b.t.Fatalf("%s: %v", tb.location(), err)
	case res == nil:
		return tb.settle(ctx, want)
	}
	return res.Status
}

// markDocument marks the document the tab shows now, so that settle can
// tell a new document from it.
func (tb *tab) markDocument(ctx context.Context) {
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.__admitBefore = true`))
}

// settle waits for the page a load leads to when chromedp.RunResponse did
// not follow it: the lifecycle events it follows can belong to another
// navigation (one that a form submitted by an earlier click started,
// landing while this one begins), and it then returns neither a response
// nor an error, or that navigation's abort (net::ERR_ABORTED). settle waits until the tab shows a fully loaded document that
// is not the one marked before the load and is at want (when given), and
// returns the HTTP status the Navigation Timing API recorded for it. It
// fails the test, naming what it last saw, when that does not happen in
// time. (A move within the page, to a fragment, is not a load: use do.)
func (tb *tab) settle(ctx context.Context, want string) int64 {
	tb.b.t.Helper()
	type state struct {
		URL    string `json:"url"`
		Ready  string `json:"ready"`
		Status int64  `json:"status"`
		Before bool   `json:"before"`
	}
	expr := `(() => ({url: location.href, ready: document.readyState, before: window.__admitBefore === true,
		status: (performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0}))()`
	want, _, _ = strings.Cut(want, "#")
	// A page at another URL than want is the one asked for when the server
	// redirected; it is taken once no other has come for a while.
	redirected := time.Now().Add(2 * time.Second)
	var last state
	for {
		st, err := chromedp.Run(ctx, chromedp.Evaluate[state](expr))
		if err == nil {
			last = st
			url, _, _ := strings.Cut(st.URL, "#")
			arrived := !st.Before && (want == "" || url == want || time.Now().After(redirected))
			if arrived && st.Ready == "complete" && st.Status > 0 {
				return st.Status
			}
		}
		select {
		case <-ctx.Done():
			tb.b.t.Fatalf("a page load got no response, and the tab never settled on a new page (want %q): last at %q, %s, status %d, old page: %v",
				want, last.URL, last.Ready, last.Status, last.Before)
			return 0
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// open loads the path (or absolute URL) and returns the HTTP status. It
// follows the navigation it starts by the loader ID Chromium gives it, so
// that another navigation landing meanwhile (a form an earlier click
// submitted, a page script's reload) is neither taken for it nor makes it
// guess; when such a navigation aborts this one, it starts it again.
func (tb *tab) open(path string) int64 {
	tb.b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = tb.s.url + path
	}
	ctx, cancel := tb.step()
	defer cancel()
	for {
		st, err := navigate(ctx, u)
		switch {
		case err == nil:
			return st
		case errors.Is(err, errAborted) && ctx.Err() == nil:
			continue
		}
		tb.b.t.Fatalf("opening %s (the tab is at %s): %v", u, tb.location(), err)
		return 0
	}
}

// errAborted is a navigation that another one aborted.
var errAborted = errors.New("net::ERR_ABORTED")

// navigate sends the tab to u and waits for that navigation's document to
// load, naming it by its loader ID: its status is that of the document's
// response (the last one, after redirects).
func navigate(ctx context.Context, u string) (int64, error) {
	lctx, lcancel := context.WithCancel(ctx)
	defer lcancel()
	type commit struct {
		seq    int
		loader cdp.LoaderID
	}
	var (
		mu       sync.Mutex
		seq      int                                    // events seen
		requests = map[network.RequestID]cdp.LoaderID{} // documents' requests
		sent     = map[cdp.LoaderID]int{}               // when a loader's first request went
		status   = map[cdp.LoaderID]int64{}
		loaded   = map[cdp.LoaderID]bool{}
		failed   = map[cdp.LoaderID]string{}
		commits  []commit // the documents the tab's main frame took, in order
		changed  = make(chan struct{}, 1)
	)
	err := chromedp.Listen(lctx, func(ev any) {
		mu.Lock()
		seq++
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if ev.Type == network.ResourceTypeDocument {
				requests[ev.RequestID] = ev.LoaderID
				if _, ok := sent[ev.LoaderID]; !ok {
					sent[ev.LoaderID] = seq
				}
			}
		case *page.EventFrameNavigated:
			if ev.Frame.ParentID == "" {
				commits = append(commits, commit{seq, ev.Frame.LoaderID})
			}
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument {
				status[ev.LoaderID] = ev.Response.Status
			}
		case *network.EventLoadingFailed:
			if l, ok := requests[ev.RequestID]; ok {
				failed[l] = ev.ErrorText
			}
		case *page.EventLifecycleEvent:
			if ev.Name == "load" {
				loaded[ev.LoaderID] = true
			}
		}
		mu.Unlock()
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return 0, err
	}
	res, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: u})
	switch {
	case err != nil:
		return 0, err
	case res.ErrorText == errAborted.Error():
		return 0, errAborted
	case res.ErrorText != "":
		return 0, errors.New(res.ErrorText)
	case res.LoaderID == "":
		return 0, fmt.Errorf("%s is a move within the page, not a load: use do", u)
	}
	for {
		mu.Lock()
		st, done, fail := status[res.LoaderID], loaded[res.LoaderID], failed[res.LoaderID]
		// Another document that the main frame took after this
		// navigation's request went, and that loaded, ended it (Chromium
		// does not always say so with a failed load).
		lost := false
		if at, ok := sent[res.LoaderID]; ok && !done {
			for _, c := range commits {
				if c.seq > at && c.loader != res.LoaderID && loaded[c.loader] {
					lost = true
				}
			}
		}
		mu.Unlock()
		switch {
		case fail == errAborted.Error() || lost:
			return 0, errAborted
		case fail != "":
			return 0, errors.New(fail)
		case done && st > 0:
			return st, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, fmt.Errorf("the navigation (status %d, loaded %v) did not finish: %w", st, done, ctx.Err())
		}
	}
}

// click clicks the element sel selects (which loads a page) and returns
// the status of the page.
func (tb *tab) click(sel string) int64 {
	tb.b.t.Helper()
	return tb.load(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// fill types value into the input sel selects, replacing what it held.
func (tb *tab) fill(sel, value string) {
	tb.b.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ""`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
}

// text returns the visible text of the element sel selects.
func (tb *tab) text(sel string) string {
	tb.b.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		tb.b.t.Fatalf("%s: text of %s: %v", tb.location(), sel, err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression in the page (a promise is
// awaited) and decodes its value into v.
func (tb *tab) eval(expr string, v any) {
	tb.b.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.b.t.Fatalf("%s: evaluating %.60q: %v", tb.location(), expr, err)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			tb.b.t.Fatalf("decoding %s: %v", raw, err)
		}
	}
}

// location returns the tab's URL, for messages.
func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown page)"
	}
	return u
}

// waitText waits until the element sel selects holds want in its text;
// the page may load again meanwhile (a refresh, or a script's reload). It
// fails the test when that does not happen within actionTimeout.
func (tb *tab) waitText(sel, want string) {
	tb.b.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent : ""; })()`, sel)
	last := ""
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err == nil && strings.Contains(s, want) {
			return
		}
		if err == nil {
			last = s
		}
		select {
		case <-ctx.Done():
			tb.b.t.Fatalf("%s: %s never showed %q (last: %q)", tb.location(), sel, want, strings.TrimSpace(last))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// has reports whether an element matches sel now.
func (tb *tab) has(sel string) bool {
	tb.b.t.Helper()
	var n int
	tb.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n > 0
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// check saves a full-page screenshot of the page as name.png, runs axe-core
// on it (a serious or critical violation fails the test) and, in a phone
// tab, checks that the page does not scroll sideways and that no label of
// the main nav wraps.
func (tb *tab) check(name string) {
	tb.b.t.Helper()
	t := tb.b.t
	name = tb.screenshot(name)
	tb.axe(name)
	if tb.width <= phoneWidth {
		var wide struct{ Scroll, Client int }
		tb.eval(`({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})`, &wide)
		if wide.Scroll > wide.Client {
			// Name the innermost elements that stick out, to help fix it.
			var culprits []string
			tb.eval(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 &&
				![...e.children].some(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1)).slice(0, 5).map(e =>
				e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ").join(".") : "") + " (" + Math.round(e.getBoundingClientRect().right) + " px)")`, &culprits)
			t.Errorf("%s (%s) scrolls sideways at %d px: %d px wide; sticking out: %s", name, tb.location(), tb.width, wide.Scroll, strings.Join(culprits, ", "))
		}
		// The main nav's labels each keep to one line.
		var broken []string
		tb.eval(`[...document.querySelectorAll(".top nav a")].filter(a => { const r = document.createRange(); r.selectNodeContents(a);
			return new Set([...r.getClientRects()].filter(c => c.width > 0).map(c => Math.round(c.top))).size > 1; }).map(a => a.textContent.trim())`, &broken)
		if len(broken) > 0 {
			t.Errorf("%s (%s) at %d px: the nav wraps %q over two lines", name, tb.location(), tb.width, broken)
		}
	}
}

// screenshot saves a full-page screenshot of the page as name.png in the
// output folder, and returns the name as used.
func (tb *tab) screenshot(name string) string {
	tb.b.t.Helper()
	t := tb.b.t
	name = unsafeName.ReplaceAllString(strings.ToLower(name), "-")
	if tb.b.shots[name] {
		t.Fatalf("two pages saved as %q", name)
	}
	tb.b.shots[name] = true
	ctx, cancel := tb.step()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	cancel()
	if err != nil {
		t.Fatalf("%s: screenshot: %v", tb.location(), err)
	}
	if err := os.WriteFile(filepath.Join(tb.b.out, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// axeViolation is what the tests keep of an axe-core violation.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axe runs axe-core on the page, appends its violations to the output
// folder's axe.txt, and fails the test on serious or critical ones.
func (tb *tab) axe(name string) {
	tb.b.t.Helper()
	t := tb.b.t
	var loaded bool
	tb.eval(`typeof window.axe === "object"`, &loaded)
	if !loaded {
		ctx, cancel := tb.step()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](tb.b.axe))
		cancel()
		if err != nil {
			t.Fatalf("%s: injecting axe-core: %v", tb.location(), err)
		}
	}
	var res struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
	}
	tb.eval(`axe.run(document, {resultTypes: ["violations"]}).then(r => ({passes: r.passes.length,
		violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))}))`, &res)
	if res.Passes == 0 {
		t.Errorf("axe-core on %s passed no rule: did it run?", name)
	}
	report := fmt.Sprintf("%s (%s): %d rules passed, %d violated\n", name, tb.location(), res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		line := fmt.Sprintf("  %s [%s] %s: %s\n", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
		report += line
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe-core on %s: %s", name, strings.TrimSpace(line))
		}
	}
	f, err := os.OpenFile(filepath.Join(tb.b.out, "axe.txt"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(report); err != nil {
		t.Fatal(err)
	}
}

// fetch fetches path from the page (with the tab's cookies) and returns
// the HTTP status, the Content-Type and the body.
func (tb *tab) fetch(path string) (status int, contentType, body string) {
	tb.b.t.Helper()
	var r struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
		Type   string `json:"type"`
	}
	tb.eval(fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(async r => ({status: r.status, body: await r.text(), type: r.headers.get("content-type") || ""}))`, path), &r)
	return r.Status, r.Type, r.Body
}

// TestBrowserLoadWithoutResponse: when chromedp.RunResponse returns no
// response and no error (its events followed a navigation started before,
// as when a form that press submitted lands while the next page loads),
// the helpers wait for the page asked for and give its status instead of
// dereferencing nil. And open, which follows its own navigation by its
// loader ID, gives the page it asked for even when a page script's
// navigation lands, or aborts it, meanwhile.
func TestBrowserLoadWithoutResponse(t *testing.T) {
	b := newBrowser(t)
	s := startServer(t, "")
	s.cli("user", "create", "--email", "ada@example.com", "--name", "Ada Lovelace")
	tb := b.tab(s, desktopWidth)
	if st := tb.open("/signin"); st != 200 {
		t.Fatalf("/signin: %d", st)
	}
	// The fallback itself: a navigation RunResponse did not follow.
	ctx, cancel := tb.step()
	tb.markDocument(ctx)
	tb.do(chromedp.Evaluate[chromedp.Void](`setTimeout(() => { location.href = "/nowhere" }, 100)`))
	if st := tb.settle(ctx, ""); st != 404 {
		t.Errorf("settle after a script's navigation to /nowhere: %d, want 404", st)
	}
	cancel()

	// open while the page's script navigates elsewhere: whichever lands
	// first, open gives /j and its status, not /nowhere's 404.
	for i := 0; i < 5; i++ {
		tb.open("/signin")
		tb.do(chromedp.Evaluate[chromedp.Void](`setTimeout(() => { location.href = "/nowhere" }, 0)`))
		if st := tb.open("/j"); st != 200 {
			t.Errorf("open /j while a script went to /nowhere: %d, want 200", st)
		}
		if u := tb.location(); u != s.url+"/j" {
			t.Errorf("open /j while a script went to /nowhere ended at %s", u)
		}
	}
}
