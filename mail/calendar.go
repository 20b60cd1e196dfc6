package mail

import (
	"errors"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/ical"
)

// Calendar returns the calendar entry of a letter: for an invitation or an
// update, METHOD:REQUEST with the series as one RRULE, EXDATEs for cancelled
// occurrences and an override (RECURRENCE-ID) for each occurrence that moved;
// for a cancel, METHOD:CANCEL of the meeting or of the one occurrence
// CancelOccurrence names. The invitee is the only attendee; a letter without
// an invitee (SharedLetter) is METHOD:PUBLISH without attendees, the file a
// host imports. Reminders have no calendar entry: Calendar returns nil for
// them.
func Calendar(l *admit.Letter) (*ical.Calendar, error) {
	if l.Kind == admit.OutboxReminder {
		return nil, nil
	}
	loc, err := location(l)
	if err != nil {
		return nil, err
	}
	if l.UID == "" {
		return nil, errors.New("mail: the letter has no calendar UID")
	}
	dur := time.Duration(l.DurationMinutes) * time.Minute
	master := &ical.Event{
		UID: l.UID, Sequence: l.Sequence, Stamp: l.Stamp,
		Start: l.Start, End: l.Start.Add(dur),
		Summary:   l.Topic,
		Location:  l.JoinURL,
		URL:       l.JoinURL,
		Organizer: ical.Person{Name: l.Organizer.Name, Email: l.Organizer.Email},
	}
	cal := &ical.Calendar{Method: ical.MethodRequest, Location: loc, Events: []*ical.Event{master}}
	if l.Invitee.Email != "" {
		master.Attendees = []ical.Person{{Name: l.Invitee.Name, Email: l.Invitee.Email}}
	} else if l.Kind != admit.OutboxCancel {
		// No recipient: the host's own entry (SharedLetter), to import.
		cal.Method = ical.MethodPublish
	}
	if l.Kind == admit.OutboxCancel {
		cal.Method = ical.MethodCancel
		master.Cancelled = true
		master.Location, master.URL = "", ""
		master.Description = "This meeting has been cancelled."
	} else {
		master.Description = PlainText(l, loc)
	}
	var starts []time.Time
	if l.Recurrence != nil {
		r := *l.Recurrence
		r.Weekdays = append([]string(nil), r.Weekdays...)
		if err := r.Validate(); err != nil {
			return nil, err
		}
		starts, err = r.Starts(l.Start, loc)
		if err != nil {
			return nil, err
		}
		// COUNT, even for a series that ends at a date: admit knows the
		// number of occurrences, and a count leaves clients no room to
		// compare an UTC UNTIL with local times across a daylight-saving
		// change (rrule-go does, and drops the last occurrence).
		rule := &ical.Rule{Freq: ical.Freq(strings.ToUpper(r.Freq)), Interval: r.Interval, ByDay: r.Weekdays, Count: len(starts)}
		master.Rule = rule
		// DTSTART is the first occurrence, which is the start only when the
		// start falls on one of the weekdays.
		master.Start, master.End = starts[0], starts[0].Add(dur)
	}
	if l.Kind == admit.OutboxCancel && l.CancelOccurrence > 0 {
		if l.CancelOccurrence > len(starts) {
			return nil, errors.New("mail: the cancelled occurrence is not in the series")
		}
		orig := starts[l.CancelOccurrence-1]
		master.Rule = nil
		master.RecurrenceID, master.Start, master.End = orig, orig, orig.Add(dur)
		return cal, nil
	}
	if master.Rule != nil && len(l.Occurrences) > 0 {
		byIndex := map[int]admit.LetterOccurrence{}
		for _, o := range l.Occurrences {
			byIndex[o.Index] = o
		}
		for i, orig := range starts {
			o, ok := byIndex[i+1]
			switch {
			case !ok:
				master.ExDates = append(master.ExDates, orig)
			case !o.Start.Equal(orig) || !o.End.Equal(orig.Add(dur)):
				ov := *master
				ov.Rule, ov.ExDates = nil, nil
				ov.RecurrenceID, ov.Start, ov.End = orig, o.Start, o.End
				cal.Events = append(cal.Events, &ov)
			}
		}
	}
	return cal, nil
}

// ICS returns the letter's calendar entry as an .ics file, or nil for a
// reminder.
func ICS(l *admit.Letter) ([]byte, error) {
	cal, err := Calendar(l)
	if err != nil || cal == nil {
		return nil, err
	}
	return cal.Marshal()
}
