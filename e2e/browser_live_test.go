package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// waitTrue waits until the JavaScript expression is true in the tab.
func (tb *tab) waitTrue(expr, what string) {
	tb.b.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	for {
		var ok bool
		tb.eval(expr, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.b.t.Fatalf("%s: %s never happened", tb.location(), what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserLiveMeeting: during an open occurrence the meeting page leads
// with the live waiting room and roster; someone starting to wait shows in
// the tab's title, in a line above the roster, and as a tone; Admit all
// lets everyone in; failed attempts appear as they happen; all without a
// reload. Codes and PINs never wrap mid-value, at desktop or phone width.
func TestBrowserLiveMeeting(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, desktopWidth)
	signUpOwner(t, s, host, false)
	tok := strings.TrimSpace(s.cli("token", "create", "--email", "ada@example.com"))
	m := s.schedule(tok, scheduledAt(time.Now().UTC().Add(5*time.Minute).Truncate(time.Minute), map[string]any{
		"topic":    "Live review",
		"security": map[string]any{"passcode": "unique", "waiting_room": true},
		"invitees": []map[string]any{{"name": "Grace Hopper"}, {"name": "Alan Turing"}},
	}))
	page := "/meetings/" + m.ID
	host.open(page)
	var first bool
	host.eval(`(() => { const r = document.getElementById("roster").getBoundingClientRect().top;
		return r < document.getElementById("details").getBoundingClientRect().top && r < document.getElementById("invite").getBoundingClientRect().top && r < 300; })()`, &first)
	if !first {
		t.Errorf("the live roster is not the first thing on the page of an open occurrence")
	}
	host.click("#show-invitees button[type=submit]")
	noWrap := `[...document.querySelectorAll(".invitee-pin, .invitee-passcode, #meeting-id")].filter(e => e.textContent.trim()).every(e => {
		const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length === 1; })`
	var whole bool
	host.eval(noWrap, &whole)
	if !whole {
		t.Errorf("a PIN, passcode or the meeting ID wraps mid-value at %d px", desktopWidth)
	}
	host.open(page)
	host.waitTrue(`document.getElementById("roster").dataset.live === "on"`, "the live roster")
	host.eval(`window.__notReloaded = true`, nil)

	path := func(link string) string {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	grace := b.tab(s, phoneWidth)
	grace.open(path(m.Invitees[0].Link))
	grace.click("#join-button")
	grace.waitText("#status", "Waiting for the host to let you in")
	host.waitText("#waiting", "Grace Hopper")
	host.waitTrue(`document.title.startsWith("(1 waiting) ")`, "the tab title counting one waiting")
	if got := host.text("#waiting-cue"); !strings.Contains(got, "Grace Hopper") {
		t.Errorf("the cue says %q, want Grace Hopper", got)
	}
	var tone string
	host.eval(`document.getElementById("roster").dataset.tone || ""`, &tone)
	if tone == "" {
		t.Errorf("no tone was played when Grace started waiting")
	}
	alan := b.tab(s, desktopWidth)
	alan.open(path(m.Invitees[1].Link))
	alan.click("#join-button")
	alan.waitText("#status", "Waiting for the host to let you in")
	host.waitTrue(`document.title.startsWith("(2 waiting) ")`, "the tab title counting two waiting")
	host.check("host-meeting-live")

	// A failed attempt shows up by itself.
	s.do("POST", "/api/v1/join", "", map[string]any{"meeting_id": m.MeetingID, "passcode": "Wrong-guess-42"}).must(t, 403)
	host.waitTrue(`document.querySelectorAll("#attempts tr.attempt").length > 0`, "the failed attempt in the live list")

	host.press("#admit-all")
	grace.waitText("#status", "You are in the meeting")
	alan.waitText("#status", "You are in the meeting")
	host.waitText("#participants", "Alan Turing")
	host.waitTrue(`!document.title.includes("waiting")`, "the tab title without a count")
	var still bool
	host.eval(`window.__notReloaded === true`, &still)
	if !still {
		t.Errorf("the host's page loaded again: the live view should follow without a reload")
	}

	phone := b.tab(s, phoneWidth)
	phone.open(page)
	phone.eval(noWrap, &whole)
	if !whole {
		t.Errorf("a PIN, passcode or the meeting ID wraps mid-value at %d px", phoneWidth)
	}
	phone.check("host-meeting-live-phone")
}
