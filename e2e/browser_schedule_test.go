package e2e_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// visible reports whether the element sel selects is shown (laid out).
func (tb *tab) visible(sel string) bool {
	tb.b.t.Helper()
	var v bool
	tb.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.getClientRects().length > 0; })()`, sel), &v)
	return v
}

// TestBrowserScheduleFormShowsWhatApplies: the shared passcode shows only
// with a shared passcode, the repetition's fields only for a series (the
// weekdays only for a weekly one), the usage limit only with an access
// code, all without a script; the guessing bound is said in words and
// follows the settings.
func TestBrowserScheduleFormShowsWhatApplies(t *testing.T) {
	s := startServer(t, "")
	b := newBrowser(t)
	host := b.tab(s, phoneWidth)
	signUpOwner(t, s, host, false)
	for _, script := range []bool{false, true} {
		tb := host
		if !script {
			tb = b.tab(s, phoneWidth)
			tb.noScript() // the same browser: signed in already
		}
		tb.open("/meetings/new")
		want := func(sel string, shown bool, when string) {
			t.Helper()
			if got := tb.visible(sel); got != shown {
				t.Errorf("script %v, %s: %s shown %v, want %v", script, when, sel, got, shown)
			}
		}
		tb.checked(`input[name="passcode_mode"][value="unique"]`)
		want("#passcode", false, "unique passcodes")
		tb.checked(`input[name="passcode_mode"][value="shared"]`)
		want("#passcode", true, "a shared passcode")
		want("#recurrence_count", false, "a one-off meeting")
		tb.set("#recurrence", "daily")
		want("#recurrence_count", true, "a daily series")
		want(`input[name="weekdays"]`, false, "a daily series")
		tb.set("#recurrence", "weekly")
		want(`input[name="weekdays"]`, true, "a weekly series")
		tb.checked("#access_code")
		want("#max_uses", true, "an access code")
		tb.press("#access_code")
		want("#max_uses", false, "no access code")
		if script {
			tb.checked(`input[name="passcode_mode"][value="shared"]`)
			tb.fill("#passcode", "Kq7-mZp2xw")
			tb.waitMatch("#bound-words", regexp.MustCompile(`about a 1 in [\d.,]+( \w+illion)? chance`))
			tb.waitText("#bound-state", "Within the account's limit of about a 1 in 1 million chance")
			tb.check("host-schedule-words")
		}
	}
	if got := host.text("#bound"); strings.Contains(got, "P ≤") && !strings.Contains(got, "How this is worked out") {
		t.Errorf("the bound is said in symbols: %q", got)
	}
}
