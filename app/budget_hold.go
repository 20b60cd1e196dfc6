package app

import (
	"context"

	"github.com/admit-project/admit"
)

// Once a meeting's guess budget is spent, a passcode or PIN typed with its
// meeting ID or access code no longer gets an answer that says whether it
// was right: right and wrong alike enter the waiting room, named by what
// was typed (never by the invitation), with the same answer. The host sees
// which entries matched a credential (Participant.Matched), is told the
// meeting is under attack, denies every unmatched entry at once
// (DenyUnmatched) and restores normal joining in one step that redraws
// every guessable credential (RestoreMeeting). Invitee links and join-URL
// pwds, which no guess yields, admit as before.

// holdUnmatched answers a wrong passcode or PIN for a meeting whose guess
// budget is spent as a right one is answered: it enters the waiting room
// (unmatched, for the host to deny), its failure counted against the
// budget in the same transaction; outside the meeting's window it gets the
// answer valid credentials get. held is false when the refusal stands (the
// budget is not spent, or the refusal is not a guess at the passcode).
func (s *Service) holdUnmatched(ctx context.Context, req *admit.JoinRequest, at *admit.Attempt, t *joinTarget, method, reason string) (*admit.JoinResult, bool, error) {
	// Every refusal reads a budget (an unknown meeting's, a dummy row that
	// refusals of no meeting count on), so that time does not tell a wrong
	// passcode for a real meeting from an unknown meeting.
	pk := int64(-1)
	if t != nil && t.meeting != nil {
		pk = t.meeting.PK
	}
	b, err := s.Store.FindGuessBudget(ctx, pk)
	if err != nil {
		return nil, false, err
	}
	if reason != admit.ReasonWrongPasscode || pk <= 0 || !guessable(method, t) {
		return nil, false, nil
	}
	budget, _, err := s.accountGuessing(ctx, t.meeting.AccountID, at.At)
	if err != nil || budget <= 0 || !b.Spent(budget) {
		return nil, false, err
	}
	now := at.At
	onMeeting(at, t.meeting)
	occ := t.occ
	if occ == nil {
		var next *admit.Occurrence
		if occ, next, err = s.occurrenceNow(ctx, t.data, now); err != nil {
			return nil, true, err
		}
		if occ == nil {
			return nil, true, s.outsideWindow(ctx, at, t.meeting, next)
		}
	} else if occ.State(now) == admit.WindowNotOpen {
		return nil, true, s.outsideWindow(ctx, at, t.meeting, occ)
	} else if occ.State(now) == admit.WindowClosed {
		return nil, false, nil // an expired access code: refused, right or wrong
	}
	at.OccurrencePK, at.Occurrence = occ.PK, occ.Index
	at.Outcome, at.Reason, at.GuessBudget = admit.OutcomeWaiting, admit.ReasonWrongPasscode, budget
	bearer, err := admit.RandomID(s.Rand, "p")
	if err != nil {
		return nil, true, err
	}
	name := heldName(t, req)
	p := &admit.Participant{ID: s.participantHandle(bearer), OccurrencePK: occ.PK, Occurrence: occ.Index, Channel: req.Channel,
		Source: req.Source, JoinedAt: now, State: admit.StateWaiting, BaseName: name}
	adm := &admit.Admission{Participant: p, Attempt: at, Unmatched: true, HeldName: name}
	if err := s.Store.Admit(ctx, adm); err != nil {
		return nil, true, err
	}
	s.publish(ctx, admit.Change{Kind: admit.ChangeRoster, MeetingPK: t.meeting.PK, OccurrencePK: occ.PK})
	res, err := s.joinResult(t.meeting, occ, p, bearer, at.At)
	return res, true, err
}

// DenyUnmatched denies every waiting entry of the meeting's open (or next)
// occurrence that a spent guess budget held with a wrong passcode or PIN,
// and returns how many. ENOTFOUND; EFORBIDDEN.
func (s *Service) DenyUnmatched(ctx context.Context, a *admit.Actor, id string) (int, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return 0, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermRun)
	if err != nil {
		return 0, err
	}
	o, err := s.pickOccurrence(m, 0, s.now())
	if err != nil {
		return 0, err
	}
	ps, err := s.Store.FindParticipants(ctx, o.PK)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		if p.State != admit.StateWaiting || p.Hold != admit.HoldUnmatched {
			continue
		}
		_, err := s.Store.TransitionParticipant(ctx, p.PK, []string{admit.StateWaiting}, admit.StateDenied, s.now())
		if admit.ErrorCode(err) == admit.ECONFLICT {
			continue // decided meanwhile
		} else if err != nil {
			return n, err
		}
		n++
	}
	s.publish(ctx, admit.Change{Kind: admit.ChangeRoster, MeetingPK: m.PK, OccurrencePK: o.PK})
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "participant.deny_unmatched", Target: "meeting:" + m.ID,
		Source: actorSource(a), Outcome: "ok", Detail: "denied " + itoa(int64(n))})
	return n, nil
}

// RestoreMeeting restores normal joining after an attack in one step: it
// redraws every credential that was exposed to guessing (the shared
// passcode and its phone form, every invitee's PIN, unique passcode and
// its phone form; invitee links stay), sends the new values to the
// invitees, and resets the guess budget. It returns the meeting with its
// secrets. ENOTFOUND; EFORBIDDEN.
func (s *Service) RestoreMeeting(ctx context.Context, a *admit.Actor, id string) (*admit.MeetingView, error) {
	m, b, budget, err := s.budgetToRun(ctx, a, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.redrawGuessable(m); err != nil {
		return nil, err
	}
	e := &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "budget.restore", Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok",
		Detail: "failures " + itoa(int64(b.Failures)) + " of budget " + itoa(int64(budget))}
	if err := s.audited(ctx, e, func() error { return s.save(ctx, m, now, nil, mailing{kind: admit.OutboxUpdate}) }); err != nil {
		return nil, err
	}
	if err := s.Store.MarkPasscodeRegenerated(ctx, m.PK, now); err != nil {
		return nil, err
	}
	if err := s.Store.ResetGuessBudget(ctx, m.PK, now); err != nil {
		return nil, err
	}
	s.publish(ctx, admit.Change{Kind: admit.ChangeBudget, MeetingPK: m.PK})
	return s.guard(ctx, m, s.view(m, true))
}

// redrawGuessable draws anew every credential of m that a guess could
// yield: the shared passcode and its phone form, and each invitee's PIN,
// unique passcode and its phone form. Invitee links stay.
func (s *Service) redrawGuessable(m *admit.Meeting) error {
	if m.Security.Passcode == admit.PasscodeShared {
		if err := s.setPasscodes(m, nil, true); err != nil {
			return err
		}
	}
	for _, inv := range m.Invitees {
		inv.PIN, inv.Passcode, inv.PhonePasscode = nil, nil, nil
		if err := s.fillInvitee(m, inv, false); err != nil {
			return err
		}
	}
	return nil
}
