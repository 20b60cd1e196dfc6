package ical_test

import (
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/admit-project/admit/ical"
)

// wantText is what a TEXT value reads back as: line breaks kept as LF, tabs
// as spaces, other control characters dropped, invalid UTF-8 replaced.
func wantText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
}

// wantParam is what a CN parameter reads back as.
func wantParam(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\r' || r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
}

// eventProps is the exact set of property names an event without a rule
// carries; anything else would be an injected property.
var eventProps = []string{"ATTENDEE", "DESCRIPTION", "DTEND", "DTSTAMP", "DTSTART", "LOCATION",
	"ORGANIZER", "SEQUENCE", "STATUS", "SUMMARY", "TRANSP", "UID"}

func checkNoInjection(t tb, summary, description, location, orgName, attName string) {
	t.Helper()
	start := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	e := &ical.Event{UID: "u@admit.example", Stamp: start, Start: start, End: start.Add(time.Hour),
		Summary: summary, Description: description, Location: location,
		Organizer: ical.Person{Name: orgName, Email: "o@example.com"},
		Attendees: []ical.Person{{Name: attName, Email: "a@example.com"}}}
	b, err := (&ical.Calendar{Method: ical.MethodRequest, Location: time.UTC, Events: []*ical.Event{e}}).Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	cal := parse(t, b)
	if n := len(cal.Children); n != 2 {
		t.Fatalf("%d components in the calendar, want VTIMEZONE and VEVENT", n)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0].Component
	if len(ev.Children) != 0 {
		t.Fatalf("the event has %d sub-components (an injected VALARM?)", len(ev.Children))
	}
	var names []string
	for name, ps := range ev.Props {
		if len(ps) != 1 {
			t.Fatalf("%d %s properties, want 1", len(ps), name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	want := eventProps
	if description == "" {
		want = without(want, "DESCRIPTION")
	}
	if location == "" {
		want = without(want, "LOCATION")
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("properties %v, want %v", names, want)
	}
	for name, in := range map[string]string{"SUMMARY": summary, "DESCRIPTION": description, "LOCATION": location} {
		if in == "" {
			continue
		}
		if got := text(t, ev, name); got != wantText(in) {
			t.Fatalf("%s = %q, want %q", name, got, wantText(in))
		}
	}
	org := ev.Props.Get("ORGANIZER")
	if org.Value != "mailto:o@example.com" {
		t.Fatalf("ORGANIZER value %q", org.Value)
	}
	if orgName != "" && org.Params.Get("CN") != wantParam(orgName) {
		t.Fatalf("ORGANIZER CN = %q, want %q", org.Params.Get("CN"), wantParam(orgName))
	}
	att := ev.Props.Get("ATTENDEE")
	if att.Value != "mailto:a@example.com" || att.Params.Get("RSVP") != "TRUE" {
		t.Fatalf("ATTENDEE %q RSVP %q", att.Value, att.Params.Get("RSVP"))
	}
	if attName != "" && att.Params.Get("CN") != wantParam(attName) {
		t.Fatalf("ATTENDEE CN = %q, want %q", att.Params.Get("CN"), wantParam(attName))
	}
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

var injectionTests = []string{
	"Plain",
	"Evil\r\nATTENDEE:mailto:eve@example.com",
	"Evil\nEND:VEVENT\nBEGIN:VEVENT\nUID:x",
	"Evil\rBEGIN:VALARM",
	"semi;colon,comma:colon\\backslash\"quote",
	"\\n not a newline \\; \\,",
	strings.Repeat("日本語のテキスト🎉", 40),
	strings.Repeat("é", 200) + "\r\n" + strings.Repeat("😀", 50),
	"bad utf8 \xff\xfe here",
	"tab\there \x00nul \x1b esc \u0085 nel",
}

func TestTextCannotInjectProperties(t *testing.T) {
	for _, s := range injectionTests {
		checkNoInjection(t, s, s, s, s, s)
	}
}

// TestTextRoundTripsProperty draws arbitrary names and topics, with the
// characters that matter over-represented.
func TestTextRoundTripsProperty(t *testing.T) {
	special := rapid.SampledFrom([]string{"\r", "\n", "\r\n", ";", ",", ":", "\\", "\"", "=", " ", "\t", "BEGIN:VALARM", "é", "😀", "日"})
	piece := rapid.OneOf(special, rapid.String(), rapid.StringOf(rapid.Rune()))
	str := rapid.Custom(func(t *rapid.T) string {
		parts := rapid.SliceOfN(piece, 0, 30).Draw(t, "parts")
		return strings.Join(parts, "")
	})
	rapid.Check(t, func(rt *rapid.T) {
		checkNoInjection(rt, str.Draw(rt, "summary"), str.Draw(rt, "description"), str.Draw(rt, "location"),
			str.Draw(rt, "organizer"), str.Draw(rt, "attendee"))
	})
}

func FuzzTextCannotInjectProperties(f *testing.F) {
	for _, s := range injectionTests {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, topic, name string) {
		checkNoInjection(t, topic, topic, topic, name, name)
	})
}

// TestFoldingKeepsUTF8 writes long values of multi-byte characters at every
// alignment and checks each physical line.
func TestFoldingKeepsUTF8(t *testing.T) {
	for pad := 0; pad < 8; pad++ {
		for _, r := range []string{"é", "€", "😀"} {
			s := strings.Repeat("x", pad) + strings.Repeat(r, 100)
			if !utf8.ValidString(s) {
				t.Fatal("bad test input")
			}
			checkNoInjection(t, s, s, s, s, s)
		}
	}
}
