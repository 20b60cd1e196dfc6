package app

import (
	"context"
	"math"
	"time"

	"github.com/admit-project/admit"
)

// DefaultReminderLead is how long before an occurrence its reminder goes
// out when Service.ReminderLead is zero.
const DefaultReminderLead = time.Hour

// calendarSequence is the calendar SEQUENCE of m at now: the seconds since
// the meeting was created. It rises with every change without a counter in
// the store, and two changes in one second are one change to a calendar.
func calendarSequence(m *admit.Meeting, now time.Time) int {
	if m.CreatedAt.IsZero() || !now.After(m.CreatedAt) {
		return 0
	}
	d := now.Sub(m.CreatedAt) / time.Second
	if d > math.MaxInt32 {
		d = math.MaxInt32
	}
	return int(d)
}

// mailing says which invitees get which kind of message about a change.
// IDs nil means every invitee with an address; an empty, non-nil list none.
type mailing struct {
	kind admit.OutboxKind
	ids  []string
}

// mailOn reports whether changes enqueue mail: SMTP is configured and the
// store writes messages with its changes.
func (s *Service) mailOn() (admit.OutboxSaver, bool) {
	if !s.SendMail || s.Mailer == nil {
		return nil, false
	}
	saver, ok := s.Store.(admit.OutboxSaver)
	return saver, ok
}

// organizer is the meeting's host as the messages name them.
func (s *Service) organizer(ctx context.Context, m *admit.Meeting) admit.Addressee {
	u, err := s.Store.FindUserByID(ctx, m.HostID)
	if err != nil {
		return admit.Addressee{}
	}
	return admit.Addressee{Name: u.Name, Email: u.Email}
}

// messages returns the outbox messages of a change of m, to be written with
// it; nil when mail is off. It reads m's secrets as they are now, so save
// calls it on every try (a redrawn code is in the message).
func (s *Service) messages(ctx context.Context, m *admit.Meeting, now time.Time, mailings ...mailing) ([]*admit.OutboxMessage, error) {
	if _, ok := s.mailOn(); !ok {
		return nil, nil
	}
	v := s.view(m, true)
	org := s.organizer(ctx, m)
	var out []*admit.OutboxMessage
	for _, ml := range mailings {
		if ml.ids != nil && len(ml.ids) == 0 {
			continue
		}
		msgs, err := s.Mailer.Messages(v, m.AccountID, admit.MailChange{Kind: ml.kind, Organizer: org,
			Sequence: calendarSequence(m, now), Now: now, InviteeIDs: ml.ids})
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// saveWithMail is Store.SaveMeeting, with the messages of the change in the
// same transaction when mail is on.
func (s *Service) saveWithMail(ctx context.Context, m *admit.Meeting, now time.Time, mailings []mailing) error {
	saver, ok := s.mailOn()
	if !ok || len(mailings) == 0 {
		return s.Store.SaveMeeting(ctx, m, now)
	}
	msgs, err := s.messages(ctx, m, now, mailings...)
	if err != nil {
		return err
	}
	return saver.SaveMeetingWithOutbox(ctx, m, now, msgs)
}

// deleteWithMail is Store.DeleteMeeting, with a cancellation to every
// invitee in the same transaction when mail is on.
func (s *Service) deleteWithMail(ctx context.Context, m *admit.Meeting, now time.Time) error {
	saver, ok := s.mailOn()
	if !ok {
		return s.Store.DeleteMeeting(ctx, m.PK, now)
	}
	msgs, err := s.messages(ctx, m, now, mailing{kind: admit.OutboxCancel})
	if err != nil {
		return err
	}
	return saver.DeleteMeetingWithOutbox(ctx, m.PK, now, msgs)
}

// newInvitees and oldInvitees list the IDs of the invitees not yet saved
// and of those saved, never nil.
func newInvitees(m *admit.Meeting) []string {
	ids := []string{}
	for _, inv := range m.Invitees {
		if inv.PK == 0 {
			ids = append(ids, inv.ID)
		}
	}
	return ids
}

func oldInvitees(m *admit.Meeting) []string {
	ids := []string{}
	for _, inv := range m.Invitees {
		if inv.PK != 0 {
			ids = append(ids, inv.ID)
		}
	}
	return ids
}

// EnqueueReminders enqueues the reminders that are due at the service's
// now: for every occurrence, in every account, that starts within the
// reminder lead, one message per invitee with that occurrence's access code.
// The outbox keeps one reminder per invitee and occurrence however often,
// and on however many nodes, this runs. It returns how many occurrences it
// looked at.
func (s *Service) EnqueueReminders(ctx context.Context) (int, error) {
	rs, ok := s.Store.(admit.ReminderStore)
	outbox, ok2 := s.Store.(admit.OutboxStore)
	if _, on := s.mailOn(); !on || !ok || !ok2 {
		return 0, nil
	}
	lead := s.ReminderLead
	if lead <= 0 {
		lead = DefaultReminderLead
	}
	now := s.now()
	refs, err := rs.FindStartingOccurrences(ctx, now, now.Add(lead), 0)
	if err != nil {
		return 0, err
	}
	for _, r := range refs {
		m, err := s.Store.FindMeetingByID(ctx, r.AccountID, r.MeetingID)
		if admit.ErrorCode(err) == admit.ENOTFOUND {
			continue
		} else if err != nil {
			return 0, err
		}
		v := s.view(m, true)
		msgs, err := s.Mailer.Messages(v, m.AccountID, admit.MailChange{Kind: admit.OutboxReminder,
			Organizer: s.organizer(ctx, m), Sequence: calendarSequence(m, now), Now: now, Occurrence: r.Index})
		if err != nil {
			return 0, err
		}
		if len(msgs) == 0 {
			continue
		}
		if err := outbox.EnqueueOutbox(ctx, now, msgs...); err != nil {
			return 0, err
		}
	}
	return len(refs), nil
}
