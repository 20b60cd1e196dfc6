package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"github.com/admit-project/admit/ical"
)

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// checkRaw checks the physical format: CRLF line endings only, no line over
// 75 octets, every line valid UTF-8 on its own (folding never splits a
// sequence), continuation lines start with one space.
func checkRaw(t tb, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("the file does not end with CRLF")
	}
	lines := bytes.Split(b[:len(b)-2], []byte("\r\n"))
	for i, l := range lines {
		if bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > ical.MaxLineOctets {
			t.Fatalf("line %d is %d octets, want at most %d: %q", i+1, len(l), ical.MaxLineOctets, l)
		}
		if !utf8.Valid(l) {
			t.Fatalf("line %d is not valid UTF-8 on its own (a fold split a sequence): %q", i+1, l)
		}
		if len(l) == 0 {
			t.Fatalf("line %d is empty", i+1)
		}
	}
}

// parse parses b with an independent parser (emersion/go-ical).
func parse(t tb, b []byte) *goical.Calendar {
	t.Helper()
	checkRaw(t, b)
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot parse the file: %v\n%s", err, b)
	}
	return cal
}

func text(t tb, c *goical.Component, name string) string {
	t.Helper()
	ps := c.Props.Values(name)
	if len(ps) != 1 {
		t.Fatalf("%s: %d %s properties, want 1", c.Name, len(ps), name)
	}
	v, err := ps[0].Text()
	if err != nil {
		t.Fatalf("%s %s: %v", c.Name, name, err)
	}
	return v
}

func value(t tb, c *goical.Component, name string) string {
	t.Helper()
	p := c.Props.Get(name)
	if p == nil {
		t.Fatalf("%s has no %s", c.Name, name)
	}
	return p.Value
}

func dateTime(t tb, c *goical.Component, name string) time.Time {
	t.Helper()
	p := c.Props.Get(name)
	if p == nil {
		t.Fatalf("%s has no %s", c.Name, name)
	}
	v, err := p.DateTime(nil)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Name, name, err)
	}
	return v
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func children(c *goical.Component, name string) []*goical.Component {
	var out []*goical.Component
	for _, ch := range c.Children {
		if ch.Name == name {
			out = append(out, ch)
		}
	}
	return out
}

