package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// maxSaveTries bounds the redraws of numbers and codes on a store conflict.
const maxSaveTries = 20

// CreateMeeting schedules a meeting for the actor and returns it with its
// secrets (the host who creates a meeting sees its codes). EINVALID names a
// bad field; EFORBIDDEN when a locked setting is overridden.
func (s *Service) CreateMeeting(ctx context.Context, a *admit.Actor, in *admit.MeetingInput) (*admit.MeetingView, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	kind := admit.KindScheduled
	if in.Kind != nil {
		kind = *in.Kind
	}
	switch kind {
	case admit.KindInstant, admit.KindScheduled, admit.KindRecurring:
	case admit.KindPersonal:
		room, err := s.Store.FindPersonalRoom(ctx, a.User.ID)
		if err != nil {
			return nil, err
		}
		return nil, &admit.Error{Code: admit.ECONFLICT, Field: "kind", Message: "Every host has one personal meeting room (meeting " + room.ID + "); change it with PATCH /api/v1/meetings/" + room.ID + "."}
	default:
		return nil, admit.FieldErrorf("kind", "kind must be instant, scheduled, recurring or personal")
	}
	if in.MeetingID != nil {
		return nil, admit.FieldErrorf("meeting_id", "meeting_id is drawn by admit; only a personal room's may be chosen")
	}
	now := s.now()
	m := &admit.Meeting{AccountID: acct.ID, HostID: a.User.ID, Kind: kind, Duration: admit.DefaultDurationMinutes, Timezone: a.User.Timezone}
	if m.Timezone == "" {
		m.Timezone = "UTC"
	}
	m.Topic = a.User.Name + "'s meeting"
	if err := s.applySchedule(m, in, now, true); err != nil {
		return nil, err
	}
	m.Security = acct.Security.Security
	var chosen *string
	if in.Security != nil {
		chosen = in.Security.PasscodeValue
		if err := m.Security.Apply(in.Security, &acct.Security, "security"); err != nil {
			return nil, err
		}
		if err := s.checkSignInSetting(ctx, acct.ID, &m.Security, "security"); err != nil {
			return nil, err
		}
	}
	if chosen != nil && m.Security.Passcode != admit.PasscodeShared {
		return nil, admit.FieldErrorf("security.passcode_value", "security.passcode_value needs passcode mode shared")
	}
	if err := s.addInvitees(ctx, m, in.Invitees); err != nil {
		return nil, err
	}
	if err := s.setAlternativeHosts(ctx, m, in.AlternativeHosts); err != nil {
		return nil, err
	}
	if m.ID, err = admit.RandomID(s.Rand, "m"); err != nil {
		return nil, err
	}
	if m.Number, err = admit.GenerateMeetingNumber(s.Rand); err != nil {
		return nil, err
	}
	if err := s.buildOccurrences(m, nil); err != nil {
		return nil, err
	}
	if err := s.setPasscodes(m, chosen, true); err != nil {
		return nil, err
	}
	if err := s.checkBound(m, acct); err != nil {
		return nil, err
	}
	if err := s.save(ctx, m, now, chosen, mailing{kind: admit.OutboxInvitation}); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: acct.ID, Actor: actorName(a), Action: "meeting.create", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: string(m.Kind)})
	return s.guard(ctx, m, s.view(m, true))
}

