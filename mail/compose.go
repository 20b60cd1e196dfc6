package mail

import (
	"bytes"
	"fmt"
	netmail "net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/admit-project/admit"
)

// Compose writes the message of one outbox entry: From the deployment's
// sender, To the invitee, Reply-To the host when the settings ask for it,
// the stable Message-ID, and a body of plain text and HTML alternatives with
// the calendar entry as a third alternative (text/calendar; method=...) and
// again as an invite.ics attachment, the layout both Outlook and Gmail show
// as an invitation. Reminders carry no calendar entry. Names and topics are
// made one line before they reach a header; go-mail encodes them.
func Compose(l *admit.Letter, messageID string, s *admit.SMTPSettings, date time.Time) (*gomail.Msg, error) {
	loc, err := location(l)
	if err != nil {
		return nil, err
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	// Addresses are checked here and handed over as net/mail addresses, so
	// that go-mail quotes and encodes the names and never parses them.
	if err := admit.ValidateRecipient("smtp.from", s.From); err != nil {
		return nil, err
	}
	m.FromMailAddress(&netmail.Address{Name: oneLine(s.FromName), Address: s.From})
	if err := admit.ValidateRecipient("invitee.email", l.Invitee.Email); err != nil {
		return nil, err
	}
	m.AddToMailAddress(&netmail.Address{Name: oneLine(l.Invitee.Name), Address: l.Invitee.Email})
	if s.ReplyToHost && l.Organizer.Email != "" {
		if err := admit.ValidateRecipient("organizer.email", l.Organizer.Email); err != nil {
			return nil, err
		}
		m.ReplyToMailAddress(&netmail.Address{Name: oneLine(l.Organizer.Name), Address: l.Organizer.Email})
	}
	m.Subject(Subject(l, loc))
	m.SetMessageIDWithValue(messageID)
	m.SetDateWithValue(date)
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader("X-Auto-Response-Suppress", "All")

	m.SetBodyString(gomail.TypeTextPlain, PlainText(l, loc))
	html, err := HTML(l, loc)
	if err != nil {
		return nil, err
	}
	m.AddAlternativeString(gomail.TypeTextHTML, html)
	cal, err := Calendar(l)
	if err != nil {
		return nil, err
	}
	if cal != nil {
		ics, err := cal.Marshal()
		if err != nil {
			return nil, err
		}
		ct := gomail.ContentType("text/calendar; method=" + string(cal.Method))
		// Base64 keeps the calendar's CRLF line ends and folding intact
		// through any relay; quoted-printable would add soft line breaks.
		m.AddAlternativeString(ct, string(ics), gomail.WithPartEncoding(gomail.EncodingB64))
		if err := m.AttachReader("invite.ics", bytes.NewReader(ics),
			gomail.WithFileContentType("application/ics"), gomail.WithFileEncoding(gomail.EncodingB64)); err != nil {
			return nil, fmt.Errorf("mail: attaching invite.ics: %w", err)
		}
	}
	return m, nil
}
