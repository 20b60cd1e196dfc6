// Package ical writes iCalendar objects (RFC 5545) for the scheduling methods
// of iTIP (RFC 5546): METHOD:REQUEST for an invitation or an update and
// METHOD:CANCEL for a cancellation, of a whole meeting, of one occurrence of a
// series, or for one attendee only.
//
// The writer is hand-made and small on purpose: every value admit puts in a
// calendar file goes through one escaping function (TEXT values), one
// parameter-quoting function (CN and other parameters) or is built from
// validated parts (dates, integers, mailto: and https: URIs), and every line
// is folded at 75 octets without splitting a UTF-8 sequence. VTIMEZONE
// components are generated from Go's time zone data, one observance per
// transition in the years the calendar uses.
//
// It imports the standard library only. Its tests parse every file back with
// an independent parser (github.com/emersion/go-ical) and expand recurrence
// rules with github.com/teambition/rrule-go.
package ical
