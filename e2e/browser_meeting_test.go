package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserHostAndParticipants runs a meeting from the host's side in a
// browser, with participants in other tabs: the owner's set-up through the
// printed link, scheduling with unique passcodes and a waiting room,
// showing and hiding the access code, two invitees and a second use of one
// invitee's link joining (the host's roster shows them live, "Grace Hopper
// (2)" marked shared), admitting and denying from the waiting room (each
// participant's page follows), a wrong passcode's message, the attendance
// CSV, sign-out and sign-in; every main page at phone width too.
func TestBrowserHostAndParticipants(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, desktopWidth)
	signUpOwner(t, s, host, true)
	host.check("dashboard-empty")

	// Schedule: starts in ten minutes, so it is open now (15 minutes'
	// early join by default).
	start := time.Now().UTC().Add(10 * time.Minute).Truncate(time.Minute)
	host.open("/meetings/new")
	host.check("schedule")
	host.fill("#topic", "Design review")
	host.set("#date", start.Format("2006-01-02"))
	host.set("#time", start.Format("15:04"))
	host.set("#duration", "60")
	host.set("#timezone", "UTC")
	host.do(chromedp.SendKeys(chromedp.CSS("#invitees"), "Grace Hopper <grace@example.com>\nAlan Turing"))
	host.checked("#access_code")
	host.checked(`input[name="passcode_mode"][value="unique"]`)
	host.checked("#waiting_room")
	if st := host.click("#schedule-form button[type=submit]"); st != 200 {
		t.Fatalf("schedule: %d", st)
	}
	u, _ := url.Parse(host.location())
	if u == nil || !strings.HasPrefix(u.Path, "/meetings/") {
		t.Fatalf("after scheduling: %s, want the meeting's page", host.location())
	}
	meetingPage := u.Path
	meetingID := strings.ReplaceAll(host.text("#meeting-id"), " ", "")
	if len(meetingID) != 11 {
		t.Fatalf("meeting ID %q", meetingID)
	}
	host.check("meeting")

	// Show and hide the access code.
	if got := host.text("#access-code"); !dotsRe.MatchString(got) {
		t.Errorf("access code shown before asking: %q", got)
	}
	host.press(`button.reveal[data-what="access_code"]`)
	code := strings.ReplaceAll(host.waitMatch("#access-code", digitsRe), " ", "")
	host.check("meeting-code-shown")
	if host.has("a.hide") {
		host.click("a.hide") // without the script: a link back to the page
	} else {
		host.press(`button.reveal[data-what="access_code"]`)
	}
	host.waitMatch("#access-code", dotsRe)

	// The invitees' links and passcodes show when the host asks (audited).
	inviteesFrom := host.location()
	host.click("#show-invitees button[type=submit]")
	type invitee struct{ name, link, passcode string }
	var invitees []invitee
	var rows [][]string
	host.eval(`[...document.querySelectorAll("#invitees tr.invitee")].map(r => [r.cells[0].textContent.trim(),
		r.querySelector(".invitee-link").getAttribute("href"), r.querySelector(".invitee-passcode").textContent.trim()])`, &rows)
	for _, r := range rows {
		invitees = append(invitees, invitee{r[0], r[1], r[2]})
	}
	if len(invitees) != 2 || !strings.HasPrefix(invitees[0].name, "Grace Hopper") || !strings.HasPrefix(invitees[1].name, "Alan Turing") {
		t.Fatalf("invitees table %q", rows)
	}
	if invitees[0].passcode == "" || invitees[0].passcode == invitees[1].passcode {
		t.Errorf("unique passcodes %q and %q", invitees[0].passcode, invitees[1].passcode)
	}

	// The host's page stays as it is from here on: its roster must follow
	// by itself.
	host.open(inviteesFrom)
	host.eval(`window.__notReloaded = true`, nil)

	join := func(name, link string, width int64) *tab {
		p := b.tab(s, width)
		lu, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		p.open(lu.Path)
		if got := p.text("#greeting"); got != "Welcome, "+name {
			t.Errorf("greeting %q, want Welcome, %s", got, name)
		}
		if got := p.text("#join-as"); got != "You join as "+name+", the name on your invitation." {
			t.Errorf("before joining %s reads %q", name, got)
		}
		p.click("#join-button")
		p.waitText("#status", "Waiting for the host to let you in")
		return p
	}
	grace := join("Grace Hopper", invitees[0].link, phoneWidth)
	alan := join("Alan Turing", invitees[1].link, desktopWidth)
	grace2 := join("Grace Hopper", invitees[0].link, desktopWidth)
	if got := grace.text("#join-name"); !strings.Contains(got, "Grace Hopper, the name on your invitation") {
		t.Errorf("Grace's page says %q", got)
	}
	if got := grace2.text("#join-name"); !strings.Contains(got, "Grace Hopper (2): you came with Grace Hopper's invitation, which someone used already") {
		t.Errorf("the second use of Grace's link says %q", got)
	}

	host.waitText("#waiting", "Grace Hopper (2)")
	host.waitText("#waiting", "Alan Turing")
	var still bool
	host.eval(`window.__notReloaded === true`, &still)
	if !still {
		t.Errorf("the host's page loaded again: the roster should follow without a reload")
	}
	if !host.has("#waiting li.waiting .badge.shared") {
		t.Errorf("the second use of Grace's link is not marked shared")
	}
	host.check("roster-waiting")

	host.press(`#waiting button[aria-label="Admit Grace Hopper"]`)
	host.waitText("#participants", "Grace Hopper")
	grace.waitText("#status", "You are in the meeting")
	host.press(`#waiting button[aria-label="Admit Grace Hopper (2)"]`)
	host.waitText("#participants", "Grace Hopper (2)")
	grace2.waitText("#status", "You are in the meeting")
	host.press(`#waiting button[aria-label="Deny Alan Turing"]`)
	alan.waitText("#status", "The host did not let you in")
	host.waitText("#waiting", "Nobody is waiting")
	var shared []string
	host.eval(`[...document.querySelectorAll("#participants tr.participant")].filter(r => r.querySelector(".badge.shared")).map(r => r.querySelector(".name").textContent)`, &shared)
	if len(shared) != 1 || shared[0] != "Grace Hopper (2)" {
		t.Errorf("participants marked shared: %q, want Grace Hopper (2)", shared)
	}
	host.check("roster-admitted")

	// A wrong passcode: the participant sees the uniform message.
	mallory := b.tab(s, phoneWidth)
	mallory.open("/j/" + meetingID)
	mallory.fill("#passcode", "Not-the-one-77")
	if st := mallory.click("#passcode-form button[type=submit]"); st != 403 {
		t.Errorf("wrong passcode: %d", st)
	}
	if got := mallory.text(`.error[role="alert"]`); got != refusalText {
		t.Errorf("wrong passcode's message %q", got)
	}
	// The access code the host was shown lets a participant in (with a
	// passcode of the meeting).
	mallory.open("/code")
	mallory.fill("#access_code", code)
	mallory.fill("#passcode", invitees[1].passcode)
	mallory.click("#code-form button[type=submit]")
	mallory.waitText("#status", "Waiting for the host to let you in")
	grace2.click("#leave")
	grace2.waitText("#status", "You left the meeting")
	// Removed by the host: the joined page follows too.
	host.press(`#participants button[aria-label="Remove Grace Hopper"]`)
	grace.waitText("#status", "The host removed you from the meeting")

	// Attendance and its CSV.
	host.open(meetingPage)
	host.click("#attendance-link")
	host.check("attendance")
	href := ""
	host.eval(`document.querySelector("#attendance-csv").getAttribute("href")`, &href)
	status, ctype, csv := host.fetch(href)
	if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !strings.Contains(csv, "Grace Hopper") || !strings.Contains(csv, "Grace Hopper (2)") {
		t.Errorf("attendance CSV: %d %s\n%s", status, ctype, csv)
	}
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) < 4 {
		t.Errorf("attendance CSV has %d lines, want a header and a row for each of three participants:\n%s", len(lines), csv)
	}

	// The dashboard lists the call; every main page at phone width.
	host.open("/")
	host.waitText("#today", meetingID[:3])
	if got := host.text("#today .occurrence .code-state"); got != "open" {
		t.Errorf("today's call's code state %q, want open", got)
	}
	host.check("dashboard")
	phone := b.tab(s, phoneWidth)
	for _, pg := range []struct{ path, name string }{
		{"/", "dashboard-phone"},
		{"/meetings/new", "schedule-phone"},
		{meetingPage, "meeting-phone"},
	} {
		phone.open(pg.path)
		phone.check(pg.name)
	}
	phone.open(meetingPage)
	phone.click("#attendance-link")
	phone.check("attendance-phone")

	// Sign out, a wrong password, sign in.
	host.click(`form.signout button[type="submit"]`)
	if u, _ := url.Parse(host.location()); u == nil || u.Path != "/signin" {
		t.Fatalf("after sign-out: %s, want /signin", host.location())
	}
	host.fill("#signin-form #email", "ada@example.com")
	host.fill("#signin-form #password", "not my password")
	host.click("#signin-form button[type=submit]")
	if got := host.text(`.error[role="alert"]`); got != "Wrong email or password." {
		t.Errorf("wrong password's message %q", got)
	}
	host.check("signin-wrong")
	host.fill("#signin-form #password", ownerPassword)
	host.click("#signin-form button[type=submit]")
	host.waitText("#today", "Design review")
}
