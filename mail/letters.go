package mail

import (
	"errors"
	"time"

	"github.com/admit-project/admit"
)

// DefaultReminderLead is how long before an occurrence its reminder goes
// out, unless the account or the meeting says otherwise.
const DefaultReminderLead = time.Hour

// LetterOptions is what a meeting view does not say about its letters.
type LetterOptions struct {
	Kind      admit.OutboxKind
	Organizer admit.Addressee // the meeting's host
	// UIDDomain makes the calendar UID "<meeting ID>@<UIDDomain>": the
	// deployment's host name, the same for every message about the meeting.
	UIDDomain string
	// Sequence is the calendar SEQUENCE: the store's counter of changes
	// that matter to the meeting's calendar entry.
	Sequence int
	Now      time.Time
	DialIn   []string // the deployment's dial-in numbers
	// CancelOccurrence, with Kind cancel, cancels that occurrence only.
	CancelOccurrence int
}

// NextOccurrence returns the first occurrence whose window has not closed
// at now and that the host has not ended, or nil.
func NextOccurrence(v *admit.MeetingView, now time.Time) *admit.OccurrenceView {
	for _, o := range v.Occurrences {
		if o.EndedAt == nil && now.Before(o.ClosesAt) {
			return o
		}
	}
	return nil
}

// DueReminders returns the indexes of the occurrences whose reminder is due
// at now: lead before their start has passed and they have not started or
// ended. A reminder missed while no node ran is still sent until the start.
func DueReminders(v *admit.MeetingView, now time.Time, lead time.Duration) []int {
	var out []int
	for _, o := range v.Occurrences {
		if o.EndedAt == nil && !now.Before(o.Start.Add(-lead)) && now.Before(o.Start) {
			out = append(out, o.Index)
		}
	}
	return out
}

// Letters returns one letter per invitee that has an email address, each
// holding that invitee's credentials only. v must be the view with its
// secrets shown. An invitation or update carries the access code of the
// next occurrence (see NextOccurrence); use ReminderLetters for the others.
func Letters(v *admit.MeetingView, o LetterOptions) ([]*admit.Letter, error) {
	var out []*admit.Letter
	for _, inv := range v.Invitees {
		if inv.Email == "" {
			continue
		}
		l, err := LetterFor(v, inv, o)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// LetterFor returns the letter for one invitee (see Letters).
func LetterFor(v *admit.MeetingView, inv *admit.InviteeView, o LetterOptions) (*admit.Letter, error) {
	occ := NextOccurrence(v, o.Now)
	if o.Kind == admit.OutboxReminder {
		return nil, errors.New("mail: use ReminderLetters for reminders")
	}
	return letter(v, inv, o, occ)
}

// ReminderLetters returns the reminders of occurrence index, one per
// invitee with an email address, each carrying that occurrence's access
// code only.
func ReminderLetters(v *admit.MeetingView, index int, o LetterOptions) ([]*admit.Letter, error) {
	var occ *admit.OccurrenceView
	for _, x := range v.Occurrences {
		if x.Index == index {
			occ = x
		}
	}
	if occ == nil {
		return nil, admit.Errorf(admit.ENOTFOUND, "meeting %s has no occurrence %d", v.ID, index)
	}
	o.Kind = admit.OutboxReminder
	var out []*admit.Letter
	for _, inv := range v.Invitees {
		if inv.Email == "" {
			continue
		}
		l, err := letter(v, inv, o, occ)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func letter(v *admit.MeetingView, inv *admit.InviteeView, o LetterOptions, occ *admit.OccurrenceView) (*admit.Letter, error) {
	if !o.Kind.Valid() {
		return nil, errors.New("mail: letter kind")
	}
	if inv.Email != "" || inv.ID != "" {
		if err := admit.ValidateRecipient("invitees.email", inv.Email); err != nil {
			return nil, err
		}
	}
	l := &admit.Letter{
		Kind: o.Kind, UID: v.ID + "@" + o.UIDDomain, Sequence: o.Sequence, Stamp: o.Now,
		Topic: v.Topic, Timezone: v.Timezone, DurationMinutes: v.DurationMinutes,
		Recurrence: v.Recurrence, Organizer: o.Organizer,
		Invitee:       admit.Addressee{Name: inv.Name, Email: inv.Email},
		MeetingNumber: v.MeetingID, CancelOccurrence: o.CancelOccurrence,
	}
	if v.Start != nil {
		l.Start = *v.Start
	} else if len(v.Occurrences) > 0 {
		l.Start = v.Occurrences[0].Start
	}
	if v.Recurrence != nil {
		for _, x := range v.Occurrences {
			l.Occurrences = append(l.Occurrences, admit.LetterOccurrence{Index: x.Index, Start: x.Start, End: x.End})
		}
	}
	if occ != nil {
		l.Occurrence = &admit.LetterOccurrence{Index: occ.Index, Start: occ.Start, End: occ.End}
	}
	if o.Kind == admit.OutboxCancel {
		return l, nil // a cancel carries no credential
	}
	l.JoinURL = inv.Link
	if l.JoinURL == "" {
		l.JoinURL = v.JoinURL
	}
	// The invitee's own passcode when the meeting gives each one; else the
	// shared one.
	l.Passcode, l.PhonePasscode = inv.Passcode, inv.PhonePasscode
	if l.Passcode == "" {
		l.Passcode, l.PhonePasscode = v.Passcode, v.PhonePasscode
	}
	l.PIN = inv.PIN
	if occ != nil {
		l.AccessCode = occ.AccessCode
	}
	l.DialIn = o.DialIn
	if len(l.DialIn) == 0 {
		// The numbers that reach the meeting, as its view lists them
		// (admit.DialInOptions): each with its one-tap form.
		for _, n := range v.DialIn {
			kind := ""
			if n.TollFree {
				kind = ", toll-free"
			}
			l.DialIn = append(l.DialIn, n.Number+" ("+n.Country+kind+"), one tap: "+n.OneTap)
		}
	}
	return l, nil
}

// SharedLetter returns the invitation with the meeting's shared values only:
// the meeting's join link, the shared passcode and its phone form, and the
// next occurrence's access code; no invitee, so no PIN or unique passcode.
// It is what "Copy invitation" copies (PlainText) and what the host
// downloads as an .ics (Calendar writes it as METHOD:PUBLISH). v must be the
// view with its secrets shown.
func SharedLetter(v *admit.MeetingView, o LetterOptions) (*admit.Letter, error) {
	if o.Kind == "" {
		o.Kind = admit.OutboxInvitation
	}
	if o.Kind == admit.OutboxReminder {
		return nil, errors.New("mail: use ReminderLetters for reminders")
	}
	return letter(v, &admit.InviteeView{}, o, NextOccurrence(v, o.Now))
}
