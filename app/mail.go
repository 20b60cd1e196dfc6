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
// Gone are invitees the change removes, still written to (a cancellation).
type mailing struct {
	kind admit.OutboxKind
	ids  []string
	gone []*admit.Invitee
}

// mailOn reports whether changes of the account enqueue mail: SMTP is
// configured, the deployment's or the account's own, and the store writes
// messages with its changes.
func (s *Service) mailOn(ctx context.Context, accountID int64) (admit.OutboxSaver, bool) {
	saver, ok := s.mailPossible()
	if !ok || s.SendMail {
		return saver, ok
	}
	own, err := s.hasAccountSMTP(ctx, accountID)
	if err != nil {
		s.logger().Error("mail: account settings", "account", accountID, "err", err)
	}
	return saver, own
}

// mailPossible reports whether any account may send mail: the deployment
// has SMTP, or accounts may have their own.
func (s *Service) mailPossible() (admit.OutboxSaver, bool) {
	if s.Mailer == nil {
		return nil, false
	}
	saver, ok := s.Store.(admit.OutboxSaver)
	if !ok {
		return nil, false
	}
	_, perAccount := s.accountMailStore()
	return saver, s.SendMail || perAccount
}

// hasAccountSMTP reports whether the account has its own SMTP server.
func (s *Service) hasAccountSMTP(ctx context.Context, accountID int64) (bool, error) {
	if _, ok := s.accountMailStore(); !ok {
		return false, nil
	}
	m, err := s.findAccountMail(ctx, accountID)
	return err == nil && m.SMTP != nil, err
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
	if _, ok := s.mailOn(ctx, m.AccountID); !ok || m.Kind == admit.KindPersonal {
		// A personal room has no schedule to send; its links are copied.
		return nil, nil
	}
	v := s.view(m, true)
	org := s.organizer(ctx, m)
	var out []*admit.OutboxMessage
	for _, ml := range mailings {
		if ml.ids != nil && len(ml.ids) == 0 {
			continue
		}
		v := v
		if len(ml.gone) > 0 {
			// The removed invitees are written to as they were.
			was := *m
			was.Invitees = append(append([]*admit.Invitee{}, m.Invitees...), ml.gone...)
			v = s.view(&was, true)
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
	saver, ok := s.mailOn(ctx, m.AccountID)
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
	saver, ok := s.mailOn(ctx, m.AccountID)
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
// now: for every occurrence, in every account, that starts within its
// reminder lead (the meeting's, else the account's, else the deployment's:
// admit.EffectiveReminderLead), one message per invitee with that
// occurrence's access code.
// The outbox keeps one reminder per invitee and occurrence however often,
// and on however many nodes, this runs. It returns how many occurrences it
// looked at.
func (s *Service) EnqueueReminders(ctx context.Context) (int, error) {
	rs, ok := s.Store.(admit.ReminderStore)
	outbox, ok2 := s.Store.(admit.OutboxStore)
	if _, on := s.mailPossible(); !on || !ok || !ok2 {
		return 0, nil
	}
	lead := s.deploymentReminderLead()
	now := s.now()
	refs, err := rs.FindStartingOccurrences(ctx, now, lead, 0)
	if err != nil {
		return 0, err
	}
	for _, r := range refs {
		if !r.Start.Before(now.Add(admit.EffectiveReminderLead(r.MeetingLead, r.AccountLead, lead))) {
			continue
		}
		if _, on := s.mailOn(ctx, r.AccountID); !on {
			continue
		}
		m, err := s.Store.FindMeetingByID(ctx, r.AccountID, r.MeetingID)
		if admit.ErrorCode(err) == admit.ENOTFOUND {
			continue
		} else if err != nil {
			return 0, err
		}
		// Only the invitees not reminded yet: most ticks find them all
		// reminded and seal nothing.
		sent, err := outbox.FindOutbox(ctx, admit.OutboxFilter{AccountID: m.AccountID, MeetingID: m.ID})
		if err != nil {
			return 0, err
		}
		done := map[string]bool{}
		for _, msg := range sent {
			if msg.Kind == admit.OutboxReminder && msg.Occurrence == r.Index {
				done[msg.InviteeID] = true
			}
		}
		ids := []string{}
		for _, inv := range m.Invitees {
			if inv.Email != "" && !done[inv.ID] {
				ids = append(ids, inv.ID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		v := s.view(m, true)
		msgs, err := s.Mailer.Messages(v, m.AccountID, admit.MailChange{Kind: admit.OutboxReminder,
			Organizer: s.organizer(ctx, m), Sequence: calendarSequence(m, now), Now: now, Occurrence: r.Index, InviteeIDs: ids})
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

// hostMeeting finds meeting id for the invitation routes: reading them
// needs PermSee, sending needs PermRun (findMeeting answers a meeting the
// actor may not see as one that does not exist).
func (s *Service) hostMeeting(ctx context.Context, a *admit.Actor, id, scope string) (*admit.Meeting, error) {
	if err := require(a, scope); err != nil {
		return nil, err
	}
	need := admit.PermSee
	if scope == admit.ScopeManage {
		need = admit.PermRun
	}
	return s.findMeeting(ctx, a, id, need)
}

// MailStatus says whether changes of a's account send mail.
func (s *Service) MailStatus(ctx context.Context, a *admit.Actor) admit.MailStatus {
	if a == nil || a.User == nil {
		_, on := s.mailPossible()
		return admit.MailStatus{Enabled: on && s.SendMail}
	}
	_, on := s.mailOn(ctx, a.User.AccountID)
	own, _ := s.hasAccountSMTP(ctx, a.User.AccountID)
	return admit.MailStatus{Enabled: on, AccountSMTP: own}
}

func (s *Service) outboxStore() (admit.OutboxStore, error) {
	o, ok := s.Store.(admit.OutboxStore)
	if !ok {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "This store keeps no outbox."}
	}
	return o, nil
}

// Deliveries lists the messages of meeting id, newest first, with their
// delivery state. ENOTFOUND, EFORBIDDEN.
func (s *Service) Deliveries(ctx context.Context, a *admit.Actor, id string) ([]*admit.Delivery, error) {
	m, err := s.hostMeeting(ctx, a, id, admit.ScopeRead)
	if err != nil {
		return nil, err
	}
	out := []*admit.Delivery{}
	o, err := s.outboxStore()
	if err != nil {
		return out, nil
	}
	msgs, err := o.FindOutbox(ctx, admit.OutboxFilter{AccountID: m.AccountID, MeetingID: m.ID})
	if err != nil {
		return nil, err
	}
	for _, msg := range msgs {
		out = append(out, admit.NewDelivery(msg))
	}
	return out, nil
}

// Resend queues message deliveryID of meeting id again, with the same
// Message-ID and content. ENOTFOUND, EFORBIDDEN; ECONFLICT when mail is off.
func (s *Service) Resend(ctx context.Context, a *admit.Actor, id string, deliveryID int64) (*admit.Delivery, error) {
	m, err := s.hostMeeting(ctx, a, id, admit.ScopeManage)
	if err != nil {
		return nil, err
	}
	if _, on := s.mailOn(ctx, m.AccountID); !on {
		return nil, &admit.Error{Code: admit.ECONFLICT, Message: "Mail is off for this account (no SMTP server is configured)."}
	}
	o, err := s.outboxStore()
	if err != nil {
		return nil, err
	}
	msgs, err := o.FindOutbox(ctx, admit.OutboxFilter{AccountID: m.AccountID, MeetingID: m.ID})
	if err != nil {
		return nil, err
	}
	for _, msg := range msgs {
		if msg.ID != deliveryID {
			continue
		}
		if err := o.ResendOutbox(ctx, m.AccountID, msg.ID, s.now()); err != nil {
			return nil, err
		}
		s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "mail.resend", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: msg.To})
		msg.State, msg.Attempts, msg.SentAt = admit.OutboxQueued, 0, nil
		msg.NextAttemptAt = s.now()
		return admit.NewDelivery(msg), nil
	}
	return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No such message of this meeting."}
}

func (s *Service) mailer() (admit.Mailer, error) {
	if s.Mailer == nil {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "Invitations are not available on this deployment."}
	}
	return s.Mailer, nil
}

// InvitationICS returns the calendar file of meeting id for invitee
// inviteeID, or for the host when it is empty. It holds the invitee's
// credentials, so reading it is audited. ENOTFOUND, EFORBIDDEN.
func (s *Service) InvitationICS(ctx context.Context, a *admit.Actor, id, inviteeID string) ([]byte, error) {
	m, err := s.hostMeeting(ctx, a, id, admit.ScopeRead)
	if err != nil {
		return nil, err
	}
	ml, err := s.mailer()
	if err != nil {
		return nil, err
	}
	now := s.now()
	b, err := ml.ICS(s.view(m, true), inviteeID, admit.MailChange{Organizer: s.organizer(ctx, m), Sequence: calendarSequence(m, now), Now: now})
	if err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "code.view", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: "calendar " + inviteeOrShared(inviteeID)})
	return b, nil
}

// InvitationText returns the invitation of meeting id with its real values,
// for invitee inviteeID or, when it is empty, with the shared values. It is
// audited as the eye button's reveal is. ENOTFOUND, EFORBIDDEN.
func (s *Service) InvitationText(ctx context.Context, a *admit.Actor, id, inviteeID string) (string, error) {
	m, err := s.hostMeeting(ctx, a, id, admit.ScopeRead)
	if err != nil {
		return "", err
	}
	ml, err := s.mailer()
	if err != nil {
		return "", err
	}
	now := s.now()
	text, err := ml.InvitationText(s.view(m, true), inviteeID, admit.MailChange{Organizer: s.organizer(ctx, m), Sequence: calendarSequence(m, now), Now: now})
	if err != nil {
		return "", err
	}
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "code.view", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: "invitation " + inviteeOrShared(inviteeID)})
	return text, nil
}

