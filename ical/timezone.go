package ical

import (
	"fmt"
	"time"
)

// zoneState is what a zone says at one instant.
type zoneState struct {
	name   string
	offset int // seconds east of UTC
	dst    bool
}

func stateAt(t time.Time, loc *time.Location) zoneState {
	lt := t.In(loc)
	name, off := lt.Zone()
	return zoneState{name, off, lt.IsDST()}
}

// Transition is a change of a zone's offset, name or daylight-saving flag.
type Transition struct {
	At         time.Time // the first instant of the new state (UTC)
	FromOffset int       // seconds east of UTC before At
	ToOffset   int       // seconds east of UTC from At on
	Name       string    // the zone's abbreviation from At on
	DST        bool      // whether daylight-saving time is in effect from At on
}

// scanStep is how far apart the zone is sampled when looking for
// transitions; zones do not change twice within it.
const scanStep = 6 * time.Hour

// Transitions returns loc's transitions in [from, to), found by sampling Go's
// time zone data and bisecting to the second.
func Transitions(loc *time.Location, from, to time.Time) []Transition {
	var out []Transition
	prev := stateAt(from, loc)
	for t := from; t.Before(to); t = t.Add(scanStep) {
		next := t.Add(scanStep)
		s := stateAt(next, loc)
		if s == prev {
			continue
		}
		lo, hi := t, next // state(lo) == prev, state(hi) != prev
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			if mid.Equal(lo) {
				mid = lo.Add(time.Second)
			}
			if stateAt(mid, loc) == prev {
				lo = mid
			} else {
				hi = mid
			}
		}
		ns := stateAt(hi, loc)
		if !hi.Before(to) {
			break
		}
		out = append(out, Transition{At: hi.UTC(), FromOffset: prev.offset, ToOffset: ns.offset, Name: ns.name, DST: ns.dst})
		prev = ns
	}
	return out
}

// writeTimezone writes a VTIMEZONE for loc covering the years of [from, to]
// (whole years, two more before and one after, for clients that look
// around an event). When the zone's changes in that span follow yearly rules
// (the same month, weekday, week and local time every year, as almost all
// daylight-saving rules do), it writes one STANDARD and one DAYLIGHT
// observance with a yearly RRULE, the form Outlook reads; otherwise one
// observance per transition, each with its own DTSTART, after one for the
// state at the start of the span. A zone without transitions gets one
// observance.
func writeTimezone(w *writer, loc *time.Location, from, to time.Time) {
	if from.IsZero() {
		from = time.Now()
	}
	if to.IsZero() || to.Before(from) {
		to = from
	}
	start := time.Date(from.In(loc).Year()-2, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(to.In(loc).Year()+2, 1, 1, 0, 0, 0, 0, time.UTC)
	w.line("BEGIN", nil, "VTIMEZONE")
	w.line("TZID", nil, escapeText(loc.String()))
	trs := Transitions(loc, start, end)
	if rules, ok := yearlyRules(trs, end); ok {
		for _, r := range rules {
			observance(w, r.dst, r.onset, r.from, r.to, r.name, r.rrule)
		}
	} else {
		first := stateAt(start, loc)
		observance(w, first.dst, start.Add(time.Duration(first.offset)*time.Second), first.offset, first.offset, first.name, "")
		for _, tr := range trs {
			observance(w, tr.DST, onsetLocal(tr), tr.FromOffset, tr.ToOffset, tr.Name, "")
		}
	}
	w.line("END", nil, "VTIMEZONE")
}

// onsetLocal is a transition's DTSTART: the onset in local time as it was
// before the change, carried in a UTC time.Time.
func onsetLocal(tr Transition) time.Time {
	return tr.At.Add(time.Duration(tr.FromOffset) * time.Second)
}

// yearlyRule is one observance that repeats every year.
type yearlyRule struct {
	dst      bool
	onset    time.Time // the first onset, local
	from, to int
	name     string
	rrule    string
}

// yearlyRules groups transitions by what they change to and returns one
// yearly rule per group, when every group has one transition a year, in
// consecutive years, each on the same month, weekday, week of the month
// (1-4, or the last) and local time, and the groups together are at least
// two (a zone that changes once in the span is written transition by
// transition), and both go on to the span's end.
func yearlyRules(trs []Transition, end time.Time) ([]yearlyRule, bool) {
	type key struct {
		dst      bool
		from, to int
		name     string
	}
	var order []key
	groups := map[key][]Transition{}
	for _, tr := range trs {
		k := key{tr.DST, tr.FromOffset, tr.ToOffset, tr.Name}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], tr)
	}
	if len(order) != 2 {
		return nil, false
	}
	var out []yearlyRule
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 {
			return nil, false
		}
		first := onsetLocal(g[0])
		nth, last := weekOfMonth(first)
		for i, tr := range g {
			o := onsetLocal(tr)
			n, l := weekOfMonth(o)
			if o.Year() != first.Year()+i || o.Month() != first.Month() || o.Weekday() != first.Weekday() ||
				o.Hour() != first.Hour() || o.Minute() != first.Minute() || o.Second() != first.Second() {
				return nil, false
			}
			if n != nth {
				nth = 0 // not the same week; the last week may still fit
			}
			last = last && l
		}
		var by string
		switch {
		case nth >= 1 && nth <= 4:
			by = fmt.Sprintf("%d%s", nth, weekdayCode[first.Weekday()])
		case last:
			by = "-1" + weekdayCode[first.Weekday()]
		default:
			return nil, false
		}
		rule := fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%s", int(first.Month()), by)
		out = append(out, yearlyRule{dst: k.dst, onset: first, from: k.from, to: k.to, name: k.name, rrule: rule})
	}
	// The groups must alternate, and go on to the span's end: a zone whose
	// last change is more than a year before it stopped changing, and an
	// open-ended rule would be wrong.
	a, b := groups[order[0]], groups[order[1]]
	if d := len(a) - len(b); d < 0 || d > 1 {
		return nil, false
	}
	for _, k := range order {
		g := groups[k]
		if end.Sub(g[len(g)-1].At) > 366*24*time.Hour {
			return nil, false
		}
	}
	return out, true
}

// weekOfMonth returns which occurrence of its weekday in the month t is
// (1-5) and whether it is the last.
func weekOfMonth(t time.Time) (nth int, last bool) {
	nth = (t.Day()-1)/7 + 1
	last = t.AddDate(0, 0, 7).Month() != t.Month()
	return nth, last
}

var weekdayCode = map[time.Weekday]string{
	time.Sunday: "SU", time.Monday: "MO", time.Tuesday: "TU", time.Wednesday: "WE",
	time.Thursday: "TH", time.Friday: "FR", time.Saturday: "SA",
}

// observance writes one STANDARD or DAYLIGHT component; onsetLocal is a wall
// time carried in a UTC time.Time.
func observance(w *writer, dst bool, onsetLocal time.Time, from, to int, name, rrule string) {
	kind := "STANDARD"
	if dst {
		kind = "DAYLIGHT"
	}
	w.line("BEGIN", nil, kind)
	w.line("DTSTART", nil, onsetLocal.UTC().Format(localFormat))
	w.line("TZOFFSETFROM", nil, FormatOffset(from))
	w.line("TZOFFSETTO", nil, FormatOffset(to))
	if rrule != "" {
		w.line("RRULE", nil, rrule)
	}
	if name != "" {
		w.line("TZNAME", nil, escapeText(name))
	}
	w.line("END", nil, kind)
}

// FormatOffset writes a UTC offset in seconds as RFC 5545's utc-offset:
// +hhmm, or +hhmmss when it has seconds.
func FormatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign = '-'
		sec = -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
