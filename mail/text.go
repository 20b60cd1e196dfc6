package mail

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// oneLine makes a name or topic safe for a header or a line of its own:
// line breaks and other control characters become spaces, runs of spaces
// one, and invalid UTF-8 the replacement character.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// when formats an occurrence in the meeting's zone.
func when(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	if s.Format("2006-01-02") == e.Format("2006-01-02") {
		return fmt.Sprintf("%s, %s–%s %s (%s)", s.Format("Monday, 2 January 2006"), s.Format("15:04"), e.Format("15:04"), e.Format("MST"), loc)
	}
	return fmt.Sprintf("%s – %s (%s)", s.Format("Monday, 2 January 2006 15:04 MST"), e.Format("Monday, 2 January 2006 15:04 MST"), loc)
}

// series describes a recurrence in words.
func series(r *admit.Recurrence) string {
	if r == nil {
		return ""
	}
	every := map[string]string{"daily": "day", "weekly": "week"}[r.Freq]
	s := "every " + every
	if r.Interval > 1 {
		s = fmt.Sprintf("every %d %ss", r.Interval, every)
	}
	if len(r.Weekdays) > 0 {
		s += " on " + strings.Join(r.Weekdays, ", ")
	}
	if r.Count > 0 {
		s += fmt.Sprintf(", %d times", r.Count)
	} else if r.Until != "" {
		s += ", until " + r.Until
	}
	return "Repeats " + s
}

// groupDigits writes a meeting number in groups as people read it out.
func groupDigits(n string) string {
	switch len(n) {
	case 11:
		return n[:3] + " " + n[3:7] + " " + n[7:]
	case 10:
		return n[:3] + " " + n[3:6] + " " + n[6:]
	}
	return n
}

// item is one labelled line of a message.
type item struct{ Label, Value string }

// view is what the templates show; every string in it is already one line
// where a line is expected.
type view struct {
	Intro     string
	Topic     string
	When      string
	Series    string
	JoinURL   string
	Items     []item
	Footer    string
	Cancelled bool
}

func newView(l *admit.Letter, loc *time.Location) *view {
	v := &view{Topic: oneLine(l.Topic), JoinURL: oneLine(l.JoinURL)}
	host := oneLine(l.Organizer.Name)
	if host == "" {
		host = oneLine(l.Organizer.Email)
	}
	dur := time.Duration(l.DurationMinutes) * time.Minute
	start, end := l.Start, l.Start.Add(dur)
	if l.Occurrence != nil {
		start, end = l.Occurrence.Start, l.Occurrence.End
	}
	v.When = when(start, end, loc)
	v.Series = series(l.Recurrence)
	switch l.Kind {
	case admit.OutboxInvitation:
		v.Intro = host + " invites you to a meeting."
	case admit.OutboxUpdate:
		v.Intro = host + " changed the meeting. This message replaces the earlier invitation."
	case admit.OutboxCancel:
		v.Cancelled = true
		v.Intro = host + " cancelled the meeting."
		if l.CancelOccurrence > 0 {
			v.Intro = host + " cancelled one occurrence of the meeting."
		}
		v.JoinURL = ""
		v.Footer = "Your link and codes for this meeting no longer let you in."
		return v
	case admit.OutboxReminder:
		v.Intro = "Reminder: your meeting starts soon."
	}
	add := func(label, value string) {
		if value = oneLine(value); value != "" {
			v.Items = append(v.Items, item{label, value})
		}
	}
	add("Meeting ID", groupDigits(l.MeetingNumber))
	add("Passcode", l.Passcode)
	add("Phone passcode", l.PhonePasscode)
	add("Your PIN", l.PIN)
	if l.AccessCode != "" && l.Occurrence != nil {
		add("Access code for "+l.Occurrence.Start.In(loc).Format("Mon 2 Jan 15:04"), l.AccessCode)
	} else {
		add("Access code", l.AccessCode)
	}
	for _, n := range l.DialIn {
		add("Dial in", n)
	}
	v.Footer = "This link and these codes are yours alone: please do not forward them."
	if l.Recurrence != nil {
		v.Footer += " Each occurrence has its own access code; a reminder before each one brings it."
	}
	return v
}

// PlainText is the text/plain body of a letter, in the meeting's zone.
func PlainText(l *admit.Letter, loc *time.Location) string {
	v := newView(l, loc)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", v.Intro)
	fmt.Fprintf(&b, "Topic: %s\n", v.Topic)
	fmt.Fprintf(&b, "When: %s\n", v.When)
	if v.Series != "" {
		fmt.Fprintf(&b, "%s\n", v.Series)
	}
	if v.JoinURL != "" {
		fmt.Fprintf(&b, "\nJoin: %s\n", v.JoinURL)
	}
	if len(v.Items) > 0 {
		b.WriteString("\n")
	}
	for _, it := range v.Items {
		fmt.Fprintf(&b, "%s: %s\n", it.Label, it.Value)
	}
	if v.Footer != "" {
		fmt.Fprintf(&b, "\n%s\n", v.Footer)
	}
	return b.String()
}

var htmlTemplate = template.Must(template.New("letter").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Topic}}</title></head>
<body style="font-family: sans-serif; line-height: 1.4">
<p>{{.Intro}}</p>
<p><strong>{{.Topic}}</strong><br>{{.When}}{{if .Series}}<br>{{.Series}}{{end}}</p>
{{if .JoinURL}}<p><a href="{{.JoinURL}}">Join the meeting</a><br><span style="font-size: small">{{.JoinURL}}</span></p>{{end}}
{{if .Items}}<table>{{range .Items}}<tr><td>{{.Label}}</td><td><strong>{{.Value}}</strong></td></tr>{{end}}</table>{{end}}
{{if .Footer}}<p style="font-size: small">{{.Footer}}</p>{{end}}
</body></html>
`))

// HTML is the text/html body of a letter; every value is escaped by
// html/template.
func HTML(l *admit.Letter, loc *time.Location) (string, error) {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, newView(l, loc)); err != nil {
		return "", fmt.Errorf("mail: HTML body: %w", err)
	}
	return b.String(), nil
}

// Subject is the subject line of a letter.
func Subject(l *admit.Letter, loc *time.Location) string {
	topic := oneLine(l.Topic)
	start := l.Start
	if l.Occurrence != nil {
		start = l.Occurrence.Start
	}
	at := start.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
	switch l.Kind {
	case admit.OutboxUpdate:
		return "Updated invitation: " + topic + " @ " + at
	case admit.OutboxCancel:
		return "Cancelled: " + topic
	case admit.OutboxReminder:
		return "Reminder: " + topic + " @ " + at
	}
	return "Invitation: " + topic + " @ " + at
}