func TestRequestSeriesFieldByField(t *testing.T) {
	zurich := mustLoad(t, "Europe/Zurich")
	start := time.Date(2026, 3, 23, 9, 30, 0, 0, zurich) // a Monday, before the spring change
	stamp := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	moved := time.Date(2026, 3, 30, 9, 30, 0, 0, zurich) // third occurrence (MO 30 after WE 25)
	cancelled := time.Date(2026, 4, 1, 9, 30, 0, 0, zurich)
	master := &ical.Event{
		UID: "m123@admit.example", Sequence: 3, Stamp: stamp,
		Start: start, End: start.Add(45 * time.Minute),
		Summary:     "Weekly sync; budget, plans: Q2",
		Description: "Join: https://admit.example/j/1\nPIN: 1234",
		Location:    "https://admit.example/j/1?t=abc",
		URL:         "https://admit.example/j/1?t=abc",
		Organizer:   ical.Person{Name: "Ada, Host", Email: "ada@example.com"},
		Attendees:   []ical.Person{{Name: "Bob \"B\" Smith", Email: "bob@example.com"}},
		Rule:        &ical.Rule{Freq: ical.Weekly, Count: 6, ByDay: []string{"MO", "WE"}},
		ExDates:     []time.Time{cancelled},
	}
	override := &ical.Event{
		UID: master.UID, Sequence: 3, Stamp: stamp,
		RecurrenceID: moved, Start: moved.Add(2 * time.Hour), End: moved.Add(2*time.Hour + 45*time.Minute),
		Summary: master.Summary, Location: master.Location, URL: master.URL,
		Organizer: master.Organizer, Attendees: master.Attendees,
	}
	cal := &ical.Calendar{Method: ical.MethodRequest, Location: zurich, Events: []*ical.Event{master, override}}
	b, err := cal.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, b)
	for _, line := range []string{"DTSTART;TZID=Europe/Zurich:20260323T093000\r\n", "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO,WE;WKST=MO\r\n",
		"ORGANIZER;CN=\"Ada, Host\":mailto:ada@example.com\r\n", "EXDATE;TZID=Europe/Zurich:20260401T093000\r\n"} {
		if !bytes.Contains(b, []byte(line)) {
			t.Errorf("the file lacks the line %q", line)
		}
	}
	if m := value(t, got.Component, "METHOD"); m != "REQUEST" {
		t.Errorf("METHOD = %q, want REQUEST", m)
	}
	if v := value(t, got.Component, "VERSION"); v != "2.0" {
		t.Errorf("VERSION = %q, want 2.0", v)
	}
	tzs := children(got.Component, "VTIMEZONE")
	if len(tzs) != 1 || value(t, tzs[0], "TZID") != "Europe/Zurich" {
		t.Fatalf("want one VTIMEZONE Europe/Zurich, got %d", len(tzs))
	}
	events := got.Events()
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2", len(events))
	}
	e := events[0].Component
	for name, want := range map[string]string{
		"SUMMARY": master.Summary, "DESCRIPTION": master.Description, "LOCATION": master.Location,
		"UID": master.UID, "STATUS": "CONFIRMED",
	} {
		if got := text(t, e, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if v := value(t, e, "SEQUENCE"); v != "3" {
		t.Errorf("SEQUENCE = %q, want 3", v)
	}
	if v := value(t, e, "URL"); v != master.URL {
		t.Errorf("URL = %q, want %q", v, master.URL)
	}
	if v := dateTime(t, e, "DTSTAMP"); !v.Equal(stamp) {
		t.Errorf("DTSTAMP = %v, want %v", v, stamp)
	}
	if p := e.Props.Get("DTSTART"); p.Params.Get("TZID") != "Europe/Zurich" {
		t.Errorf("DTSTART TZID = %q, want Europe/Zurich", p.Params.Get("TZID"))
	}
	if v := dateTime(t, e, "DTSTART"); !v.Equal(start) {
		t.Errorf("DTSTART = %v, want %v", v, start)
	}
	if v := dateTime(t, e, "DTEND"); !v.Equal(master.End) {
		t.Errorf("DTEND = %v, want %v", v, master.End)
	}
	org := e.Props.Get("ORGANIZER")
	if org.Value != "mailto:ada@example.com" || org.Params.Get("CN") != "Ada, Host" {
		t.Errorf("ORGANIZER = %q CN %q", org.Value, org.Params.Get("CN"))
	}
	att := e.Props.Values("ATTENDEE")
	if len(att) != 1 {
		t.Fatalf("%d attendees, want 1", len(att))
	}
	if att[0].Value != "mailto:bob@example.com" || att[0].Params.Get("CN") != "Bob 'B' Smith" || att[0].Params.Get("RSVP") != "TRUE" {
		t.Errorf("ATTENDEE = %q CN %q RSVP %q", att[0].Value, att[0].Params.Get("CN"), att[0].Params.Get("RSVP"))
	}

	// The rule, expanded by rrule-go, gives the series minus the cancelled one.
	opt, err := e.Props.RecurrenceRule()
	if err != nil || opt == nil {
		t.Fatalf("RRULE: %v", err)
	}
	opt.Dtstart = dateTime(t, e, "DTSTART")
	rule, err := rrule.NewRRule(*opt)
	if err != nil {
		t.Fatal(err)
	}
	ex := map[time.Time]bool{}
	for _, p := range e.Props.Values("EXDATE") {
		x, err := p.DateTime(nil)
		if err != nil {
			t.Fatal(err)
		}
		ex[x.UTC()] = true
	}
	var starts []string
	for _, s := range rule.All() {
		if !ex[s.UTC()] {
			starts = append(starts, s.In(zurich).Format("Mon 02 Jan 15:04 MST"))
		}
	}
	want := []string{"Mon 23 Mar 09:30 CET", "Wed 25 Mar 09:30 CET", "Mon 30 Mar 09:30 CEST", "Mon 06 Apr 09:30 CEST", "Wed 08 Apr 09:30 CEST"}
	if strings.Join(starts, "|") != strings.Join(want, "|") {
		t.Errorf("occurrences\n got %v\nwant %v", starts, want)
	}

	o := events[1].Component
	if o.Props.Get("RRULE") != nil {
		t.Errorf("the override has an RRULE")
	}
	if v := dateTime(t, o, "RECURRENCE-ID"); !v.Equal(moved) {
		t.Errorf("RECURRENCE-ID = %v, want %v", v, moved)
	}
	if v := dateTime(t, o, "DTSTART"); !v.Equal(override.Start) {
		t.Errorf("override DTSTART = %v, want %v", v, override.Start)
	}
	if text(t, o, "UID") != master.UID {
		t.Errorf("override UID differs from the master's")
	}
}

func TestCancelForOneAttendee(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	start := time.Date(2026, 11, 1, 1, 30, 0, 0, ny) // the ambiguous hour of the fall change
	e := &ical.Event{
		UID: "m9@admit.example", Sequence: 5, Stamp: start, Start: start, End: start.Add(time.Hour),
		Summary: "Review", Organizer: ical.Person{Name: "Ada", Email: "ada@example.com"},
		Attendees: []ical.Person{{Name: "Carol", Email: "carol@example.com"}},
	}
	b, err := (&ical.Calendar{Method: ical.MethodCancel, Location: ny, Events: []*ical.Event{e}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, b)
	if m := value(t, got.Component, "METHOD"); m != "CANCEL" {
		t.Errorf("METHOD = %q, want CANCEL", m)
	}
	ev := got.Events()[0].Component
	if s := text(t, ev, "STATUS"); s != "CANCELLED" {
		t.Errorf("STATUS = %q, want CANCELLED", s)
	}
	att := ev.Props.Values("ATTENDEE")
	if len(att) != 1 || att[0].Value != "mailto:carol@example.com" {
		t.Fatalf("attendees %v, want carol only", att)
	}
	if att[0].Params.Get("RSVP") != "" {
		t.Errorf("a cancel asks for RSVP")
	}
	if v := value(t, ev, "SEQUENCE"); v != "5" {
		t.Errorf("SEQUENCE = %q, want 5", v)
	}
}

func TestCancelOneOccurrence(t *testing.T) {
	loc := mustLoad(t, "Asia/Kolkata")
	orig := time.Date(2026, 6, 3, 15, 0, 0, 0, loc)
	e := &ical.Event{UID: "s@x", Sequence: 2, Stamp: orig, RecurrenceID: orig, Start: orig, End: orig.Add(time.Hour),
		Summary: "Standup", Organizer: ical.Person{Email: "h@example.com"}, Attendees: []ical.Person{{Email: "a@example.com"}}, Cancelled: true}
	b, err := (&ical.Calendar{Method: ical.MethodCancel, Location: loc, Events: []*ical.Event{e}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ev := parse(t, b).Events()[0].Component
	if v := dateTime(t, ev, "RECURRENCE-ID"); !v.Equal(orig) {
		t.Errorf("RECURRENCE-ID = %v, want %v", v, orig)
	}
	if text(t, ev, "STATUS") != "CANCELLED" {
		t.Errorf("STATUS is not CANCELLED")
	}
}

// TestTimezoneMatchesGo checks every VTIMEZONE observance against Go's zone
// data: the onset (DTSTART read in TZOFFSETFROM) is an instant where the zone
// switches from TZOFFSETFROM to TZOFFSETTO, and the observances cover the
// years of the event.
func TestTimezoneMatchesGo(t *testing.T) {
	zones := []string{"Europe/London", "America/Chicago", "Pacific/Auckland", "Asia/Tehran", "Asia/Jerusalem", "America/Havana", "Europe/Dublin", "America/New_York", "Europe/Zurich", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
		"America/Sao_Paulo", "Africa/Casablanca", "Pacific/Chatham", "America/St_Johns", "Asia/Kathmandu"}
	for _, name := range zones {
		t.Run(name, func(t *testing.T) {
			loc := mustLoad(t, name)
			start := time.Date(2026, 1, 15, 10, 0, 0, 0, loc)
			e := &ical.Event{UID: "u@x", Stamp: start, Start: start, End: start.Add(time.Hour), Summary: "s",
				Rule: &ical.Rule{Freq: ical.Weekly, Interval: 2, Until: start.AddDate(1, 6, 0)}}
			b, err := (&ical.Calendar{Method: ical.MethodRequest, Location: loc, Events: []*ical.Event{e}}).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			tz := children(parse(t, b).Component, "VTIMEZONE")
			if len(tz) != 1 {
				t.Fatalf("%d VTIMEZONE, want 1", len(tz))
			}
			obs := tz[0].Children
			if len(obs) == 0 {
				t.Fatal("no observance")
			}
			spanEnd := start.AddDate(2, 0, 0)
			var onsets []time.Time
			for i, o := range obs {
				from := parseOffset(t, value(t, o, "TZOFFSETFROM"))
				to := parseOffset(t, value(t, o, "TZOFFSETTO"))
				wall, err := time.Parse("20060102T150405", value(t, o, "DTSTART"))
				if err != nil {
					t.Fatal(err)
				}
				walls := []time.Time{wall}
				if rr := o.Props.Get("RRULE"); rr != nil {
					// Expanded in floating local time, as RFC 5545 says.
					opt, err := rrule.StrToROption(rr.Value)
					if err != nil {
						t.Fatalf("observance RRULE %q: %v", rr.Value, err)
					}
					opt.Dtstart = wall
					rule, err := rrule.NewRRule(*opt)
					if err != nil {
						t.Fatal(err)
					}
					walls = rule.Between(wall, spanEnd, true)
				}
				for _, wl := range walls {
					onset := wl.Add(-time.Duration(from) * time.Second)
					onsets = append(onsets, onset)
					_, off := onset.In(loc).Zone()
					if off != to {
						t.Errorf("observance %d (%s): Go says offset %d at %v, TZOFFSETTO %d", i, o.Name, off, onset, to)
					}
					if o.Name == "DAYLIGHT" != onset.In(loc).IsDST() {
						t.Errorf("observance %d is %s but Go's IsDST is %v at %v", i, o.Name, onset.In(loc).IsDST(), onset)
					}
					if i > 0 || o.Props.Get("RRULE") != nil {
						_, before := onset.Add(-time.Second).In(loc).Zone()
						if before != from {
							t.Errorf("observance %d: Go says offset %d just before %v, TZOFFSETFROM %d", i, before, onset, from)
						}
					}
				}
			}
			first := onsets[0]
			for _, o := range onsets {
				if o.Before(first) {
					first = o
				}
			}
			if first.After(start) && len(ical.Transitions(loc, start.AddDate(-1, 0, 0), start)) > 0 {
				t.Errorf("the first onset %v is after the event", first)
			}
			// Every change of the zone from a year before the event to the
			// series' end is an onset.
			have := map[int64]bool{}
			for _, o := range onsets {
				have[o.Unix()] = true
			}
			for _, tr := range ical.Transitions(loc, start.AddDate(-1, 0, 0), start.AddDate(1, 7, 0)) {
				if !have[tr.At.Unix()] {
					t.Errorf("Go's transition at %v has no observance", tr.At)
				}
			}
			t.Logf("%d observances, rules: %v", len(obs), obs[0].Props.Get("RRULE") != nil)
		})
	}
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 {
		t.Fatalf("offset %q", s)
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	n := func(p string) int { return int(p[0]-'0')*10 + int(p[1]-'0') }
	sec := n(s[1:3])*3600 + n(s[3:5])*60
	if len(s) == 7 {
		sec += n(s[5:7])
	}
	return sign * sec
}

var formatOffsetTests = []struct {
	sec  int
	want string
}{
	{0, "+0000"}, {3600, "+0100"}, {-18000, "-0500"}, {19800, "+0530"}, {-12600, "-0330"}, {-17762, "-045602"},
}

func TestFormatOffset(t *testing.T) {
	for _, tt := range formatOffsetTests {
		if got := ical.FormatOffset(tt.sec); got != tt.want {
			t.Errorf("FormatOffset(%d) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

var refusedEventTests = []struct {
	name string
	edit func(e *ical.Event)
}{
	{"no UID", func(e *ical.Event) { e.UID = "" }},
	{"UID with CRLF", func(e *ical.Event) { e.UID = "a\r\nX-EVIL:1" }},
	{"javascript URL", func(e *ical.Event) { e.URL = "javascript:alert(1)" }},
	{"URL with CRLF", func(e *ical.Event) { e.URL = "https://x.example/\r\nX-EVIL:1" }},
	{"attendee with CRLF", func(e *ical.Event) { e.Attendees = []ical.Person{{Email: "a@x\r\nX-EVIL:1"}} }},
	{"organizer without @", func(e *ical.Event) { e.Organizer = ical.Person{Email: "nobody"} }},
	{"end before start", func(e *ical.Event) { e.End = e.Start.Add(-time.Minute) }},
	{"rule with count and until", func(e *ical.Event) {
		e.Rule = &ical.Rule{Freq: ical.Daily, Count: 2, Until: e.Start.Add(72 * time.Hour)}
	}},
	{"monthly rule", func(e *ical.Event) { e.Rule = &ical.Rule{Freq: "MONTHLY", Count: 2} }},
	{"weekday typo", func(e *ical.Event) { e.Rule = &ical.Rule{Freq: ical.Weekly, Count: 2, ByDay: []string{"MX"}} }},
}

func TestMarshalRefusesUnsafeValues(t *testing.T) {
	for _, tt := range refusedEventTests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
			e := &ical.Event{UID: "u@x", Start: start, End: start.Add(time.Hour), URL: "https://x.example/j",
				Organizer: ical.Person{Email: "o@example.com"}}
			tt.edit(e)
			if b, err := (&ical.Calendar{Method: ical.MethodRequest, Location: time.UTC, Events: []*ical.Event{e}}).Marshal(); err == nil {
				t.Errorf("Marshal wrote it:\n%s", b)
			}
		})
	}
	if _, err := (&ical.Calendar{Method: ical.MethodRequest, Location: time.Local, Events: []*ical.Event{{UID: "u"}}}).Marshal(); err == nil {
		t.Errorf("Marshal accepted time.Local")
	}
}
