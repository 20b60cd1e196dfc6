package ical

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Method is an iTIP method (RFC 5546 section 1.4).
type Method string

// The methods admit sends.
const (
	// MethodRequest invites attendees to an event, or updates it.
	MethodRequest Method = "REQUEST"
	// MethodCancel cancels an event, one occurrence of it, or an attendee's
	// place in it.
	MethodCancel Method = "CANCEL"
	// MethodPublish is a calendar entry to import, not an invitation: the
	// file a host downloads for their own calendar.
	MethodPublish Method = "PUBLISH"
)

// Freq is a recurrence rule's frequency.
type Freq string

// The frequencies admit's recurrences use.
const (
	Daily  Freq = "DAILY"
	Weekly Freq = "WEEKLY"
)

// Person is an organizer or an attendee: a display name and an address.
type Person struct {
	Name  string
	Email string
}

// Rule is a recurrence rule (RRULE) in the subset admit uses: daily or
// weekly, every Interval days or weeks, ending after Count occurrences or at
// Until, on the listed weekdays.
type Rule struct {
	Freq     Freq
	Interval int       // 1 when zero
	Count    int       // number of occurrences; zero when Until is set
	Until    time.Time // the last instant an occurrence may start; zero when Count is set
	ByDay    []string  // weekly only: "MO" … "SU"
}

// Event is one VEVENT. A recurring series is an Event with a Rule (the
// master), and an occurrence that moved is a further Event with the same UID
// whose RecurrenceID is the occurrence's original start.
type Event struct {
	UID      string
	Sequence int
	Stamp    time.Time // DTSTAMP: when the message was made
	Start    time.Time
	End      time.Time

	Summary     string
	Description string
	Location    string // the join link, as text
	URL         string // the join link, as a URI (http or https)

	Organizer Person
	Attendees []Person

	Rule    *Rule
	ExDates []time.Time // original starts of cancelled occurrences (master only)

	// RecurrenceID, when set, makes the event one occurrence of the series
	// with the same UID: the occurrence that originally started then.
	RecurrenceID time.Time
	// Cancelled writes STATUS:CANCELLED (with METHOD:CANCEL).
	Cancelled bool
}

// Calendar is one iCalendar object: a method, the time zone that every
// local time is written in, and the events.
type Calendar struct {
	ProdID   string // defaults to "-//admit//admit//EN"
	Method   Method
	Location *time.Location // an IANA zone; its VTIMEZONE is generated
	Events   []*Event
}

// Errors that Marshal returns.
var (
	ErrNoEvent    = errors.New("ical: the calendar has no event")
	ErrNoLocation = errors.New("ical: the calendar needs an IANA time zone (not Local)")
)

// Marshal writes the calendar with CRLF line endings and lines folded at 75
// octets. It returns an error naming the field when a value cannot be
// written safely (a missing UID, a URL that is not http or https, an address
// with a control character).
func (c *Calendar) Marshal() ([]byte, error) {
	if len(c.Events) == 0 {
		return nil, ErrNoEvent
	}
	if c.Location == nil || c.Location.String() == "" || c.Location.String() == "Local" {
		return nil, ErrNoLocation
	}
	switch c.Method {
	case MethodRequest, MethodCancel, MethodPublish:
	default:
		return nil, fmt.Errorf("ical: method %q is not REQUEST, CANCEL or PUBLISH", c.Method)
	}
	w := &writer{}
	prodID := c.ProdID
	if prodID == "" {
		prodID = "-//admit//admit//EN"
	}
	w.line("BEGIN", nil, "VCALENDAR")
	w.line("PRODID", nil, escapeText(prodID))
	w.line("VERSION", nil, "2.0")
	w.line("CALSCALE", nil, "GREGORIAN")
	w.line("METHOD", nil, string(c.Method))
	from, to := c.span()
	writeTimezone(w, c.Location, from, to)
	for _, e := range c.Events {
		if err := c.writeEvent(w, e); err != nil {
			return nil, err
		}
	}
	w.line("END", nil, "VCALENDAR")
	return w.buf.Bytes(), nil
}

