package web

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

func init() {
	funcs["when"] = when
	funcs["stateText"] = stateText
	funcs["hm"] = hm
	funcs["alsoIn"] = alsoIn
	funcs["chance"] = chance
	funcs["chanceOf"] = chanceOf
	funcs["iso"] = func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	funcs["join"] = strings.Join
	funcs["attrs"] = invalidAttrs
	funcs["dict"] = dict
	funcs["reason"] = reason
	funcs["minutes"] = minutes
	funcs["list"] = list
	funcs["hasString"] = hasString
}

// inZone returns t in the IANA zone tz (UTC when tz is unknown).
func inZone(t time.Time, tz string) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	return t.In(loc)
}

// instant returns the time a template passes (a time.Time or a
// *time.Time), the zero time for nil or anything else.
func instant(t any) time.Time {
	switch v := t.(type) {
	case time.Time:
		return v
	case *time.Time:
		if v != nil {
			return *v
		}
	}
	return time.Time{}
}

// when renders an instant for people in the zone tz: "Mon 2 Dec 2026, 14:30 CET".
func when(t any, tz string) string {
	tt := instant(t)
	if tt.IsZero() {
		return ""
	}
	return inZone(tt, tz).Format("Mon 2 Jan 2006, 15:04 MST")
}

// stateText names an occurrence's window state for the dashboard.
func stateText(state string) string {
	switch state {
	case admit.WindowNotOpen.String():
		return "not yet open"
	case admit.WindowOpen.String():
		return "open"
	}
	return "ended"
}

// invalidAttrs returns the attributes that tie an input to the form's error
// when the error is the field's.
func invalidAttrs(f *form, name string) template.HTMLAttr {
	if f.Invalid(name) {
		return `aria-invalid="true" aria-describedby="form-error"`
	}
	return ""
}

// dict makes a map of its key, value arguments, for sub-templates.
func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// reasons explain the internal reasons of refused attempts to the host.
var reasons = map[string]string{
	admit.ReasonUnknownMeeting:    "unknown meeting ID",
	admit.ReasonWrongPasscode:     "wrong passcode",
	admit.ReasonUnknownAccessCode: "unknown access code",
	admit.ReasonExpiredAccessCode: "expired access code",
	admit.ReasonRevokedAccessCode: "access code replaced (revoked)",
	admit.ReasonMaxUses:           "access code used up",
	admit.ReasonUnknownToken:      "unknown invitee link",
	admit.ReasonWrongPwd:          "wrong passcode in the link",
	admit.ReasonNotOpen:           "not yet open",
	admit.ReasonEnded:             "already ended",
	admit.ReasonMeetingDeleted:    "meeting deleted",
	admit.ReasonBudgetSpent:       "guess budget spent",
}

// reason renders an attempt's reason for the host.
func reason(r, outcome string) string {
	if s, ok := reasons[r]; ok {
		return s
	}
	if r == "" {
		return outcome
	}
	return r
}

// hm renders the clock time of an instant in the zone tz.
func hm(t any, tz string) string {
	switch v := t.(type) {
	case time.Time:
		return inZone(v, tz).Format("15:04")
	case *time.Time:
		if v != nil {
			return inZone(*v, tz).Format("15:04")
		}
	}
	return ""
}

// minutes renders seconds as whole minutes, rounded up from any second.
func minutes(secs int64) int64 { return (secs + 59) / 60 }

// list makes a slice of its arguments.
func list(s ...string) []string { return s }

// hasString reports whether s holds v.
func hasString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// userZone is the zone a user's times show in: theirs, UTC until they have
// one.
func userZone(u *admit.User) string {
	if u == nil || u.Timezone == "" {
		return "UTC"
	}
	return u.Timezone
}

// alsoIn renders, after an instant shown in the zone tz, the same instant in
// the meeting's own zone mtz when the clocks there differ: " (Mon 09:30 EST
// in America/New_York, the meeting's zone)"; "" when they agree.
func alsoIn(t any, tz, mtz string) string {
	tt := instant(t)
	if tt.IsZero() || mtz == "" {
		return ""
	}
	mine, theirs := inZone(tt, tz), inZone(tt, mtz)
	_, a := mine.Zone()
	_, b := theirs.Zone()
	if a == b {
		return ""
	}
	return " (" + theirs.Format("Mon 15:04 MST") + " in " + mtz + ", the meeting's zone)"
}

// chance says a guessing bound in words, for hosts: "about a 1 in 2.5
// billion chance" (P = 4e-10), "a certain way in" at P ≥ 1.
func chance(b any) string {
	switch v := b.(type) {
	case admit.Bound:
		return chanceOf(v.P)
	case *admit.Bound:
		if v != nil {
			return chanceOf(v.P)
		}
	}
	return ""
}

// chanceOf says the probability p as "about a 1 in N chance".
func chanceOf(p float64) string {
	switch {
	case p >= 1:
		return "a certain way in"
	case p <= 0:
		return "no chance"
	}
	n := 1 / p
	if n >= 1e18 {
		return "less than a 1 in a quintillion chance"
	}
	scales := []struct {
		v    float64
		name string
	}{{1e15, "quadrillion"}, {1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}}
	for _, s := range scales {
		if n >= s.v || (s.v == 1e6 && n >= 999500) {
			return "about a 1 in " + roughly(n/s.v) + " " + s.name + " chance"
		}
	}
	return "about a 1 in " + grouped(n) + " chance"
}

// roughly renders x (≥ 1) with two significant digits at most: 2.5, 10, 250.
func roughly(x float64) string {
	switch {
	case x >= 10:
		r := math.Round(x)
		if x >= 100 {
			r = math.Round(x/10) * 10
		}
		return strconv.FormatFloat(r, 'f', 0, 64)
	default:
		s := strconv.FormatFloat(math.Round(x*10)/10, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0")
	}
}

// grouped renders n, rounded to two significant digits, with thousands
// separated by commas: 2,500.
func grouped(n float64) string {
	if n >= 100 {
		mag := math.Pow(10, math.Floor(math.Log10(n))-1)
		n = math.Round(n/mag) * mag
	} else {
		n = math.Round(n)
	}
	s := strconv.FormatFloat(n, 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
