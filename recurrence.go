package admit

import (
	"strings"
	"time"
)

// MaxOccurrences bounds a recurring series, so that one request cannot make an
// unbounded number of occurrences and access codes.
const MaxOccurrences = 100

// Recurrence describes a recurring series (RFC 5545 in spirit).
type Recurrence struct {
	Freq     string   `json:"freq"`               // "daily" or "weekly"
	Interval int      `json:"interval,omitempty"` // every n days or weeks; default 1
	Count    int      `json:"count,omitempty"`    // number of occurrences
	Until    string   `json:"until,omitempty"`    // last day (YYYY-MM-DD) or instant (RFC 3339)
	Weekdays []string `json:"weekdays,omitempty"` // weekly: "MO" … "SU"; default the start's weekday
}

var weekdayCodes = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

// Validate checks the recurrence and fills in the default interval.
func (r *Recurrence) Validate() error {
	switch r.Freq {
	case "daily", "weekly":
	case "":
		return FieldErrorf("recurrence.freq", "recurrence.freq is required (daily or weekly)")
	default:
		return FieldErrorf("recurrence.freq", "recurrence.freq must be daily or weekly, not %q", r.Freq)
	}
	if r.Interval == 0 {
		r.Interval = 1
	}
	if r.Interval < 1 || r.Interval > 52 {
		return FieldErrorf("recurrence.interval", "recurrence.interval must be from 1 to 52")
	}
	if (r.Count == 0) == (r.Until == "") {
		return FieldErrorf("recurrence.count", "recurrence needs exactly one of count and until")
	}
	if r.Count < 0 || r.Count > MaxOccurrences {
		return FieldErrorf("recurrence.count", "recurrence.count must be from 1 to %d", MaxOccurrences)
	}
	if r.Until != "" {
		if _, err := r.untilTime(time.UTC); err != nil {
			return err
		}
	}
	if r.Freq == "daily" && len(r.Weekdays) > 0 {
		return FieldErrorf("recurrence.weekdays", "recurrence.weekdays goes with weekly recurrence only")
	}
	seen := map[string]bool{}
	for i, d := range r.Weekdays {
		u := strings.ToUpper(d)
		if _, ok := weekdayCodes[u]; !ok {
			return FieldErrorf("recurrence.weekdays", "recurrence.weekdays: %q is not one of MO, TU, WE, TH, FR, SA, SU", d)
		}
		if seen[u] {
			return FieldErrorf("recurrence.weekdays", "recurrence.weekdays lists %s twice", u)
		}
		seen[u] = true
		r.Weekdays[i] = u
	}
	return nil
}

// untilTime returns the end of the Until day (or the Until instant) in loc.
func (r *Recurrence) untilTime(loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, r.Until); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", r.Until, loc)
	if err != nil {
		return time.Time{}, FieldErrorf("recurrence.until", "recurrence.until must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	return d.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
}

// Starts returns the start times of a series beginning at start (local wall
// time in loc is kept across daylight-saving changes). Weekly series fall on
// the listed weekdays at or after start. It returns EINVALID when the series would have no
// occurrence or more than MaxOccurrences.
func (r *Recurrence) Starts(start time.Time, loc *time.Location) ([]time.Time, error) {
	local := start.In(loc)
	until := time.Time{}
	if r.Until != "" {
		u, err := r.untilTime(loc)
		if err != nil {
			return nil, err
		}
		if u.Before(start) {
			return nil, FieldErrorf("recurrence.until", "recurrence.until is before the start")
		}
		until = u
	}
	// Days are counted on the calendar, at noon UTC, never at local midnight:
	// in a zone whose clocks change at midnight (America/Santiago) local
	// midnight does not exist on the day of the change, and time.Date moves
	// it to the day before, which skipped or doubled an occurrence.
	first := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, time.UTC)
	at := func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), local.Hour(), local.Minute(), local.Second(), 0, loc)
	}
	var out []time.Time
	add := func(t time.Time) bool { // false when the series is complete
		if r.Count > 0 && len(out) >= r.Count {
			return false
		}
		if !until.IsZero() && t.After(until) {
			return false
		}
		out = append(out, t.UTC())
		return true
	}
	const maxSteps = 400 * 7 // enough days to find MaxOccurrences+1 of any pattern
	switch r.Freq {
	case "daily":
		for i := 0; i < maxSteps && len(out) <= MaxOccurrences; i++ {
			if !add(at(first.AddDate(0, 0, i*r.Interval))) {
				break
			}
		}
	case "weekly":
		days := map[time.Weekday]bool{}
		for _, d := range r.Weekdays {
			days[weekdayCodes[d]] = true
		}
		if len(days) == 0 {
			days[local.Weekday()] = true
		}
		// Weeks start on Monday; the first week is the one holding start.
		offset := (int(local.Weekday()) + 6) % 7
		weekStart := first.AddDate(0, 0, -offset)
		done := false
		for w := 0; !done && w*7 < maxSteps && len(out) <= MaxOccurrences; w++ {
			for d := 0; d < 7; d++ {
				day := weekStart.AddDate(0, 0, w*7*r.Interval+d)
				if !days[day.Weekday()] {
					continue
				}
				t := at(day)
				if t.Before(local) {
					continue
				}
				if !add(t) {
					done = true
					break
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, FieldErrorf("recurrence", "the recurrence has no occurrence")
	}
	if len(out) > MaxOccurrences {
		return nil, FieldErrorf("recurrence", "the recurrence has more than %d occurrences; shorten until or use count", MaxOccurrences)
	}
	return out, nil
}
