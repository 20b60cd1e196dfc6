package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// zoned sets the tab's time zone, as the machine's own would be.
func (tb *tab) zoned(tz string) {
	tb.b.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tz}); err != nil {
		tb.b.t.Fatal(err)
	}
}

// TestBrowserTimezoneFromTheBrowser: a browser in New York sets up the
// owner, whose times then show in New York time without a visit to
// Settings; an invited host signing in from Tokyo gets Tokyo.
func TestBrowserTimezoneFromTheBrowser(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, desktopWidth)
	host.zoned("America/New_York")
	signUpOwner(t, s, host, false)
	if got := host.text("#times-in"); !strings.Contains(got, "America/New_York") {
		t.Errorf("dashboard says %q, want the browser's zone America/New_York", got)
	}
	s.cli("user", "create", "--email", "hank@example.com", "--name", "Hank Host")
	link := s.cli("user", "link", "--email", "hank@example.com")
	i := strings.Index(link, "/invite/")
	if i < 0 {
		t.Fatalf("user link printed no invitation link:\n%s", link)
	}
	hank := b.tab(s, phoneWidth)
	hank.zoned("Asia/Tokyo")
	hank.open(strings.Fields(link[i:])[0])
	hank.fill("#invite-form #password", "hank secret words 7")
	hank.fill("#invite-form #password_confirm", "hank secret words 7")
	hank.click("#invite-form button[type=submit]")
	if got := hank.text("#times-in"); !strings.Contains(got, "Asia/Tokyo") {
		t.Errorf("Hank's dashboard says %q, want Asia/Tokyo", got)
	}
	if out := s.cli("user", "list"); !strings.Contains(out, "Asia/Tokyo") || !strings.Contains(out, "America/New_York") {
		t.Errorf("user list does not show the zones from the browsers:\n%s", out)
	}
}
