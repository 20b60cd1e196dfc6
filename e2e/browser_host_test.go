package e2e_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// setupLink waits for the one-time set-up link (in the file the server
// names on its standard output) and returns its path.
func (s *server) setupLink() string {
	s.t.Helper()
	u, err := url.Parse(s.setupURL())
	if err != nil || !strings.HasPrefix(u.Path, "/setup/") {
		s.t.Fatalf("set-up link %v", err)
	}
	return u.Path
}

// set gives an input a value through the DOM (date and time inputs take no
// typing that is the same in every locale).
func (tb *tab) set(sel, value string) {
	tb.b.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = %q`, sel, value)))
}

// press clicks the element sel selects without waiting for a page load:
// a script may handle the click in place, or it may submit a form. A live
// update that replaces the element between finding and clicking it makes
// press find it again.
func (tb *tab) press(sel string) {
	tb.b.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	for {
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		if err == nil {
			return
		}
		if ctx.Err() != nil || !strings.Contains(err.Error(), "Could not find node") && !strings.Contains(err.Error(), "Cannot find context") {
			tb.b.t.Fatalf("%s: clicking %s: %v", tb.location(), sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checked makes the checkbox or radio button sel selects checked.
func (tb *tab) checked(sel string) {
	tb.b.t.Helper()
	var on bool
	tb.eval(fmt.Sprintf(`document.querySelector(%q).checked`, sel), &on)
	if !on {
		tb.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
}

// waitMatch waits until the text of the element sel selects matches re.
func (tb *tab) waitMatch(sel string, re *regexp.Regexp) string {
	tb.b.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent : ""; })()`, sel)
	last := ""
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err == nil {
			if m := re.FindString(s); m != "" {
				return m
			}
			last = s
		}
		select {
		case <-ctx.Done():
			tb.b.t.Fatalf("%s: %s never matched %s (last: %q)", tb.location(), sel, re, strings.TrimSpace(last))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// signUpOwner creates the owner through the set-up link in the tab, and
// leaves it on the dashboard.
func signUpOwner(t *testing.T, s *server, host *tab, check bool) {
	t.Helper()
	if st := host.open(s.setupLink()); st != 200 {
		t.Fatalf("set-up link: %d", st)
	}
	if check {
		host.check("setup")
	}
	host.fill("#setup-form #name", "Ada Lovelace")
	host.fill("#setup-form #email", "ada@example.com")
	host.fill("#setup-form #password", ownerPassword)
	host.fill("#setup-form #password_confirm", ownerPassword)
	if st := host.click("#setup-form button[type=submit]"); st != 200 {
		t.Fatalf("set-up: %d", st)
	}
	if u, _ := url.Parse(host.location()); u == nil || u.Path != "/" {
		t.Fatalf("after set-up: %s, want the dashboard", host.location())
	}
}

const ownerPassword = "correct horse battery 9"

var (
	digitsRe = regexp.MustCompile(`\d[\d ]{7,}\d`)
	dotsRe   = regexp.MustCompile(`•+`)
)

// TestBrowserHostWithoutJavaScript does the host's forms with JavaScript
// off: set-up, sign-out and sign-in, scheduling, showing the access code,
// and admitting from the waiting room (after a Refresh: without scripts
// the roster does not follow by itself).
func TestBrowserHostWithoutJavaScript(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, phoneWidth)
	host.noScript()
	signUpOwner(t, s, host, false)
	host.click(`form.signout button[type="submit"]`)
	host.fill("#signin-form #email", "ada@example.com")
	host.fill("#signin-form #password", ownerPassword)
	host.click("#signin-form button[type=submit]")
	if u, _ := url.Parse(host.location()); u == nil || u.Path != "/" {
		t.Fatalf("after signing in: %s, want the dashboard", host.location())
	}

	start := time.Now().UTC().Add(5 * time.Minute).Truncate(time.Minute)
	host.open("/meetings/new")
	host.fill("#topic", "No-script sync")
	host.set("#date", start.Format("2006-01-02"))
	host.set("#time", start.Format("15:04"))
	host.set("#duration", "30")
	host.set("#timezone", "UTC")
	host.checked("#access_code")
	host.checked(`input[name="passcode_mode"][value="shared"]`)
	host.checked("#waiting_room")
	host.click("#schedule-form button[type=submit]")
	meetingID := strings.ReplaceAll(host.text("#meeting-id"), " ", "")
	host.click(`button.reveal[data-what="access_code"]`)
	code := strings.ReplaceAll(host.waitMatch("#access-code", digitsRe), " ", "")
	host.click(`button.reveal[data-what="passcode"]`)
	passcode := strings.TrimSpace(host.text("#passcode"))
	if dotsRe.MatchString(passcode) || passcode == "" {
		t.Fatalf("passcode not shown: %q", passcode)
	}

	p := b.tab(s, phoneWidth)
	p.noScript()
	p.open("/code")
	p.fill("#access_code", code)
	p.fill("#passcode", passcode)
	p.fill("#name", "Nora NoScript")
	p.click("#code-form button[type=submit]")
	p.waitText("#status", "Waiting for the host to let you in")

	host.click("#roster .refresh a")
	host.waitText("#waiting", "Nora NoScript")
	host.click(`#waiting button[aria-label="Admit Nora NoScript"]`)
	host.waitText("#participants", "Nora NoScript")
	p.waitText("#status", "You are in the meeting")
	if len(meetingID) != 11 {
		t.Errorf("meeting ID %q", meetingID)
	}
}
