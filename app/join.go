package app

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

// refusal is the one error of every refusal short of fully valid credentials.
func refusal() *admit.Error { return &admit.Error{Code: admit.EREFUSED, Message: admit.RefusalMessage} }

// Join decides a join attempt: it returns the admitted or waiting
// participant, EREFUSED (one message whatever the cause), ENOTOPEN or EENDED
// for fully valid credentials outside the window, EINVALID for a malformed
// request, or ERATELIMITED (Detail["retry_after"]) when the source has
// failed too often. Every attempt but a rate-limited one is recorded.
//
// The source's limiter (joinLimiter) is consulted before any credential is
// looked at, with the identifier the attempt tries (meeting number, access
// code or link token); refusals of credentials and malformed requests count
// as the source's failures (not_open, ended and used-up access codes, whose
// credentials were valid, do not): at a new identifier against the
// distinct identifiers the source may try, at one it tried before against
// its repeats there.
func (s *Service) Join(ctx context.Context, req *admit.JoinRequest) (*admit.JoinResult, error) {
	now := s.now()
	rsv, identifier, err := s.reserveJoin(ctx, req, now)
	if err != nil {
		return nil, err
	}
	at := &admit.Attempt{At: now}
	if len(identifier) >= 8 {
		at.Spread = int64(binary.BigEndian.Uint64(identifier[:8]) >> 1)
	}
	defer func() {
		// While a meeting's guess budget is spent, every passcode or PIN
		// typed for it counts as its source's failure, right (held) or
		// wrong (held unmatched): the source's limit tells nothing either.
		failed := at.Outcome == admit.OutcomeInvalid || at.Outcome == admit.OutcomeRefused && at.Reason != admit.ReasonMaxUses ||
			at.Outcome == admit.OutcomeWaiting && (at.Reason == admit.ReasonBudgetSpent || at.Reason == admit.ReasonWrongPasscode)
		rsv.Done(failed)
	}()
	return s.join(ctx, req, at)
}

// confirmedKey marks the context of a join decided again on fresh data
// (Service.ConfirmJoins).
type confirmedKey struct{}

// join decides a join attempt under a source's reservation, recording it
// in at.
func (s *Service) join(ctx context.Context, req *admit.JoinRequest, at *admit.Attempt) (*admit.JoinResult, error) {
	now := at.At
	method, t, reason, err := s.resolve(ctx, req, at)
	if err != nil {
		if admit.ErrorCode(err) == admit.EINVALID {
			return nil, s.recordInvalid(ctx, at, err)
		}
		return nil, err
	}
	if reason != "" {
		if res, held, err := s.holdUnmatched(ctx, req, at, t, method, reason); held || err != nil {
			return res, err
		}
		return nil, s.refuse(ctx, at, t, reason)
	}
	if s.ConfirmJoins && ctx.Value(confirmedKey{}) == nil {
		// Decide again on the meeting as the store has it now.
		if err := s.joinCache().Refresh(ctx, t.meeting.PK, now); err != nil {
			return nil, err
		}
		return s.join(context.WithValue(ctx, confirmedKey{}, true), req, at)
	}
	gate, err := s.signInGate(ctx, at, t, req)
	if err != nil {
		return nil, err
	}
	onMeeting(at, t.meeting)
	occ := t.occ
	if occ == nil {
		var next *admit.Occurrence
		if occ, next, err = s.occurrenceNow(ctx, t.data, now); err != nil {
			return nil, err
		}
		if occ == nil {
			return nil, s.outsideWindow(ctx, at, t.meeting, next)
		}
	} else if occ.State(now) == admit.WindowNotOpen {
		return nil, s.outsideWindow(ctx, at, t.meeting, occ)
	}
	at.OccurrencePK, at.Occurrence = occ.PK, occ.Index
	viaCode := method == admit.MethodAccessCode && t.meeting.Security.MaxUses > 0
	if viaCode && occ.Uses >= t.meeting.Security.MaxUses {
		return nil, s.refuse(ctx, at, t, admit.ReasonMaxUses)
	}

	p := &admit.Participant{OccurrencePK: occ.PK, Occurrence: occ.Index, Channel: req.Channel, Source: req.Source, JoinedAt: now, State: admit.StateAdmitted}
	bearer, err := admit.RandomID(s.Rand, "p")
	if err != nil {
		return nil, err
	}
	p.ID = s.participantHandle(bearer)
	if req.CallerNumber != "" {
		// A caller's full number is kept sealed only; it is shown masked.
		if p.CallerSealed, err = s.Keys.Seal([]byte(req.CallerNumber), admit.CallerNumberAD(p.ID)); err != nil {
			return nil, err
		}
	}
	p.BaseName = req.Name
	if t.invitee != nil && t.invitee.InviteePK != 0 {
		p.InviteePK, p.InviteeID, p.BaseName = t.invitee.InviteePK, t.invitee.InviteeID, t.invitee.InviteeName
	}
	// A signed-in participant is named by the provider, an invitee by
	// the invitation.
	if gate.Name != "" {
		p.BaseName = gate.Name
	}
	if inv := gate.Invitee; inv != nil {
		p.InviteePK, p.InviteeID = inv.PK, inv.ID
	}
	if p.BaseName == "" {
		p.BaseName = admit.DefaultGuestName
	} else if p.InviteePK == 0 && t.data != nil && takesInviteeName(t.data, p.BaseName) {
		// A guest may not pass for an invitee on the roster.
		p.BaseName += " (guest)"
	}
	at.Outcome = admit.OutcomeAdmitted
	sentOut := false
	if p.InviteePK != 0 && !t.meeting.Security.WaitingRoom {
		// An invitee the host removed or denied in this occurrence does not
		// get back in by the same credential without the host's consent.
		if sentOut, err = s.sentOut(ctx, occ.PK, p.InviteePK); err != nil {
			return nil, err
		}
	}
	if t.meeting.Security.WaitingRoom || sentOut {
		p.State, at.Outcome = admit.StateWaiting, admit.OutcomeWaiting
	} else {
		p.AdmittedAt = &now
	}
	adm := &admit.Admission{Participant: p, ViaAccessCode: viaCode, MaxUses: t.meeting.Security.MaxUses, Attempt: at}
	// A passcode or PIN typed with the meeting ID or an access code could
	// have been guessed: once the meeting's guess budget is spent, such
	// joins wait. Invitee links and join-URL pwds (keyed MACs no guess of
	// the passcode yields) still admit.
	if guessable(method, t) {
		if adm.GuessBudget, _, err = s.accountGuessing(ctx, t.meeting.AccountID, now); err != nil {
			return nil, err
		}
		adm.Guessable, adm.HeldName = true, heldName(t, req)
		s.chargePending(adm, t.meeting.PK)
	}
	if err := s.Store.Admit(ctx, adm); admit.ErrorCode(err) == admit.ECONFLICT && admit.ErrorField(err) == "max_uses" {
		at.Outcome = ""
		return nil, s.refuse(ctx, at, t, admit.ReasonMaxUses)
	} else if err != nil {
		return nil, err
	}
	s.publish(ctx, admit.Change{Kind: admit.ChangeRoster, MeetingPK: t.meeting.PK, OccurrencePK: occ.PK})
	return s.joinResult(t.meeting, occ, p, bearer, now)
}

