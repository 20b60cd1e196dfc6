package mail_test

import (
	"slices"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
	"pgregory.net/rapid"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
)

// expand expands a parsed VEVENT's RRULE with rrule-go from its DTSTART (in
// its TZID zone) and drops the EXDATEs.
func expand(t tb, ev *goical.Component) []time.Time {
	t.Helper()
	opt, err := ev.Props.RecurrenceRule()
	if err != nil || opt == nil {
		t.Fatalf("RRULE: %v", err)
	}
	start, err := ev.Props.DateTime("DTSTART", nil)
	if err != nil {
		t.Fatalf("DTSTART: %v", err)
	}
	opt.Dtstart = start
	rule, err := rrule.NewRRule(*opt)
	if err != nil {
		t.Fatalf("rrule-go refuses %q: %v", ev.Props.Get("RRULE").Value, err)
	}
	ex := map[int64]bool{}
	for _, p := range ev.Props.Values("EXDATE") {
		x, err := p.DateTime(nil)
		if err != nil {
			t.Fatalf("EXDATE: %v", err)
		}
		ex[x.Unix()] = true
	}
	// A recurrence set has no duplicates (RFC 5545 section 3.8.5.3);
	// rrule-go repeats an instant next to a daylight-saving gap.
	var out []time.Time
	for _, s := range rule.All() {
		if !ex[s.Unix()] && (len(out) == 0 || !out[len(out)-1].Equal(s)) {
			out = append(out, s.UTC())
		}
	}
	return out
}

// zones for the property test. America/Santiago (clocks go forward at
// midnight) has its own test, TestWeeklySeriesAcrossMidnightChange: for a
// series at 00:xx, rrule-go puts the change day's occurrence on the day
// before, so it cannot be the oracle there.
var zones = []string{"Europe/Zurich", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC", "Pacific/Auckland", "America/Sao_Paulo"}

// TestRuleMatchesAdmitsSeries: for arbitrary recurrences, the calendar's
// RRULE, expanded by rrule-go, gives exactly the starts admit computes.
func TestRuleMatchesAdmitsSeries(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		loc, err := time.LoadLocation(rapid.SampledFrom(zones).Draw(rt, "zone"))
		if err != nil {
			rt.Fatal(err)
		}
		day := rapid.IntRange(0, 700).Draw(rt, "day")
		// Any hour, those a daylight-saving change skips included.
		start := time.Date(2026, 1, 1, rapid.IntRange(0, 23).Draw(rt, "hour"), 15*rapid.IntRange(0, 3).Draw(rt, "quarter"), 0, 0, loc).AddDate(0, 0, day)
		r := &admit.Recurrence{Freq: rapid.SampledFrom([]string{"daily", "weekly"}).Draw(rt, "freq"),
			Interval: rapid.IntRange(1, 4).Draw(rt, "interval")}
		if r.Freq == "weekly" {
			all := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
			for _, d := range all {
				if rapid.Bool().Draw(rt, "on "+d) {
					r.Weekdays = append(r.Weekdays, d)
				}
			}
		}
		if rapid.Bool().Draw(rt, "count") {
			r.Count = rapid.IntRange(1, 30).Draw(rt, "n")
		} else {
			r.Until = start.AddDate(0, 0, rapid.IntRange(0, 120).Draw(rt, "days")).Format("2006-01-02")
		}
		l := letterFor(1)
		l.Timezone, l.Start, l.Recurrence = loc.String(), start.UTC(), r
		want, err := r.Starts(start, loc)
		if err != nil {
			rt.Skip("no occurrence")
		}
		ics, err := mail.ICS(l)
		if err != nil {
			rt.Fatalf("ICS: %v", err)
		}
		got := expand(rt, parseICS(rt, ics).Events()[0].Component)
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			rt.Fatalf("rrule-go expands to\n%v\nadmit's series is\n%v", got, want)
		}
	})
}