func (c *Calendar) writeEvent(w *writer, e *Event) error {
	if e.UID == "" || hasControl(e.UID) {
		return errors.New("ical: event UID is empty or has a control character")
	}
	if e.End.Before(e.Start) {
		return errors.New("ical: event end is before its start")
	}
	tz := param{"TZID", c.Location.String()}
	w.line("BEGIN", nil, "VEVENT")
	w.line("UID", nil, escapeText(e.UID))
	w.line("SEQUENCE", nil, strconv.Itoa(max(e.Sequence, 0)))
	w.line("DTSTAMP", nil, utcStamp(e.Stamp))
	if !e.RecurrenceID.IsZero() {
		w.line("RECURRENCE-ID", []param{tz}, localStamp(e.RecurrenceID, c.Location))
	}
	w.line("DTSTART", []param{tz}, localStamp(e.Start, c.Location))
	w.line("DTEND", []param{tz}, localStamp(e.End, c.Location))
	if e.Rule != nil && e.RecurrenceID.IsZero() {
		rule, err := ruleValue(e.Rule)
		if err != nil {
			return err
		}
		w.line("RRULE", nil, rule)
		for _, x := range e.ExDates {
			w.line("EXDATE", []param{tz}, localStamp(x, c.Location))
		}
	}
	w.line("SUMMARY", nil, escapeText(e.Summary))
	if e.Description != "" {
		w.line("DESCRIPTION", nil, escapeText(e.Description))
	}
	if e.Location != "" {
		w.line("LOCATION", nil, escapeText(e.Location))
	}
	if e.URL != "" {
		u, err := safeURL(e.URL)
		if err != nil {
			return err
		}
		w.line("URL", nil, u)
	}
	if e.Organizer.Email != "" {
		addr, err := mailto(e.Organizer.Email)
		if err != nil {
			return fmt.Errorf("ical: organizer: %w", err)
		}
		var ps []param
		if e.Organizer.Name != "" {
			ps = append(ps, param{"CN", e.Organizer.Name})
		}
		w.line("ORGANIZER", ps, addr)
	}
	for _, a := range e.Attendees {
		addr, err := mailto(a.Email)
		if err != nil {
			return fmt.Errorf("ical: attendee: %w", err)
		}
		var ps []param
		if a.Name != "" {
			ps = append(ps, param{"CN", a.Name})
		}
		ps = append(ps, param{"CUTYPE", "INDIVIDUAL"}, param{"ROLE", "REQ-PARTICIPANT"}, param{"PARTSTAT", "NEEDS-ACTION"})
		if c.Method == MethodRequest {
			ps = append(ps, param{"RSVP", "TRUE"})
		}
		w.line("ATTENDEE", ps, addr)
	}
	status := "CONFIRMED"
	if e.Cancelled || c.Method == MethodCancel {
		status = "CANCELLED"
	}
	w.line("STATUS", nil, status)
	w.line("TRANSP", nil, "OPAQUE")
	w.line("END", nil, "VEVENT")
	return nil
}

// span returns the first and last instants the calendar's events touch, so
// that the VTIMEZONE covers them.
func (c *Calendar) span() (from, to time.Time) {
	see := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if from.IsZero() || t.Before(from) {
			from = t
		}
		if to.IsZero() || t.After(to) {
			to = t
		}
	}
	for _, e := range c.Events {
		see(e.Start)
		see(e.End)
		see(e.RecurrenceID)
		for _, x := range e.ExDates {
			see(x)
		}
		if r := e.Rule; r != nil && e.RecurrenceID.IsZero() {
			see(r.Until)
			if r.Count > 0 {
				step := 24 * time.Hour
				if r.Freq == Weekly {
					step *= 7
				}
				see(e.End.Add(time.Duration(r.Count*max(r.Interval, 1)) * step))
			}
		}
	}
	return from, to
}

func ruleValue(r *Rule) (string, error) {
	if r.Freq != Daily && r.Freq != Weekly {
		return "", fmt.Errorf("ical: rule frequency %q is not DAILY or WEEKLY", r.Freq)
	}
	if (r.Count > 0) == !r.Until.IsZero() {
		return "", errors.New("ical: a rule needs exactly one of count and until")
	}
	parts := []string{"FREQ=" + string(r.Freq)}
	if r.Interval > 1 {
		parts = append(parts, "INTERVAL="+strconv.Itoa(r.Interval))
	}
	if r.Count > 0 {
		parts = append(parts, "COUNT="+strconv.Itoa(r.Count))
	} else {
		parts = append(parts, "UNTIL="+utcStamp(r.Until))
	}
	if len(r.ByDay) > 0 {
		if r.Freq != Weekly {
			return "", errors.New("ical: BYDAY goes with WEEKLY only")
		}
		days := make([]string, len(r.ByDay))
		for i, d := range r.ByDay {
			d = strings.ToUpper(d)
			switch d {
			case "MO", "TU", "WE", "TH", "FR", "SA", "SU":
			default:
				return "", fmt.Errorf("ical: weekday %q is not one of MO … SU", d)
			}
			days[i] = d
		}
		parts = append(parts, "BYDAY="+strings.Join(days, ","))
		// Weeks start on Monday, as admit's recurrence counts them.
		parts = append(parts, "WKST=MO")
	}
	return strings.Join(parts, ";"), nil
}