// applySchedule sets topic, start, duration, timezone and recurrence from in.
func (s *Service) applySchedule(m *admit.Meeting, in *admit.MeetingInput, now time.Time, creating bool) error {
	if in.Topic != nil {
		t := strings.TrimSpace(*in.Topic)
		if t == "" {
			return admit.FieldErrorf("topic", "topic may not be empty")
		}
		if len(t) > admit.MaxTopicLength {
			return admit.FieldErrorf("topic", "topic may have at most %d characters", admit.MaxTopicLength)
		}
		m.Topic = t
	}
	if m.Kind == admit.KindPersonal {
		if in.Start != nil || in.Recurrence != nil || in.Kind != nil && *in.Kind != admit.KindPersonal {
			return admit.FieldErrorf("start", "a personal room has no schedule")
		}
		if in.ReminderLeadMinutes != nil {
			return admit.FieldErrorf("reminder_lead_minutes", "a personal room has no schedule, so no reminders")
		}
		if in.DurationMinutes != nil {
			if *in.DurationMinutes < 1 || *in.DurationMinutes > admit.MaxDurationMinutes {
				return admit.FieldErrorf("duration_minutes", "duration_minutes must be from 1 to %d", admit.MaxDurationMinutes)
			}
			m.Duration = *in.DurationMinutes
		}
		return nil
	}
	if !creating && in.Kind != nil && *in.Kind != m.Kind {
		return admit.FieldErrorf("kind", "the kind of a meeting cannot change")
	}
	if in.DurationMinutes != nil {
		if *in.DurationMinutes < 1 || *in.DurationMinutes > admit.MaxDurationMinutes {
			return admit.FieldErrorf("duration_minutes", "duration_minutes must be from 1 to %d", admit.MaxDurationMinutes)
		}
		m.Duration = *in.DurationMinutes
	}
	if in.ReminderLeadMinutes != nil {
		lead, err := admit.ReminderLeadMinutes("reminder_lead_minutes", *in.ReminderLeadMinutes)
		if err != nil {
			return err
		}
		m.ReminderLead = lead
	}
	if in.Timezone != nil {
		if _, err := time.LoadLocation(*in.Timezone); err != nil || *in.Timezone == "" || *in.Timezone == "Local" {
			return admit.FieldErrorf("timezone", "timezone %q is not an IANA time zone name", *in.Timezone)
		}
		m.Timezone = *in.Timezone
	}
	switch m.Kind {
	case admit.KindInstant:
		if in.Start != nil || in.Recurrence != nil {
			return admit.FieldErrorf("start", "an instant meeting starts now; give no start or recurrence")
		}
		if creating {
			m.Start = now.Truncate(time.Second)
		}
	case admit.KindScheduled, admit.KindRecurring:
		if in.Start != nil {
			m.Start = in.Start.UTC().Truncate(time.Second)
		} else if creating {
			return admit.FieldErrorf("start", "start is required (RFC 3339)")
		}
		if m.Start.Year() < 2000 || m.Start.After(now.AddDate(5, 0, 0)) {
			return admit.FieldErrorf("start", "start must be within the next five years")
		}
		if m.Start.Add(time.Duration(m.Duration)*time.Minute).Before(now) && (creating || in.Start != nil || in.DurationMinutes != nil) {
			return admit.FieldErrorf("start", "start is in the past: the meeting would already be over")
		}
		if m.Kind == admit.KindRecurring {
			if in.Recurrence != nil {
				r := *in.Recurrence
				r.Weekdays = append([]string(nil), r.Weekdays...)
				if err := r.Validate(); err != nil {
					return err
				}
				m.Recurrence = &r
			} else if creating {
				return admit.FieldErrorf("recurrence", "recurrence is required for a recurring meeting")
			}
		} else if in.Recurrence != nil {
			return admit.FieldErrorf("recurrence", "recurrence needs kind recurring")
		}
	}
	return nil
}

// buildOccurrences (re)computes m's occurrences from its schedule and
// security. Occurrences of old with the same index keep their access code.
func (s *Service) buildOccurrences(m *admit.Meeting, old []*admit.Occurrence) error {
	if m.Kind == admit.KindPersonal {
		for _, o := range m.Occurrences {
			if o.EndedAt == nil {
				*o = *withWindow(o, m)
			}
		}
		return nil
	}
	starts := []time.Time{m.Start}
	if m.Kind == admit.KindRecurring {
		loc, err := time.LoadLocation(m.Timezone)
		if err != nil {
			return admit.FieldErrorf("timezone", "timezone %q is not an IANA time zone name", m.Timezone)
		}
		if starts, err = m.Recurrence.Starts(m.Start, loc); err != nil {
			return err
		}
	}
	byIndex := map[int]*admit.Occurrence{}
	for _, o := range old {
		byIndex[o.Index] = o
	}
	m.Occurrences = m.Occurrences[:0]
	for i, st := range starts {
		o := admit.NewOccurrence(i+1, st, m.Duration, m.Security)
		if prev := byIndex[o.Index]; prev != nil {
			o.PK, o.MeetingPK, o.EndedAt, o.Uses = prev.PK, prev.MeetingPK, prev.EndedAt, prev.Uses
			if m.Security.AccessCode && prev.AccessCode != nil && len(s.open(prev.AccessCode, codeAD(m, o.Index))) == m.Security.AccessCodeLength {
				o.AccessCode = prev.AccessCode
			}
		}
		m.Occurrences = append(m.Occurrences, o)
	}
	return s.fillAccessCodes(m)
}

