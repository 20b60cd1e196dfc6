package mail

import (
	"io"
	"slices"
	"strings"

	"github.com/admit-project/admit"
)

// Postman is the admit.Mailer of a deployment: it seals each message with
// the key ring and draws its Message-ID at the From domain.
type Postman struct {
	Random     io.Reader // crypto/rand in production
	Sealer     Sealer
	FromDomain string // the domain of the From address
	UIDDomain  string // the deployment's host name, for calendar UIDs
	DialIn     []string
}

var _ admit.Mailer = (*Postman)(nil)

func (p *Postman) options(c admit.MailChange) LetterOptions {
	return LetterOptions{Kind: c.Kind, Organizer: c.Organizer, UIDDomain: p.UIDDomain, Sequence: c.Sequence,
		Now: c.Now, DialIn: p.DialIn, CancelOccurrence: c.CancelOccurrence}
}

// Messages implements admit.Mailer.
func (p *Postman) Messages(v *admit.MeetingView, accountID int64, c admit.MailChange) ([]*admit.OutboxMessage, error) {
	o := p.options(c)
	var letters []*admit.Letter
	var ids []string
	pick := func(inv *admit.InviteeView) bool {
		return inv.Email != "" && (len(c.InviteeIDs) == 0 || slices.Contains(c.InviteeIDs, inv.ID))
	}
	if c.Kind == admit.OutboxReminder {
		all, err := ReminderLetters(v, c.Occurrence, o)
		if err != nil {
			return nil, err
		}
		i := 0
		for _, inv := range v.Invitees {
			if inv.Email == "" {
				continue
			}
			if pick(inv) {
				letters, ids = append(letters, all[i]), append(ids, inv.ID)
			}
			i++
		}
	} else {
		for _, inv := range v.Invitees {
			if !pick(inv) {
				continue
			}
			l, err := LetterFor(v, inv, o)
			if err != nil {
				return nil, err
			}
			letters, ids = append(letters, l), append(ids, inv.ID)
		}
	}
	out := make([]*admit.OutboxMessage, len(letters))
	for i, l := range letters {
		m, err := NewOutboxMessage(p.Random, p.Sealer, p.FromDomain, l, v.ID, ids[i])
		if err != nil {
			return nil, err
		}
		m.AccountID = accountID
		out[i] = m
	}
	return out, nil
}

func (p *Postman) letter(v *admit.MeetingView, inviteeID string, c admit.MailChange) (*admit.Letter, error) {
	o := p.options(c)
	if o.Kind == "" || o.Kind == admit.OutboxReminder {
		o.Kind = admit.OutboxInvitation
	}
	if inviteeID == "" {
		return SharedLetter(v, o)
	}
	for _, inv := range v.Invitees {
		if inv.ID == inviteeID {
			if inv.Email == "" {
				// A phone-only invitee still gets a file and a text.
				return letter(v, &admit.InviteeView{Name: inv.Name, Link: inv.Link, PIN: inv.PIN, Passcode: inv.Passcode,
					PhonePasscode: inv.PhonePasscode}, o, NextOccurrence(v, o.Now))
			}
			return LetterFor(v, inv, o)
		}
	}
	return nil, admit.Errorf(admit.ENOTFOUND, "meeting %s has no invitee %s", v.ID, inviteeID)
}

// ICS implements admit.Mailer.
func (p *Postman) ICS(v *admit.MeetingView, inviteeID string, c admit.MailChange) ([]byte, error) {
	l, err := p.letter(v, inviteeID, c)
	if err != nil {
		return nil, err
	}
	return ICS(l)
}

// InvitationText implements admit.Mailer.
func (p *Postman) InvitationText(v *admit.MeetingView, inviteeID string, c admit.MailChange) (string, error) {
	l, err := p.letter(v, inviteeID, c)
	if err != nil {
		return "", err
	}
	loc, err := location(l)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(PlainText(l, loc)) + "\n", nil
}
