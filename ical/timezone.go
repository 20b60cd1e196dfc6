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
// (whole years, and one more on each side for clients that look around an
// event): an observance for the state at the start of that range, then one
// per transition, each with its own DTSTART. A zone without transitions gets
// one observance.
func writeTimezone(w *writer, loc *time.Location, from, to time.Time) {
	if from.IsZero() {
		from = time.Now()
	}
	if to.IsZero() || to.Before(from) {
		to = from
	}
	start := time.Date(from.In(loc).Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(to.In(loc).Year()+2, 1, 1, 0, 0, 0, 0, time.UTC)
	w.line("BEGIN", nil, "VTIMEZONE")
	w.line("TZID", nil, escapeText(loc.String()))
	first := stateAt(start, loc)
	observance(w, first.dst, start.Add(time.Duration(first.offset)*time.Second), first.offset, first.offset, first.name)
	for _, tr := range Transitions(loc, start, end) {
		// DTSTART is the onset in local time as it was before the change.
		onset := tr.At.Add(time.Duration(tr.FromOffset) * time.Second)
		observance(w, tr.DST, onset, tr.FromOffset, tr.ToOffset, tr.Name)
	}
	w.line("END", nil, "VTIMEZONE")
}

// observance writes one STANDARD or DAYLIGHT component; onsetLocal is a wall
// time carried in a UTC time.Time.
func observance(w *writer, dst bool, onsetLocal time.Time, from, to int, name string) {
	kind := "STANDARD"
	if dst {
		kind = "DAYLIGHT"
	}
	w.line("BEGIN", nil, kind)
	w.line("DTSTART", nil, onsetLocal.UTC().Format(localFormat))
	w.line("TZOFFSETFROM", nil, FormatOffset(from))
	w.line("TZOFFSETTO", nil, FormatOffset(to))
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
