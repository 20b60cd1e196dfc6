package web

import "testing"

var navSectionTests = []struct{ path, want string }{
	{"/", "/"},
	{"/meetings/new", "/meetings/new"},
	{"/meetings", "/meetings"},
	{"/meetings/mzzi123", "/"},
	{"/meetings/mzzi123/edit", "/"},
	{"/meetings/mzzi123/attendance", "/"},
	{"/audit", "/audit"},
	{"/contacts", "/contacts"},
	{"/users", "/users"},
	{"/settings", "/settings"},
	{"/settings/sso", "/settings"},
	{"/settingsx", ""},
	{"/signin", ""},
	{"/j", ""},
}

func TestNavSection(t *testing.T) {
	for _, tt := range navSectionTests {
		if got := navSection(tt.path); got != tt.want {
			t.Errorf("navSection(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	if got := navCurrent("/users", "/users"); got != `aria-current="page"` {
		t.Errorf("navCurrent on its own section = %q", got)
	}
	if got := navCurrent("/users", "/"); got != "" {
		t.Errorf("navCurrent on another section = %q", got)
	}
}