// withWindow returns o with its window recomputed under m's security.
func withWindow(o *admit.Occurrence, m *admit.Meeting) *admit.Occurrence {
	n := admit.NewOccurrence(o.Index, o.Start, int(o.End.Sub(o.Start)/time.Minute), m.Security)
	n.PK, n.MeetingPK, n.EndedAt, n.Uses, n.AccessCode = o.PK, o.MeetingPK, o.EndedAt, o.Uses, o.AccessCode
	return n
}

// fillAccessCodes draws codes for occurrences that lack one (or drops them
// when the meeting has none).
func (s *Service) fillAccessCodes(m *admit.Meeting) error {
	for _, o := range m.Occurrences {
		if !m.Security.AccessCode || m.Kind == admit.KindPersonal {
			o.AccessCode = nil
			continue
		}
		if o.AccessCode == nil {
			if err := s.newAccessCode(m, o); err != nil {
				return err
			}
		}
	}
	return nil
}

func codeAD(m *admit.Meeting, index int) string {
	return "meeting:" + m.ID + ":occurrence:" + itoa(int64(index)) + ":access-code"
}

func (s *Service) newAccessCode(m *admit.Meeting, o *admit.Occurrence) error {
	code, err := admit.GenerateAccessCode(s.Rand, m.Security.AccessCodeLength)
	if err != nil {
		return err
	}
	o.AccessCode, err = s.seal(s.accessCodeIndex(code), code, codeAD(m, o.Index))
	o.CodeIssuedAt = s.now()
	return err
}

