package admit_test

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

func TestRecurrenceStarts(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	// Monday 2 March 2026, 09:00 in New York; DST starts Sunday 8 March.
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, ny)
	tests := []struct {
		name string
		r    admit.Recurrence
		want []string // local dates and times
	}{
		{"daily count", admit.Recurrence{Freq: "daily", Count: 3}, []string{"2026-03-02 09:00", "2026-03-03 09:00", "2026-03-04 09:00"}},
		{"daily across DST keeps wall time", admit.Recurrence{Freq: "daily", Interval: 7, Count: 2}, []string{"2026-03-02 09:00", "2026-03-09 09:00"}},
		{"weekly weekdays", admit.Recurrence{Freq: "weekly", Weekdays: []string{"MO", "TH"}, Count: 4}, []string{"2026-03-02 09:00", "2026-03-05 09:00", "2026-03-09 09:00", "2026-03-12 09:00"}},
		{"fortnightly until", admit.Recurrence{Freq: "weekly", Interval: 2, Until: "2026-03-30"}, []string{"2026-03-02 09:00", "2026-03-16 09:00", "2026-03-30 09:00"}},
		{"weekly from a later weekday", admit.Recurrence{Freq: "weekly", Weekdays: []string{"WE"}, Count: 2}, []string{"2026-03-04 09:00", "2026-03-11 09:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			got, err := r.Starts(start, ny)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d occurrences %v, want %v", len(got), got, tt.want)
			}
			for i, g := range got {
				if s := g.In(ny).Format("2006-01-02 15:04"); s != tt.want[i] {
					t.Errorf("occurrence %d at %s, want %s", i+1, s, tt.want[i])
				}
			}
		})
	}
	// 09:00 EST is 14:00 UTC, 09:00 EDT 13:00 UTC.
	r := admit.Recurrence{Freq: "daily", Interval: 7, Count: 2}
	_ = r.Validate()
	got, _ := r.Starts(start, ny)
	if got[0].Hour() != 14 || got[1].Hour() != 13 {
		t.Errorf("UTC hours %d, %d; want 14, 13", got[0].Hour(), got[1].Hour())
	}
}

func TestRecurrenceInvalid(t *testing.T) {
	bad := map[string]admit.Recurrence{
		"recurrence.freq":     {Freq: "monthly", Count: 2},
		"recurrence.count":    {Freq: "daily", Count: 2, Until: "2026-04-01"},
		"recurrence.interval": {Freq: "daily", Interval: 99, Count: 2},
		"recurrence.weekdays": {Freq: "weekly", Weekdays: []string{"XX"}, Count: 2},
		"recurrence.until":    {Freq: "daily", Until: "next tuesday"},
	}
	for field, r := range bad {
		if err := r.Validate(); admit.ErrorField(err) != field {
			t.Errorf("Validate(%+v) = %v, want an error naming %s", r, err, field)
		}
	}
	r := admit.Recurrence{Freq: "daily", Until: "2030-01-01"}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Starts(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), time.UTC); admit.ErrorField(err) != "recurrence" {
		t.Errorf("a series of 1,400 days: %v, want refused", err)
	}
}

func TestOccurrenceWindow(t *testing.T) {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	o := admit.NewOccurrence(1, start, 60, admit.DefaultSecurity())
	cases := []struct {
		at   time.Time
		want admit.WindowState
	}{
		{start.Add(-16 * time.Minute), admit.WindowNotOpen},
		{start.Add(-15 * time.Minute), admit.WindowOpen},
		{start.Add(60 * time.Minute), admit.WindowOpen},
		{start.Add(89 * time.Minute), admit.WindowOpen},
		{start.Add(90 * time.Minute), admit.WindowClosed},
	}
	for _, c := range cases {
		if got := o.State(c.at); got != c.want {
			t.Errorf("State(%v) = %v, want %v", c.at, got, c.want)
		}
	}
	ended := start.Add(10 * time.Minute)
	o.EndedAt = &ended
	if o.State(start.Add(11*time.Minute)) != admit.WindowClosed {
		t.Error("an ended occurrence is still open")
	}
	if !o.ReservedUntil().Equal(o.ClosesAt.Add(30 * 24 * time.Hour)) {
		t.Error("reservation does not last 30 days past the window")
	}
}

func TestOpensMessage(t *testing.T) {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	o := admit.NewOccurrence(1, start, 60, admit.DefaultSecurity())
	got := admit.OpensMessage(o, "UTC", start.Add(-time.Hour))
	if want := "This meeting opens at 09:45 (15 minutes before its start)."; got != want {
		t.Errorf("OpensMessage = %q, want %q", got, want)
	}
}

// TestRecurrenceStartsAcrossMidnightChange: in America/Santiago clocks go
// forward at midnight (Saturday 24:00 becomes Sunday 01:00, 6 September
// 2026), so local midnight does not exist on that day. Days of a series are
// calendar days: none is skipped or counted twice.
func TestRecurrenceStartsAcrossMidnightChange(t *testing.T) {
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("weekly on the change's Sunday", func(t *testing.T) {
		r := admit.Recurrence{Freq: "weekly", Count: 3, Weekdays: []string{"SU"}}
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		got, err := r.Starts(time.Date(2026, 8, 30, 6, 0, 0, 0, santiago), santiago)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"2026-08-30 06:00", "2026-09-06 06:00", "2026-09-13 06:00"}
		if len(got) != len(want) {
			t.Fatalf("got %d occurrences %v, want %v", len(got), got, want)
		}
		for i, g := range got {
			if s := g.In(santiago).Format("2006-01-02 15:04"); s != want[i] {
				t.Errorf("occurrence %d at %s, want %s", i+1, s, want[i])
			}
		}
	})
	t.Run("weekly on Saturday and Sunday", func(t *testing.T) {
		r := admit.Recurrence{Freq: "weekly", Count: 2, Weekdays: []string{"SA", "SU"}}
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		got, err := r.Starts(time.Date(2026, 9, 5, 10, 0, 0, 0, santiago), santiago)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"2026-09-05 10:00", "2026-09-06 10:00"}
		for i, g := range got {
			if s := g.In(santiago).Format("2006-01-02 15:04"); i >= len(want) || s != want[i] {
				t.Errorf("occurrence %d at %s, want %v", i+1, s, want)
			}
		}
	})
	t.Run("daily just after midnight counts each day once", func(t *testing.T) {
		r := admit.Recurrence{Freq: "daily", Count: 10}
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		got, err := r.Starts(time.Date(2026, 9, 1, 0, 30, 0, 0, santiago), santiago)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 10 {
			t.Fatalf("got %d occurrences, want 10", len(got))
		}
		for i := 1; i < len(got); i++ {
			if !got[i].After(got[i-1]) {
				t.Errorf("occurrence %d (%v) is not after occurrence %d (%v)", i+1, got[i].In(santiago), i, got[i-1].In(santiago))
			}
		}
		// 10 September exists at 00:30 (after the change): the tenth occurrence.
		if s := got[9].In(santiago).Format("2006-01-02 15:04"); s != "2026-09-10 00:30" {
			t.Errorf("tenth occurrence at %s, want 2026-09-10 00:30", s)
		}
	})
}
