package web

import (
	"html/template"
	"strings"
)

func init() {
	funcs["navCurrent"] = navCurrent
}

// navCurrent returns aria-current="page" for the main navigation's link to
// href when the page at path belongs to that section, and nothing
// otherwise. A meeting's own pages (/meetings/{id}/…) belong to Meetings;
// /meetings alone is the past meetings, /meetings/new the schedule form.
func navCurrent(path, href string) template.HTMLAttr {
	if navSection(path) == href {
		return `aria-current="page"`
	}
	return ""
}

// navSection returns the href of the navigation link whose section holds
// the page at path, or "" for a page outside them.
func navSection(path string) string {
	switch {
	case path == "/" || path == "/meetings/new" || path == "/meetings":
		return path
	case strings.HasPrefix(path, "/meetings/"):
		return "/"
	}
	for _, s := range []string{"/audit", "/contacts", "/users", "/settings"} {
		if path == s || strings.HasPrefix(path, s+"/") {
			return s
		}
	}
	return ""
}
