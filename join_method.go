package admit

import (
	"time"
)

// Join methods, as recorded on attempts.
const (
	MethodMeetingID  = "meeting_id"
	MethodAccessCode = "access_code"
	MethodToken      = "token"
	MethodJoinURL    = "join_url"
)

// DefaultGuestName names a participant who gives no name and is not an invitee.
const DefaultGuestName = "Guest"

// OpensMessage says when an occurrence opens, in the meeting's time zone:
// "This meeting opens at 09:45 (15 minutes before its start)".
func OpensMessage(o *Occurrence, tz string, now time.Time) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	opens := o.OpensAt.In(loc)
	when := "at " + opens.Format("15:04")
	if n := now.In(loc); n.YearDay() != opens.YearDay() || n.Year() != opens.Year() {
		when = "on " + opens.Format("Mon 2 Jan 2006") + " at " + opens.Format("15:04")
	}
	if loc != time.UTC {
		when += " " + opens.Format("MST")
	}
	early := int(o.Start.Sub(o.OpensAt) / time.Minute)
	if early == 0 {
		return "This meeting opens " + when + " (at its start)."
	}
	unit := "minutes"
	if early == 1 {
		unit = "minute"
	}
	return "This meeting opens " + when + " (" + itoa(int64(early)) + " " + unit + " before its start)."
}