// setPasscodes makes the meeting's passcode secrets agree with its mode:
// chosen (validated) or generated shared passcode, unique invitee passcodes,
// invitee tokens and PINs. With regenerate the shared passcode is drawn anew
// even when one exists.
func (s *Service) setPasscodes(m *admit.Meeting, chosen *string, regenerate bool) error {
	pol := m.Security.PasscodePolicy
	switch m.Security.Passcode {
	case admit.PasscodeShared:
		if chosen != nil {
			if err := pol.CheckChosen("security.passcode_value", *chosen, m.Number); err != nil {
				return err
			}
			if err := s.setSharedPasscode(m, *chosen); err != nil {
				return err
			}
		} else if regenerate || m.Passcode == nil {
			p, err := pol.Generate(s.Rand)
			if err != nil {
				return err
			}
			if err := s.setSharedPasscode(m, p); err != nil {
				return err
			}
		}
	default:
		m.Passcode, m.PhonePasscode, m.PwdIndex = nil, nil, nil
	}
	for _, inv := range m.Invitees {
		if err := s.fillInvitee(m, inv, false); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) setSharedPasscode(m *admit.Meeting, p string) error {
	var err error
	if m.Passcode, err = s.seal(s.credentialIndex(m.ID, p), p, "meeting:"+m.ID+":passcode"); err != nil {
		return err
	}
	m.PhonePasscode = nil
	if admit.PhoneFormNeeded(p) {
		ph, err := m.Security.PasscodePolicy.GeneratePhoneForm(s.Rand, p)
		if err != nil {
			return err
		}
		if m.PhonePasscode, err = s.seal(s.credentialIndex(m.ID, ph), ph, "meeting:"+m.ID+":phone-passcode"); err != nil {
			return err
		}
	}
	m.PwdIndex = s.pwdIndex(s.pwd(m.Number, p))
	return nil
}

// fillInvitee draws the invitee's missing credentials (all of them with
// regenerate) and drops a unique passcode the mode no longer has.
func (s *Service) fillInvitee(m *admit.Meeting, inv *admit.Invitee, regenerate bool) error {
	var err error
	ad := "meeting:" + m.ID + ":invitee:" + inv.ID
	if inv.Token == nil || regenerate {
		inv.TokenGeneration++
		t := s.linkToken(m.ID, inv.ID, inv.TokenGeneration)
		inv.Token = &admit.Secret{Index: s.tokenIndex(t), Plain: t}
	}
	if inv.PIN == nil || regenerate {
		pin, err := m.Security.PasscodePolicy.GeneratePIN(s.Rand)
		if err != nil {
			return err
		}
		if inv.PIN, err = s.seal(s.credentialIndex(m.ID, pin), pin, ad+":pin"); err != nil {
			return err
		}
	}
	if m.Security.Passcode != admit.PasscodeUnique {
		inv.Passcode, inv.PhonePasscode = nil, nil
		return nil
	}
	if inv.Passcode == nil || regenerate {
		p, err := m.Security.PasscodePolicy.Generate(s.Rand)
		if err != nil {
			return err
		}
		if inv.Passcode, err = s.seal(s.credentialIndex(m.ID, p), p, ad+":passcode"); err != nil {
			return err
		}
		inv.PhonePasscode = nil
		if admit.PhoneFormNeeded(p) {
			ph, err := m.Security.PasscodePolicy.GeneratePhoneForm(s.Rand, p)
			if err != nil {
				return err
			}
			if inv.PhonePasscode, err = s.seal(s.credentialIndex(m.ID, ph), ph, ad+":phone-passcode"); err != nil {
				return err
			}
		}
	}
	return err
}

// addInvitees validates invitee inputs and appends them to m.
func (s *Service) addInvitees(ctx context.Context, m *admit.Meeting, ins []*admit.InviteeInput) error {
	if len(m.Invitees)+len(ins) > admit.MaxInvitees {
		return admit.FieldErrorf("invitees", "a meeting may have at most %d invitees", admit.MaxInvitees)
	}
	for i, in := range ins {
		field := "invitees[" + itoa(int64(i)) + "]"
		if in == nil {
			return admit.FieldErrorf(field, "%s is empty", field)
		}
		inv := &admit.Invitee{}
		if in.ContactID != nil {
			if in.Name != "" || in.Email != "" || in.Phone != "" {
				return admit.FieldErrorf(field, "%s gives either contact_id or name, email and phone", field)
			}
			c, err := s.Store.FindContactByID(ctx, m.AccountID, *in.ContactID)
			if admit.ErrorCode(err) == admit.ENOTFOUND {
				return admit.FieldErrorf(field+".contact_id", "%s.contact_id: no such contact in the address book", field)
			} else if err != nil {
				return err
			}
			id := c.ID
			inv.ContactID, inv.Name, inv.Email, inv.Phone = &id, c.Name, c.Email, c.Phone
			if inv.Email != "" {
				if err := admit.ValidateRecipient(field+".contact_id", inv.Email); err != nil {
					return admit.FieldErrorf(field+".contact_id", "%s.contact_id: the contact's email address %q cannot receive mail; correct it in the address book", field, inv.Email)
				}
			}
		} else {
			var err error
			if inv.Name, err = admit.ValidateName(field+".name", in.Name); err != nil {
				return err
			}
			if inv.Email, err = admit.ValidateEmail(field+".email", in.Email, true); err != nil {
				return err
			}
			// An address is one mail can be sent to, or none.
			if inv.Email != "" {
				if err := admit.ValidateRecipient(field+".email", inv.Email); err != nil {
					return err
				}
			}
			if inv.Phone, err = admit.ValidatePhone(field+".phone", in.Phone); err != nil {
				return err
			}
		}
		var err error
		if inv.ID, err = admit.RandomID(s.Rand, "i"); err != nil {
			return err
		}
		m.Invitees = append(m.Invitees, inv)
	}
	return nil
}

// save writes m, redrawing what the store reports as taken: the meeting
// number, an occurrence's access code, or invitee credentials.
//
// The messages of mailings (see mailing) are written in the same
// transaction, made again on every try, so that they hold the values saved.
func (s *Service) save(ctx context.Context, m *admit.Meeting, now time.Time, chosen *string, mailings ...mailing) error {
	// m.PK is read when save returns: a new meeting has one only then.
	defer func() { s.changed(ctx, m.PK) }()
	for try := 0; ; try++ {
		err := s.saveWithMail(ctx, m, now, mailings)
		var e *admit.Error
		if err == nil || !errors.As(err, &e) || e.Code != admit.ECONFLICT || try == maxSaveTries {
			return err
		}
		switch e.Field {
		case "meeting_id":
			if m.PK != 0 {
				return err // a vanity number someone else holds
			}
			if m.Number, err = admit.GenerateMeetingNumber(s.Rand); err != nil {
				return err
			}
			if m.Passcode != nil {
				if chosen != nil {
					if err := m.Security.PasscodePolicy.CheckChosen("security.passcode_value", *chosen, m.Number); err != nil {
						return err
					}
				}
				if err := s.setSharedPasscode(m, s.open(m.Passcode, "meeting:"+m.ID+":passcode")); err != nil {
					return err
				}
			}
		case "access_code":
			idx, _ := e.Detail["occurrence"].(int)
			for _, o := range m.Occurrences {
				if o.Index == idx || idx == 0 {
					if err := s.newAccessCode(m, o); err != nil {
						return err
					}
				}
			}
		case "credential":
			// A drawn PIN or phone form met another credential of the meeting:
			// redraw the generated ones.
			if m.Passcode != nil && chosen == nil {
				if err := s.setPasscodes(m, nil, true); err != nil {
					return err
				}
			}
			for _, inv := range m.Invitees {
				if inv.PK == 0 {
					if err := s.fillInvitee(m, inv, true); err != nil {
						return err
					}
				}
			}
		default:
			return err
		}
	}
}

// createPersonalRoom makes the host's personal meeting room.
func (s *Service) createPersonalRoom(ctx context.Context, acct *admit.Account, u *admit.User) (*admit.Meeting, error) {
	m := &admit.Meeting{AccountID: acct.ID, HostID: u.ID, Kind: admit.KindPersonal, Duration: admit.DefaultDurationMinutes,
		Timezone: u.Timezone, Topic: u.Name + "'s personal meeting room", Security: acct.Security.Security}
	if m.Timezone == "" {
		m.Timezone = "UTC"
	}
	m.Security.AccessCode = false
	if m.Security.Passcode != admit.PasscodeNone {
		m.Security.Passcode = admit.PasscodeShared
	}
	var err error
	if m.ID, err = admit.RandomID(s.Rand, "m"); err != nil {
		return nil, err
	}
	now := s.now()
	for try := 0; ; try++ {
		if m.Number, err = admit.GeneratePMI(s.Rand); err != nil {
			return nil, err
		}
		if err = s.setPasscodes(m, nil, true); err != nil {
			return nil, err
		}
		err = s.Store.SaveMeeting(ctx, m, now)
		if admit.ErrorCode(err) != admit.ECONFLICT || try == maxSaveTries {
			return m, err
		}
	}
}

// findMeeting returns the account's meeting by public ID or meeting number,
// if the actor may do what need says with it (see admit.MeetingPermissions).
// A meeting the actor may not even see is answered exactly as one that does
// not exist (admit.NoSuchMeeting); one they see but may not act on so is
// EFORBIDDEN.
func (s *Service) findMeeting(ctx context.Context, a *admit.Actor, id string, need admit.Permission) (*admit.Meeting, error) {
	var m *admit.Meeting
	var err error
	if strings.HasPrefix(id, "m") {
		m, err = s.Store.FindMeetingByID(ctx, a.User.AccountID, id)
	} else if n, perr := admit.ParseMeetingNumber("id", id); perr == nil {
		m, err = s.Store.FindMeetingByNumber(ctx, a.User.AccountID, n)
	} else {
		return nil, admit.NoSuchMeeting()
	}
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, admit.NoSuchMeeting()
	} else if err != nil {
		return nil, err
	}
	perm := admit.MeetingPermissions(a.User, m.AccountID, m.HostID, m.AlternativeHosts)
	if !perm.Has(admit.PermSee) {
		return nil, admit.NoSuchMeeting()
	}
	if !perm.Has(need) {
		return nil, &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the meeting's host, an owner or an admin may do this; an alternative host may not."}
	}
	return m, nil
}