const (
	localFormat = "20060102T150405"
	utcFormat   = "20060102T150405Z"
)

func localStamp(t time.Time, loc *time.Location) string { return t.In(loc).Format(localFormat) }
func utcStamp(t time.Time) string                       { return t.UTC().Format(utcFormat) }

// mailto returns the mailto: URI of an address. Addresses are checked at
// scheduling; here anything that could break the line is refused and
// anything outside the usual address characters is percent-encoded.
func mailto(addr string) (string, error) {
	if addr == "" || hasControl(addr) || !strings.Contains(addr, "@") {
		return "", fmt.Errorf("address %q cannot be written", addr)
	}
	var b strings.Builder
	b.WriteString("mailto:")
	for i := 0; i < len(addr); i++ {
		ch := addr[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte(".-_+@!#$&'*/=?^`{|}~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String(), nil
}

// safeURL checks that u is an absolute http or https URL without spaces or
// control characters; a URI value is written as is.
func safeURL(u string) (string, error) {
	if hasControl(u) || strings.ContainsAny(u, " \"<>\\^`{|}") {
		return "", errors.New("ical: URL has a space, quote or control character")
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return "", errors.New("ical: URL is not an absolute http or https URL")
	}
	return u, nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// escapeText escapes a TEXT value (RFC 5545 section 3.3.11): backslash,
// semicolon and comma are escaped, every line break (CRLF, CR or LF)
// becomes \n, and other control characters are dropped, so that no value can
// end its content line or start another property. Invalid UTF-8 becomes
// U+FFFD.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\':
			b.WriteString(`\\`)
		case ch == ';':
			b.WriteString(`\;`)
		case ch == ',':
			b.WriteString(`\,`)
		case ch == '\r':
			b.WriteString(`\n`)
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case ch == '\n':
			b.WriteString(`\n`)
		case ch == '\t':
			b.WriteByte(' ')
		case ch < 0x20 || ch == 0x7f:
			// dropped
		default:
			b.WriteByte(ch)
		}
	}
	return dropC1(b.String())
}

// dropC1 removes the C1 control characters (U+0080 … U+009F).
func dropC1(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r < 0xa0 }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 0x80 && r < 0xa0 {
			return -1
		}
		return r
	}, s)
}

// paramValue returns a parameter value, quoted when it holds ; : or , (a
// quoted value may hold them; a bare one is what clients read most widely,
// as in TZID=Europe/Zurich). The double quote, which no value may hold,
// becomes a single quote; line breaks become spaces and other control
// characters are dropped (RFC 5545 section 3.1, param-value).
func paramValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\r' || r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
	if s == "" || strings.ContainsAny(s, ";:,") {
		return `"` + s + `"`
	}
	return s
}

type param struct{ name, value string }

// writer accumulates content lines, folded and CRLF-terminated.
type writer struct{ buf bytes.Buffer }

func (w *writer) line(name string, params []param, value string) {
	var b strings.Builder
	b.WriteString(name)
	for _, p := range params {
		b.WriteByte(';')
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(paramValue(p.value))
	}
	b.WriteByte(':')
	b.WriteString(value)
	fold(&w.buf, b.String())
}

// MaxLineOctets is the longest a content line may be, CRLF excluded (RFC 5545
// section 3.1).
const MaxLineOctets = 75

// fold writes line folded so that no physical line is longer than 75 octets
// (a continuation line's leading space counts), breaking only between UTF-8
// sequences, and ends it with CRLF.
func fold(buf *bytes.Buffer, line string) {
	limit := MaxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !isRuneStart(line[cut]) {
			cut--
		}
		buf.WriteString(line[:cut])
		buf.WriteString("\r\n ")
		line = line[cut:]
		limit = MaxLineOctets - 1
	}
	buf.WriteString(line)
	buf.WriteString("\r\n")
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