// recordInvalid records a malformed join request (war-dialling makes many)
// and returns its error, which names the field at fault.
func (s *Service) recordInvalid(ctx context.Context, at *admit.Attempt, invalid error) error {
	if !at.Channel.Valid() {
		at.Channel = admit.ChannelAPI
	}
	if at.Method == "" {
		at.Method = "unknown"
	}
	at.Outcome, at.Reason = admit.OutcomeInvalid, "invalid "+admit.ErrorField(invalid)
	if err := s.recordRefusal(ctx, at, nil); err != nil {
		return err
	}
	return invalid
}

// onMeeting sets the attempt's meeting, its public ID and account with its
// key (see admit.Attempt.MeetingID).
func onMeeting(at *admit.Attempt, m *admit.Meeting) {
	at.MeetingPK, at.MeetingID, at.AccountID = m.PK, m.ID, m.AccountID
}

// refuse records a refused attempt and returns the uniform refusal.
func (s *Service) refuse(ctx context.Context, at *admit.Attempt, t *joinTarget, reason string) error {
	if t != nil && t.meeting != nil {
		onMeeting(at, t.meeting)
		if t.occ != nil && at.OccurrencePK == 0 {
			at.OccurrencePK, at.Occurrence = t.occ.PK, t.occ.Index
		}
	}
	at.Outcome, at.Reason = admit.OutcomeRefused, reason
	if at.MeetingPK != 0 && countsAgainstBudget(reason) {
		a, _, err := s.accountGuessing(ctx, t.meeting.AccountID, at.At)
		if err != nil {
			return err
		}
		at.GuessBudget = a
	}
	var m *admit.Meeting
	if t != nil {
		m = t.meeting
	}
	if err := s.recordRefusal(ctx, at, m); err != nil {
		return err
	}
	return refusal()
}

// outsideWindow records and returns the answer to fully valid credentials
// outside the window: not open yet (next is the occurrence to open) or ended.
func (s *Service) outsideWindow(ctx context.Context, at *admit.Attempt, m *admit.Meeting, next *admit.Occurrence) error {
	if next == nil {
		at.Outcome, at.Reason = admit.OutcomeEnded, admit.ReasonEnded
		if err := s.Store.RecordAttempt(ctx, at); err != nil {
			return err
		}
		return &admit.Error{Code: admit.EENDED, Message: "This meeting has ended."}
	}
	at.Outcome, at.Reason = admit.OutcomeNotOpen, admit.ReasonNotOpen
	at.OccurrencePK, at.Occurrence = next.PK, next.Index
	if err := s.Store.RecordAttempt(ctx, at); err != nil {
		return err
	}
	return &admit.Error{Code: admit.ENOTOPEN, Message: admit.OpensMessage(next, m.Timezone, s.now()),
		Detail: map[string]any{"opens_at": next.OpensAt.Format(time.RFC3339), "start": next.Start.Format(time.RFC3339)}}
}