func inviteeOrShared(id string) string {
	if id == "" {
		return "shared"
	}
	return "invitee " + id
}

// InviteeICS returns the calendar file of the invitee whose link token is
// token, limited per source like InviteeLink. EREFUSED for an unknown token.
func (s *Service) InviteeICS(ctx context.Context, channel admit.Channel, source, token string) ([]byte, error) {
	ref, d, err := s.inviteeByToken(ctx, channel, source, token)
	if err != nil {
		return nil, err
	}
	now := s.now()
	m, err := s.Store.FindMeetingByID(ctx, d.Meeting.AccountID, d.Meeting.ID)
	if err != nil {
		return nil, err
	}
	ml, err := s.mailer()
	if err != nil {
		return nil, err
	}
	return ml.ICS(s.view(m, true), ref.InviteeID, admit.MailChange{Organizer: s.organizer(ctx, m), Sequence: calendarSequence(m, now), Now: now})
}

// RemoveInvitee removes invitee inviteeID from meeting id: their link, PIN
// and passcode stop working at once and, with mail on, they alone get a
// cancellation (METHOD:CANCEL for the meeting's UID). The other invitees
// get nothing: their calendar entries name only themselves, so nothing in
// them changed. It returns the meeting with its secrets. The meeting's host
// or an owner or admin of its account (EFORBIDDEN); ENOTFOUND for an unknown
// meeting or invitee.
func (s *Service) RemoveInvitee(ctx context.Context, a *admit.Actor, id, inviteeID string) (*admit.MeetingView, error) {
	m, err := s.hostMeeting(ctx, a, id, admit.ScopeManage)
	if err != nil {
		return nil, err
	}
	var gone *admit.Invitee
	kept := make([]*admit.Invitee, 0, len(m.Invitees))
	for _, inv := range m.Invitees {
		if inv.ID == inviteeID {
			gone = inv
			continue
		}
		kept = append(kept, inv)
	}
	if gone == nil {
		return nil, admit.Errorf(admit.ENOTFOUND, "meeting %s has no invitee %s", m.ID, inviteeID)
	}
	m.Invitees = kept
	now := s.now()
	var mailings []mailing
	if gone.Email != "" {
		mailings = append(mailings, mailing{kind: admit.OutboxCancel, ids: []string{gone.ID}, gone: []*admit.Invitee{gone}})
	}
	if err := s.save(ctx, m, now, nil, mailings...); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "meeting.invitee.remove", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: "invitee " + gone.ID})
	return s.guard(ctx, m, s.view(m, true))
}