// ShowMeeting returns a meeting with its codes and passcodes; the reading is
// recorded in the audit trail. ENOTFOUND.
func (s *Service) ShowMeeting(ctx context.Context, a *admit.Actor, id string) (*admit.MeetingView, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermSee)
	if err != nil {
		return nil, err
	}
	if err := s.auditReveal(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "code.view", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok"}); err != nil {
		return nil, err
	}
	return s.guard(ctx, m, s.view(m, true))
}

// ListMeetings lists the actor's meetings with an occurrence between from
// and to (zero for no bound), without their secrets.
func (s *Service) ListMeetings(ctx context.Context, a *admit.Actor, from, to time.Time) ([]*admit.MeetingView, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return nil, admit.FieldErrorf("to", "to must be after from")
	}
	ms, err := s.Store.FindMeetings(ctx, admit.MeetingFilter{AccountID: a.User.AccountID, HostID: a.User.ID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	out := make([]*admit.MeetingView, 0, len(ms))
	for _, m := range ms {
		out = append(out, s.view(m, false))
	}
	return out, nil
}

// UpdateMeeting changes a meeting (PATCH): topic, schedule (only before its
// first occurrence opens), security settings, a vanity personal meeting ID
// (pro plan), and invitees given are added. It returns the meeting with its
// secrets.
func (s *Service) UpdateMeeting(ctx context.Context, a *admit.Actor, id string, in *admit.MeetingInput) (*admit.MeetingView, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermChange)
	if err != nil {
		return nil, err
	}
	acct, err := s.Store.FindAccountByID(ctx, m.AccountID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	scheduleChange := in.Start != nil || in.DurationMinutes != nil || in.Timezone != nil || in.Recurrence != nil
	if scheduleChange && m.Kind != admit.KindPersonal && len(m.Occurrences) > 0 && !now.Before(m.Occurrences[0].OpensAt) {
		return nil, &admit.Error{Code: admit.ECONFLICT, Field: "start", Message: "The meeting has already opened; its schedule can no longer change. Schedule a new meeting instead."}
	}
	if err := s.applySchedule(m, in, now, false); err != nil {
		return nil, err
	}
	if in.MeetingID != nil {
		if err := s.setVanityPMI(acct, m, *in.MeetingID); err != nil {
			return nil, err
		}
	}
	oldMode := m.Security.Passcode
	var chosen *string
	if in.Security != nil {
		chosen = in.Security.PasscodeValue
		if err := m.Security.Apply(in.Security, &acct.Security, "security"); err != nil {
			return nil, err
		}
		if err := s.checkSignInSetting(ctx, acct.ID, &m.Security, "security"); err != nil {
			return nil, err
		}
		if chosen != nil && m.Security.Passcode != admit.PasscodeShared {
			return nil, admit.FieldErrorf("security.passcode_value", "security.passcode_value needs passcode mode shared")
		}
		if m.Kind == admit.KindPersonal && m.Security.AccessCode {
			return nil, admit.FieldErrorf("security.access_code", "a personal room has no one-time access code")
		}
	}
	if err := s.addInvitees(ctx, m, in.Invitees); err != nil {
		return nil, err
	}
	if err := s.setAlternativeHosts(ctx, m, in.AlternativeHosts); err != nil {
		return nil, err
	}
	old := m.Occurrences
	if err := s.buildOccurrences(m, old); err != nil {
		return nil, err
	}
	if m.Passcode != nil && in.MeetingID != nil {
		// The join URL's pwd is bound to the number.
		if err := s.setSharedPasscode(m, s.open(m.Passcode, "meeting:"+m.ID+":passcode")); err != nil {
			return nil, err
		}
	}
	if err := s.setPasscodes(m, chosen, oldMode != m.Security.Passcode && m.Security.Passcode == admit.PasscodeShared && chosen == nil); err != nil {
		return nil, err
	}
	// Changes to security or invitees must keep the guessing bound; a
	// meeting that predates a stricter policy keeps its other edits.
	if in.Security != nil || len(in.Invitees) > 0 {
		if err := s.checkBound(m, acct); err != nil {
			return nil, err
		}
	}
	// Those invited before get an update when the meeting changed; new
	// invitees an invitation.
	mailings := []mailing{{kind: admit.OutboxInvitation, ids: newInvitees(m)}}
	if scheduleChange || in.Topic != nil || in.Security != nil || in.MeetingID != nil {
		mailings = append(mailings, mailing{kind: admit.OutboxUpdate, ids: oldInvitees(m)})
	}
	e := &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "meeting.update", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok"}
	if err := s.audited(ctx, e, func() error { return s.save(ctx, m, now, chosen, mailings...) }); err != nil {
		return nil, err
	}
	return s.guard(ctx, m, s.view(m, true))
}

func (s *Service) setVanityPMI(acct *admit.Account, m *admit.Meeting, pmi string) error {
	if m.Kind != admit.KindPersonal {
		return admit.FieldErrorf("meeting_id", "only a personal room's meeting ID may be chosen")
	}
	if acct.Plan != admit.PlanPro {
		return &admit.Error{Code: admit.EFORBIDDEN, Field: "meeting_id", Message: "Choosing a personal meeting ID needs the pro plan."}
	}
	d, ok := admit.StripSeparators(strings.TrimSpace(pmi))
	if !ok {
		return admit.FieldErrorf("meeting_id", "meeting_id may hold only digits, spaces, dashes and dots")
	}
	if err := admit.ValidatePMI("meeting_id", d); err != nil {
		return err
	}
	if admit.WeakPasscode(d) != "" {
		return admit.FieldErrorf("meeting_id", "meeting_id is too easy to guess (a sequence or repeated digits)")
	}
	m.Number = d
	return nil
}

// Regenerate draws a new access code for an occurrence (what
// "access_code"; occurrence 0 means the open or next one), a new meeting
// passcode ("passcode"; with unique passcodes, every invitee's), or new
// credentials for one invitee ("invitee"). The old values stop working at
// once. It returns the meeting with its secrets.
func (s *Service) Regenerate(ctx context.Context, a *admit.Actor, id, what string, occurrence int, inviteeID string) (*admit.MeetingView, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermRun)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch what {
	case "access_code":
		if !m.Security.AccessCode {
			return nil, admit.FieldErrorf("what", "this meeting has no access code")
		}
		o, err := s.pickOccurrence(m, occurrence, now)
		if err != nil {
			return nil, err
		}
		if o.State(now) == admit.WindowClosed {
			return nil, admit.FieldErrorf("occurrence", "occurrence %d has ended", o.Index)
		}
		if err := s.newAccessCode(m, o); err != nil {
			return nil, err
		}
	case "passcode":
		// Every guessable form of the passcode goes with it: the phone
		// form, the invitees' PINs and unique passcodes.
		if m.Security.Passcode == admit.PasscodeNone {
			return nil, admit.FieldErrorf("what", "this meeting has no passcode")
		}
		if err := s.redrawGuessable(m); err != nil {
			return nil, err
		}
	case "invitee":
		var found *admit.Invitee
		for _, inv := range m.Invitees {
			if inv.ID == inviteeID {
				found = inv
			}
		}
		if found == nil {
			return nil, admit.FieldErrorf("invitee", "no invitee %q in this meeting", inviteeID)
		}
		if err := s.fillInvitee(m, found, true); err != nil {
			return nil, err
		}
	default:
		return nil, admit.FieldErrorf("what", "what must be access_code, passcode or invitee")
	}
	// The new value goes to every invitee (a regenerated invitee's to them).
	regen := mailing{kind: admit.OutboxUpdate}
	if what == "invitee" {
		regen.ids = []string{inviteeID}
	}
	e := &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "code.regenerate", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: what}
	if err := s.audited(ctx, e, func() error { return s.save(ctx, m, now, nil, regen) }); err != nil {
		return nil, err
	}
	if what == "passcode" {
		// Whoever spent the guess budget may have learnt the old passcode:
		// now the host may reset the budget.
		if err := s.Store.MarkPasscodeRegenerated(ctx, m.PK, now); err != nil {
			return nil, err
		}
	}
	return s.guard(ctx, m, s.view(m, true))
}