// AdmissionTokenLifetime is how long an admission token lives: the media
// side refuses it after that, so a removed participant's token stops
// working within it. An admitted participant's page polls its status (or
// follows its events) and gets a fresh one each time.
const AdmissionTokenLifetime = 5 * time.Minute

// sentOut reports whether the invitee has a participant the host removed
// or denied in the occurrence.
func (s *Service) sentOut(ctx context.Context, occurrencePK, inviteePK int64) (bool, error) {
	ps, err := s.Store.FindParticipants(ctx, occurrencePK)
	if err != nil {
		return false, err
	}
	for _, q := range ps {
		if q.InviteePK == inviteePK && (q.State == admit.StateRemoved || q.State == admit.StateDenied) {
			return true, nil
		}
	}
	return false, nil
}

// joinResult builds the answer for an accepted participant, who holds the
// bearer participant ID (p.ID is its handle), at now.
func (s *Service) joinResult(m *admit.Meeting, o *admit.Occurrence, p *admit.Participant, bearer string, now time.Time) (*admit.JoinResult, error) {
	shown := p.Public()
	shown.ID = bearer
	r := &admit.JoinResult{Status: admit.JoinStatus(p.State), Participant: shown,
		Meeting: &admit.JoinMeeting{MeetingID: m.Number, Topic: m.Topic, Occurrence: o.Index, Start: o.Start, End: o.End, EndedAt: o.EndedAt,
			DialIn: admit.DialInOptions(s.DialIn, m.AccountID, m.Number, "")}}
	if p.State == admit.StateAdmitted {
		exp := o.ClosesAt
		if o.EndedAt != nil {
			exp = *o.EndedAt
		}
		if short := now.Add(AdmissionTokenLifetime); short.Before(exp) {
			exp = short
		}
		tok, err := s.Signer.SignAdmission(admit.AdmissionClaims{ParticipantID: p.ID, DisplayName: p.DisplayName,
			MeetingID: m.Number, Occurrence: o.Index, IssuedAt: now, ExpiresAt: exp})
		if err != nil {
			return nil, err
		}
		r.AdmissionToken = tok
	}
	return r, nil
}

// sourceLimiter returns the service's limiter, made on first use.
func (s *Service) sourceLimiter() admit.SourceLimiter {
	s.limiterOnce.Do(func() {
		s.limiter = s.Limiter
		if s.limiter == nil {
			s.limiter = memory.NewLimiter(admit.DefaultSourcePolicy())
		}
	})
	return s.limiter
}

// occurrenceNow returns the meeting's open occurrence (the earliest
// starting, if several; a personal room opens one on demand), or the next to
// open.
func (s *Service) occurrenceNow(ctx context.Context, d *admit.JoinData, now time.Time) (open, next *admit.Occurrence, err error) {
	for _, o := range d.Occurrences {
		switch o.State(now) {
		case admit.WindowOpen:
			if open == nil || o.Start.Before(open.Start) {
				open = o
			}
		case admit.WindowNotOpen:
			if o.EndedAt == nil && (next == nil || o.OpensAt.Before(next.OpensAt)) {
				next = o
			}
		}
	}
	m := d.Meeting
	if open != nil || m.Kind != admit.KindPersonal {
		return open, next, nil
	}
	open, err = s.openPersonalSession(ctx, m, now)
	return open, nil, err
}

// openPersonalSession returns personal room m's open session, opening one
// at now when none is open (the first join, or the host's Start).
func (s *Service) openPersonalSession(ctx context.Context, m *admit.Meeting, now time.Time) (*admit.Occurrence, error) {
	open, err := s.Store.OpenPersonalOccurrence(ctx, m.PK, now, func(index int) *admit.Occurrence {
		sec := m.Security
		sec.EarlyJoinMinutes = 0
		return admit.NewOccurrence(index, now, m.Duration, sec)
	})
	s.changed(ctx, m.PK)
	return open, err
}

// guessable reports whether a join's credential could have been guessed:
// a passcode or PIN typed with the meeting ID or an access code, for a
// meeting that has a passcode.
func guessable(method string, t *joinTarget) bool {
	return (method == admit.MethodMeetingID || method == admit.MethodAccessCode) &&
		t.meeting.Security.Passcode != admit.PasscodeNone
}

// heldName is the display name of an entry the spent budget holds: what
// was typed (or the default), marked as a guest's when it is an invitee's,
// whether or not the credential named an invitee.
func heldName(t *joinTarget, req *admit.JoinRequest) string {
	name := req.Name
	if name == "" {
		name = admit.DefaultGuestName
	}
	if t.data != nil && takesInviteeName(t.data, name) {
		name += " (guest)"
	}
	return name
}

// takesInviteeName reports whether name reads as the name of one of the
// meeting's invitees.
func takesInviteeName(d *admit.JoinData, name string) bool {
	for _, c := range d.Credentials {
		if c.InviteePK != 0 && admit.SameDisplayName(c.InviteeName, name) {
			return true
		}
	}
	return false
}
