package e2e_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// checkBoth checks the page (see check) twice, as name-375 at phone width
// and as name-1280 at desktop width, whatever the tab's own width, which it
// has again afterwards.
func (tb *tab) checkBoth(name string) {
	tb.b.t.Helper()
	own := tb.width
	for _, w := range []int64{phoneWidth, desktopWidth} {
		tb.resize(w)
		tb.check(fmt.Sprintf("%s-%d", name, w))
	}
	tb.resize(own)
}

// resize gives the tab a viewport width wide, a phone's at phoneWidth.
func (tb *tab) resize(width int64) {
	tb.b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if width <= phoneWidth {
		opts = append(opts, chromedp.EmulateMobile)
	}
	tb.do(chromedp.EmulateViewport(width, 800, opts...))
	tb.width = width
}

// TestBrowserHostPages visits every host page with JavaScript on, saves a
// screenshot of each at phone and at desktop width and runs axe-core on
// both, and drives
// what the host script adds: the passcode policy and guessing bound
// checked as the host types, the eye button revealing in place (and filling
// the invitation), and the live roster following joins without a reload.
func TestBrowserHostPages(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, phoneWidth)
	signUpOwner(t, s, host, false)
	host.checkBoth("host-dashboard-empty")

	host.open("/contacts")
	host.fill("#contact-name", "Grace Hopper")
	host.fill("#contact-email", "grace@example.com")
	host.click("#contact-form button[type=submit]")
	host.waitText("#contacts", "Grace Hopper")
	host.checkBoth("host-contacts")

	start := time.Now().UTC().Add(5 * time.Minute).Truncate(time.Minute)
	host.open("/meetings/new")
	host.checkBoth("host-schedule")
	host.fill("#topic", "Page tour")
	host.set("#date", start.Format("2006-01-02"))
	host.set("#time", start.Format("15:04"))
	host.set("#timezone", "UTC")
	host.checked(`input[name="passcode_mode"][value="shared"]`)
	host.fill("#passcode", "123456")
	host.waitText("#passcode-check", "sequence")
	host.fill("#passcode", "Kq7-mZp2xw")
	host.waitText("#passcode-check", "meets the policy")
	host.waitText("#bound-state", "Within the account's limit")
	host.checked(`input[name="passcode_mode"][value="none"]`)
	host.waitText("#bound-state", "above the account's limit")
	host.checked(`input[name="passcode_mode"][value="shared"]`)
	host.waitText("#bound-state", "Within the account's limit")
	host.fill("#invitees", "Alan Turing <alan@example.com>")
	host.click("#schedule-form button[type=submit]")
	host.waitText("#meeting-id", " ")
	host.checkBoth("host-meeting")
	meetingID := strings.ReplaceAll(host.text("#meeting-id"), " ", "")

	// The eye button shows the passcode in place, and in the invitation.
	if got := host.text("#passcode"); strings.Contains(got, "Kq7") {
		t.Fatalf("passcode shown before the eye button: %q", got)
	}
	host.do(chromedp.Click(`button.reveal[data-what="passcode"]`, chromedp.NodeVisible))
	host.waitText("#passcode", "Kq7-mZp2xw")
	var inv string
	host.eval(`document.getElementById("invitation").value`, &inv)
	if !strings.Contains(inv, "Passcode: Kq7-mZp2xw") {
		t.Errorf("the invitation does not hold the shown passcode:\n%s", inv)
	}
	host.do(chromedp.Click(`button.reveal[data-what="passcode"]`, chromedp.NodeVisible))
	host.waitText("#passcode", "••••")

	// The roster follows a join by itself.
	host.waitText("#roster-live", "Nobody yet")
	j := s.do("POST", "/api/v1/join", "", map[string]any{"meeting_id": meetingID, "passcode": "Kq7-mZp2xw", "name": "Katherine Johnson", "channel": "web"})
	if j.status != 200 {
		t.Fatalf("join: %d %s", j.status, j.raw)
	}
	host.waitText("#participants", "Katherine Johnson")
	s.join(map[string]any{"meeting_id": meetingID, "passcode": "Wrong-guess-42", "name": "Mallory"}).must(t, 403)
	host.waitTrue(`document.querySelectorAll("#attempts tr.attempt").length > 0`, "the failed attempt in the live list")
	host.checkBoth("host-meeting-live")
	meetingPage := host.location()

	host.click("#edit")
	host.waitText("h1", "Page tour")
	host.checkBoth("host-edit")
	host.open(meetingPage)

	host.click("#attendance-link")
	host.waitText("#attendance", "Katherine Johnson")
	host.checkBoth("host-attendance")

	// The audit page shows the latest signed checkpoint (the integrator
	// signs one within a second of new entries); reload until it has one.
	for i := 0; ; i++ {
		host.open("/audit")
		if strings.Contains(host.text("#log-status"), "Latest signed checkpoint") || i == 20 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	host.waitText("#log-status", "Latest signed checkpoint")
	host.checkBoth("host-audit")

	host.open("/users")
	host.fill("#invite-name", "Hank Host")
	host.fill("#invite-email", "hank@example.com")
	host.click("#invite-user-form button[type=submit]")
	host.waitText("#invitation-made", "Hank Host")
	host.checkBoth("host-users")

	host.open("/settings")
	host.checkBoth("host-settings")

	// A meeting under way, with someone in its waiting room: the live view
	// with a decision to make, and a row in the past meetings.
	tok := strings.TrimSpace(s.cli("token", "create", "--email", "ada@example.com"))
	standup := s.schedule(tok, scheduledAt(time.Now().UTC().Add(-10*time.Minute).Truncate(time.Minute), map[string]any{
		"topic": "Standup", "timezone": "UTC", "security": map[string]any{"passcode": "none", "waiting_room": true}}))
	s.join(map[string]any{"meeting_id": standup.MeetingID, "name": "Rosalind Franklin", "channel": "web"}).must(t, 200)
	host.open("/meetings/" + standup.ID)
	host.waitText("#waiting", "Rosalind Franklin")
	host.checkBoth("host-meeting-waiting")

	// Ended: the confirmation, then the meeting page in the ended state.
	host.click("#end")
	host.waitText("#end-count", "1 waiting")
	host.checkBoth("host-end")
	host.click("#end-form button[type=submit]")
	host.waitText(".code-state", "ended")
	if !host.has(".code-state.badge.state-ended") {
		t.Errorf("the ended occurrence's state is not styled as ended: %q", host.text("#details"))
	}
	if got := host.text("#details"); !strings.Contains(got, "ended by the host") {
		t.Errorf("the ended occurrence's details do not say the host ended it: %q", got)
	}
	host.waitText("#roster-ended", "its attendance")
	host.checkBoth("host-meeting-ended")

	host.open("/meetings")
	host.waitText("#history", "Standup")
	host.checkBoth("host-history")

	host.open("/")
	host.waitText("#today", "Page tour")
	// The ended standup offers its attendance, not a Start.
	if host.has(`a.start[aria-label="Start Standup"]`) || !host.has(`a.attendance[aria-label="Attendance of Standup"]`) {
		t.Errorf("the dashboard offers an ended occurrence no attendance link, or a Start: %q", host.text("#today"))
	}
	host.checkBoth("host-dashboard")

	host.click("a.start")
	host.click("#delete")
	host.checkBoth("host-delete")

	host.open("/")
	host.click(`form.signout button[type="submit"]`)
	other := host
	other.open("/signin")
	other.checkBoth("host-signin")
	other.fill("#signin-form #email", "ada@example.com")
	other.fill("#signin-form #password", "not the password")
	other.click("#signin-form button[type=submit]")
	other.waitText(".error", "Wrong email or password.")
	other.checkBoth("host-signin-failed")
}
