package app

import (
	"context"
	"time"

	"github.com/admit-project/admit"
)

// occurrenceByPK returns an occurrence and its meeting (join fields only).
func (s *Service) occurrenceByPK(ctx context.Context, pk int64) (*admit.Occurrence, *admit.Meeting, error) {
	o, err := s.Store.FindOccurrence(ctx, pk)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.Store.FindJoinMeetingByPK(ctx, o.MeetingPK)
	if err != nil {
		return nil, nil, err
	}
	return o, m, nil
}

// Roster returns who is in an occurrence (n, or with 0 the open one, else
// the next, else the last) and who waits. ENOTFOUND.
func (s *Service) Roster(ctx context.Context, a *admit.Actor, id string, n int) (*admit.Roster, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, o, err := s.meetingOccurrence(ctx, a, id, n)
	if err != nil {
		return nil, err
	}
	ps, err := s.Store.FindParticipants(ctx, o.PK)
	if err != nil {
		return nil, err
	}
	r := &admit.Roster{MeetingID: m.Number, Occurrence: o.Index, State: o.State(s.now()).String(),
		Participants: []*admit.Participant{}, Waiting: []*admit.Participant{}}
	if r.Budget, err = s.meetingBudget(ctx, m); err != nil {
		return nil, err
	}
	for _, p := range ps {
		switch p.State {
		case admit.StateAdmitted:
			r.Participants = append(r.Participants, p)
		case admit.StateWaiting:
			r.Waiting = append(r.Waiting, p)
		}
	}
	return r, nil
}

func (s *Service) meetingOccurrence(ctx context.Context, a *admit.Actor, id string, n int) (*admit.Meeting, *admit.Occurrence, error) {
	m, err := s.findMeeting(ctx, a, id, admit.PermSee)
	if err != nil {
		return nil, nil, err
	}
	o, err := s.pickOccurrence(m, n, s.now())
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}

// Decide admits or denies a waiting participant, or removes one. ENOTFOUND
// when the participant is not in this meeting; ECONFLICT when their state
// does not allow it.
func (s *Service) Decide(ctx context.Context, a *admit.Actor, id, pid, decision string) (*admit.Participant, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermRun)
	if err != nil {
		return nil, err
	}
	p, pm, o, err := s.participant(ctx, pid)
	if admit.ErrorCode(err) == admit.ENOTFOUND || err == nil && pm.PK != m.PK {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No such participant in this meeting."}
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	var from []string
	var to string
	switch decision {
	case admit.DecisionAdmit:
		if o.State(now) != admit.WindowOpen {
			return nil, &admit.Error{Code: admit.ECONFLICT, Message: "The occurrence is no longer open."}
		}
		from, to = []string{admit.StateWaiting}, admit.StateAdmitted
	case admit.DecisionDeny:
		from, to = []string{admit.StateWaiting}, admit.StateDenied
	case admit.DecisionRemove:
		from, to = []string{admit.StateWaiting, admit.StateAdmitted}, admit.StateRemoved
	default:
		return nil, admit.FieldErrorf("decision", "decision must be admit, deny or remove")
	}
	p, err = s.Store.TransitionParticipant(ctx, p.PK, from, to, now)
	if admit.ErrorCode(err) == admit.ECONFLICT {
		return nil, &admit.Error{Code: admit.ECONFLICT, Message: "The participant is not in a state to " + decision + "."}
	} else if err != nil {
		return nil, err
	}
	s.publish(ctx, admit.Change{Kind: admit.ChangeRoster, MeetingPK: m.PK, OccurrencePK: p.OccurrencePK})
	if to == admit.StateRemoved || to == admit.StateDenied {
		s.mediaRemoved(ctx, m, o, p)
	}
	s.event(ctx, &admit.Event{AccountID: m.AccountID, Actor: actorName(a), Action: "participant." + decision, Target: "meeting:" + m.ID, Source: actorSource(a), Outcome: "ok", Detail: "participant:" + p.ID})
	return p, nil
}

// Attendance returns an occurrence's attendance record. ENOTFOUND.
func (s *Service) Attendance(ctx context.Context, a *admit.Actor, id string, n int) (*admit.Attendance, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, o, err := s.meetingOccurrence(ctx, a, id, n)
	if err != nil {
		return nil, err
	}
	ps, err := s.Store.FindParticipants(ctx, o.PK)
	if err != nil {
		return nil, err
	}
	emails, names := map[int64]string{}, map[int64]string{}
	for _, inv := range m.Invitees {
		emails[inv.PK], names[inv.PK] = inv.Email, inv.Name
	}
	now := s.now()
	out := &admit.Attendance{MeetingID: m.Number, Topic: m.Topic, Occurrence: o.Index, Start: o.Start, End: o.End, Rows: []*admit.AttendanceRow{}}
	for _, p := range ps {
		row := &admit.AttendanceRow{ParticipantID: p.ID, DisplayName: p.DisplayName, InviteeID: p.InviteeID, Email: emails[p.InviteePK],
			SharedCredential: p.SharedCredential, Channel: p.Channel, Source: p.Source, State: p.State,
			JoinedAt: p.JoinedAt, AdmittedAt: p.AdmittedAt, LeftAt: p.LeftAt}
		if p.SharedCredential && p.InviteePK != 0 {
			row.Email, row.Via = "", names[p.InviteePK]
		}
		if p.AdmittedAt != nil {
			end := now
			if p.LeftAt != nil {
				end = *p.LeftAt
			} else if o.EndedAt != nil {
				end = *o.EndedAt
			} else if o.ClosesAt.Before(end) {
				end = o.ClosesAt
			}
			if d := end.Sub(*p.AdmittedAt); d > 0 {
				row.DurationSeconds = int64(d / time.Second)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	s.addMediaPresence(ctx, o, ps, out.Rows, now)
	return out, nil
}

// FailedAttempts lists a meeting's recent refused attempts with their
// internal reasons, for the host. ENOTFOUND.
func (s *Service) FailedAttempts(ctx context.Context, a *admit.Actor, id string, limit int) ([]*admit.Attempt, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	m, err := s.findMeeting(ctx, a, id, admit.PermSee)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	all, err := s.Store.FindAttempts(ctx, m.PK, limit)
	if err != nil {
		return nil, err
	}
	refused := make([]*admit.Attempt, 0, len(all))
	for _, at := range all {
		if at.Outcome != admit.OutcomeAdmitted && at.Outcome != admit.OutcomeWaiting {
			refused = append(refused, at)
		}
	}
	return refused, nil
}
