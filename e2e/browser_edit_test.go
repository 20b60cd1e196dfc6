package e2e_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestBrowserEditAndPastMeetings: the host reschedules a meeting from its
// page (an error names its field), and reaches a running meeting's
// attendance from the searchable list of past meetings; both pages pass
// axe at phone and desktop width.
func TestBrowserEditAndPastMeetings(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, phoneWidth)
	signUpOwner(t, s, host, false)
	tok := strings.TrimSpace(s.cli("token", "create", "--email", "ada@example.com"))
	later := time.Now().UTC().Add(3 * time.Hour).Truncate(time.Minute)
	m := s.schedule(tok, scheduledAt(later, map[string]any{"topic": "Roadmap", "timezone": "UTC"}))
	running := s.schedule(tok, scheduledAt(time.Now().UTC().Add(-10*time.Minute).Truncate(time.Minute), map[string]any{"topic": "Standup", "timezone": "UTC"}))

	host.open("/meetings/" + m.ID)
	host.click("#edit")
	host.check("host-edit")
	host.set("#date", time.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02"))
	host.click("#edit-form button[type=submit]")
	host.waitText("#form-error", "in the past")
	if got := host.attr("#date", "aria-invalid"); got != "true" {
		t.Errorf("the date's error is not tied to it: aria-invalid=%q", got)
	}
	host.fill("#topic", "Roadmap, moved")
	host.fill("#duration", "45")
	host.set("#time", later.Add(time.Hour).Format("15:04"))
	host.set("#date", later.Add(time.Hour).Format("2006-01-02"))
	host.click("#edit-form button[type=submit]")
	host.waitText("h1", "Roadmap, moved")
	if got := host.text(".flash"); !strings.Contains(got, "Saved") {
		t.Errorf("after saving the page says %q", got)
	}

	wide := b.tab(s, desktopWidth)
	wide.open("/")
	wide.click("#past-link")
	wide.waitText("#history", "Standup")
	wide.check("host-history")
	host.open("/meetings")
	host.check("host-history-phone")
	wide.open("/meetings/" + m.ID + "/edit")
	wide.check("host-edit-wide")
	wide.open("/meetings")
	if strings.Contains(wide.text("#history"), "Roadmap") {
		t.Errorf("a meeting to come is listed as past")
	}
	wide.fill("#q", "road")
	wide.click("#history-search button[type=submit]")
	wide.waitText("#history-empty", "No past meeting matches")
	wide.fill("#q", "stand")
	wide.click("#history-search button[type=submit]")
	wide.click("#history a.attendance")
	wide.waitText("h1", "Attendance")
	if !strings.Contains(wide.location(), "/meetings/"+running.ID+"/attendance") {
		t.Errorf("the attendance link led to %s", wide.location())
	}
}

// attr returns the attribute name of the element sel selects ("" without).
func (tb *tab) attr(sel, name string) string {
	tb.b.t.Helper()
	var v string
	tb.eval(`(() => { const e = document.querySelector(`+jsString(sel)+`); return e ? (e.getAttribute(`+jsString(name)+`) || "") : ""; })()`, &v)
	return v
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