// pickOccurrence returns occurrence n, or with n == 0 the open occurrence,
// else the next to open, else the last.
func (s *Service) pickOccurrence(m *admit.Meeting, n int, now time.Time) (*admit.Occurrence, error) {
	if len(m.Occurrences) == 0 {
		return nil, admit.FieldErrorf("occurrence", "the meeting has no occurrence yet")
	}
	if n != 0 {
		for _, o := range m.Occurrences {
			if o.Index == n {
				return o, nil
			}
		}
		return nil, admit.FieldErrorf("occurrence", "the meeting has no occurrence %d", n)
	}
	for _, o := range m.Occurrences {
		if o.State(now) == admit.WindowOpen {
			return o, nil
		}
	}
	for _, o := range m.Occurrences {
		if o.State(now) == admit.WindowNotOpen {
			return o, nil
		}
	}
	return m.Occurrences[len(m.Occurrences)-1], nil
}

// EndMeeting ends an open occurrence (n, or the open one when n is 0): its
// window closes and participants leave. ECONFLICT when none is open.
func (s *Service) EndMeeting(ctx context.Context, a *admit.Actor, id string, n int) (*admit.MeetingView, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermRun)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var o *admit.Occurrence
	for _, c := range m.Occurrences {
		if (n == 0 || c.Index == n) && c.State(now) == admit.WindowOpen {
			o = c
			break
		}
	}
	if o == nil {
		return nil, &admit.Error{Code: admit.ECONFLICT, Field: "occurrence", Message: "No occurrence of this meeting is open."}
	}
	e := &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "meeting.end", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: "occurrence " + itoa(int64(o.Index))}
	err = s.audited(ctx, e, func() error {
		err := s.Store.EndOccurrence(ctx, o.PK, now)
		s.changed(ctx, m.PK)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Everyone in the occurrence has left: their pages and the host's
	// roster follow at once, as after a removal.
	s.publish(ctx, admit.Change{Kind: admit.ChangeRoster, MeetingPK: m.PK, OccurrencePK: o.PK})
	o.EndedAt = &now
	s.mediaEnded(ctx, m, o)
	return s.view(m, false), nil
}

// DeleteMeeting deletes a meeting: its codes stop at once; its meeting ID is
// never issued again. A personal room cannot be deleted (ECONFLICT).
func (s *Service) DeleteMeeting(ctx context.Context, a *admit.Actor, id string) error {
	if err := require(a, admit.ScopeManage); err != nil {
		return err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermDelete)
	if err != nil {
		return err
	}
	if m.Kind == admit.KindPersonal {
		return &admit.Error{Code: admit.ECONFLICT, Message: "A personal meeting room cannot be deleted; regenerate its passcode instead."}
	}
	e := &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "meeting.delete", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok"}
	now := s.now()
	err = s.audited(ctx, e, func() error {
		err := s.deleteWithMail(ctx, m, now)
		s.changed(ctx, m.PK)
		return err
	})
	if err != nil {
		return err
	}
	for _, o := range m.Occurrences {
		if o.State(now) == admit.WindowOpen {
			s.mediaEnded(ctx, m, o)
		}
	}
	return nil
}

// JoinURL returns the meeting's join link, with the encoded passcode when
// reveal is set and the meeting has a shared passcode.
func (s *Service) JoinURL(m *admit.Meeting, reveal bool) string {
	u := strings.TrimRight(s.BaseURL, "/") + "/j/" + m.Number
	if reveal && m.Passcode != nil {
		if p := s.open(m.Passcode, "meeting:"+m.ID+":passcode"); p != "" {
			u += "?pwd=" + s.pwd(m.Number, p)
		}
	}
	return u
}

// view renders m; with reveal, its secrets are opened and shown.
func (s *Service) view(m *admit.Meeting, reveal bool) *admit.MeetingView {
	now := s.now()
	v := &admit.MeetingView{ID: m.ID, MeetingID: m.Number, MeetingIDDisplay: admit.FormatMeetingNumber(m.Number), Topic: m.Topic,
		Kind: m.Kind, HostID: m.HostID, AlternativeHosts: append([]int64{}, m.AlternativeHosts...), JoinURL: s.JoinURL(m, reveal), DurationMinutes: m.Duration, Timezone: m.Timezone,
		Recurrence: m.Recurrence, Security: m.Security, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		Occurrences: []*admit.OccurrenceView{}, Invitees: []*admit.InviteeView{}}
	if !m.Start.IsZero() {
		st := m.Start
		v.Start = &st
	}
	v.ReminderLeadMinutes = int(m.ReminderLead / time.Minute)
	if reveal {
		v.Passcode = s.open(m.Passcode, "meeting:"+m.ID+":passcode")
		v.PhonePasscode = s.open(m.PhonePasscode, "meeting:"+m.ID+":phone-passcode")
	}
	phone := ""
	if m.Security.Passcode == admit.PasscodeShared {
		if phone = v.PhonePasscode; phone == "" {
			phone = v.Passcode
		}
	}
	v.DialIn = admit.DialInOptions(s.DialIn, m.AccountID, m.Number, phone)
	for _, o := range m.Occurrences {
		ov := &admit.OccurrenceView{Index: o.Index, Start: o.Start, End: o.End, OpensAt: o.OpensAt, ClosesAt: o.ClosesAt,
			EndedAt: o.EndedAt, State: o.State(now).String(), Uses: o.Uses}
		if reveal && o.AccessCode != nil {
			ov.AccessCode = s.open(o.AccessCode, codeAD(m, o.Index))
			ov.AccessCodeDisplay = admit.FormatDigits(ov.AccessCode)
		}
		v.Occurrences = append(v.Occurrences, ov)
	}
	for _, inv := range m.Invitees {
		iv := &admit.InviteeView{ID: inv.ID, ContactID: inv.ContactID, Name: inv.Name, Email: inv.Email, Phone: inv.Phone}
		if reveal {
			ad := "meeting:" + m.ID + ":invitee:" + inv.ID
			if t := s.inviteeLinkToken(m, inv); t != "" {
				iv.Link = strings.TrimRight(s.BaseURL, "/") + "/i/" + t
			}
			iv.PIN = s.open(inv.PIN, ad+":pin")
			iv.Passcode = s.open(inv.Passcode, ad+":passcode")
			iv.PhonePasscode = s.open(inv.PhonePasscode, ad+":phone-passcode")
		}
		v.Invitees = append(v.Invitees, iv)
	}
	return v
}
