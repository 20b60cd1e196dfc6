package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserHostPages visits every host page at phone width with
// JavaScript on, saves a screenshot and runs axe-core on each, and drives
// what the host script adds: the passcode policy and guessing bound
// checked as the host types, the eye button revealing in place (and filling
// the invitation), and the live roster following joins without a reload.
func TestBrowserHostPages(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, phoneWidth)
	signUpOwner(t, s, host, false)
	host.check("host-dashboard-empty")

	host.open("/contacts")
	host.fill("#contact-name", "Grace Hopper")
	host.fill("#contact-email", "grace@example.com")
	host.click("#contact-form button[type=submit]")
	host.waitText("#contacts", "Grace Hopper")
	host.check("host-contacts")

	start := time.Now().UTC().Add(5 * time.Minute).Truncate(time.Minute)
	host.open("/meetings/new")
	host.check("host-schedule")
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
	host.check("host-meeting")
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
	host.check("host-meeting-live")

	host.click("#attendance-link")
	host.waitText("#attendance", "Katherine Johnson")
	host.check("host-attendance")

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
	host.check("host-audit")

	host.open("/users")
	host.fill("#invite-name", "Hank Host")
	host.fill("#invite-email", "hank@example.com")
	host.click("#invite-user-form button[type=submit]")
	host.waitText("#invitation-made", "Hank Host")
	host.check("host-users")

	host.open("/settings")
	host.check("host-settings")

	host.open("/")
	host.waitText("#today", "Page tour")
	host.check("host-dashboard")

	host.click("a.start")
	host.click("#delete")
	host.check("host-delete")

	host.open("/")
	host.click(`form.signout button[type="submit"]`)
	other := host
	other.open("/signin")
	other.check("host-signin")
	other.fill("#signin-form #email", "ada@example.com")
	other.fill("#signin-form #password", "not the password")
	other.click("#signin-form button[type=submit]")
	other.waitText(".error", "Wrong email or password.")
	other.check("host-signin-failed")
}