func TestMovedAndCancelledOccurrences(t *testing.T) {
	l := letterFor(1)
	l.Kind, l.Sequence = admit.OutboxUpdate, 2
	starts, err := l.Recurrence.Starts(l.Start, zurich)
	if err != nil {
		t.Fatal(err)
	}
	dur := 45 * time.Minute
	moved := starts[1].Add(3 * time.Hour)
	l.Occurrences = []admit.LetterOccurrence{
		{Index: 1, Start: starts[0], End: starts[0].Add(dur)},
		{Index: 2, Start: moved, End: moved.Add(dur)},
		// 3 cancelled
		{Index: 4, Start: starts[3], End: starts[3].Add(dur)},
	}
	ics, err := mail.ICS(l)
	if err != nil {
		t.Fatal(err)
	}
	evs := parseICS(t, ics).Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want the series and one override", len(evs))
	}
	got := expand(t, evs[0].Component)
	if want := []time.Time{starts[0], starts[1], starts[3]}; !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("series %v, want %v (the third cancelled)", got, want)
	}
	ov := evs[1].Component
	rid, err := ov.Props.DateTime("RECURRENCE-ID", nil)
	if err != nil || !rid.Equal(starts[1]) {
		t.Errorf("RECURRENCE-ID %v %v, want %v", rid, err, starts[1])
	}
	if s, _ := ov.Props.DateTime("DTSTART", nil); !s.Equal(moved) {
		t.Errorf("override DTSTART %v, want %v", s, moved)
	}
	for _, ev := range evs {
		if uid, _ := ev.Props.Text("UID"); uid != l.UID {
			t.Errorf("UID %q, want %q", uid, l.UID)
		}
		if seq := ev.Props.Get("SEQUENCE").Value; seq != "2" {
			t.Errorf("SEQUENCE %s, want 2", seq)
		}
	}
}

func TestCancelOneOccurrenceOfSeries(t *testing.T) {
	l := letterFor(1)
	l.Kind, l.Sequence, l.CancelOccurrence = admit.OutboxCancel, 3, 2
	starts, _ := l.Recurrence.Starts(l.Start, zurich)
	ics, err := mail.ICS(l)
	if err != nil {
		t.Fatal(err)
	}
	cal := parseICS(t, ics)
	if m := cal.Props.Get("METHOD").Value; m != "CANCEL" {
		t.Errorf("METHOD %s", m)
	}
	ev := cal.Events()[0]
	if rid, _ := ev.Props.DateTime("RECURRENCE-ID", nil); !rid.Equal(starts[1]) {
		t.Errorf("RECURRENCE-ID %v, want %v", rid, starts[1])
	}
	if ev.Props.Get("RRULE") != nil || ev.Props.Get("URL") != nil || ev.Props.Get("LOCATION") != nil {
		t.Errorf("a cancelled occurrence carries a rule or the join link")
	}
}

// TestUpdateKeepsUIDAndRaisesSequence: the letters of a change carry the
// same UID and a higher SEQUENCE, and the calendar says so.
func TestUpdateKeepsUIDAndRaisesSequence(t *testing.T) {
	first := letterFor(1)
	second := letterFor(1)
	second.Kind, second.Sequence = admit.OutboxUpdate, first.Sequence+1
	second.Start = first.Start.Add(24 * time.Hour)
	var uids, seqs []string
	for _, l := range []*admit.Letter{first, second} {
		ics, err := mail.ICS(l)
		if err != nil {
			t.Fatal(err)
		}
		ev := parseICS(t, ics).Events()[0]
		uid, _ := ev.Props.Text("UID")
		uids, seqs = append(uids, uid), append(seqs, ev.Props.Get("SEQUENCE").Value)
	}
	if uids[0] != uids[1] || seqs[0] != "0" || seqs[1] != "1" {
		t.Errorf("UIDs %v SEQUENCEs %v, want one UID and 0 then 1", uids, seqs)
	}
}

// TestWeeklySeriesAcrossMidnightChange: in a zone whose clocks go forward at
// midnight, 00:00 does not exist on the day of the change; the Sunday
// occurrence of that week is still there (Recurrence.Starts once computed
// the week's days at local midnight and skipped it).
func TestWeeklySeriesAcrossMidnightChange(t *testing.T) {
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	r := &admit.Recurrence{Freq: "weekly", Interval: 1, Count: 3, Weekdays: []string{"SU"}}
	starts, err := r.Starts(time.Date(2026, 8, 30, 6, 0, 0, 0, santiago), santiago)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 9, 6, 6, 0, 0, 0, santiago) // the Sunday clocks go forward
	if !starts[1].Equal(want) {
		t.Errorf("the second Sunday is %v, want %v", starts[1].In(santiago), want)
	}
}
