package app

import (
	"context"

	"github.com/admit-project/admit"
)

// ParticipantStatus tells a participant (who holds the unguessable
// participant ID) where they stand: waiting, admitted (with an admission
// token), denied, removed or left. ENOTFOUND.
func (s *Service) ParticipantStatus(ctx context.Context, pid string) (*admit.JoinResult, error) {
	if !admit.ValidParticipantID(pid) {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No such participant."}
	}
	p, m, o, err := s.participant(ctx, s.participantHandle(pid))
	if err != nil {
		return nil, err
	}
	r, err := s.joinResult(m, o, p, pid, s.now())
	if err != nil {
		return nil, err
	}
	r.Media = s.mediaGrant(ctx, m, o, p)
	return r, nil
}

// Leave records that a participant left. ENOTFOUND; ECONFLICT when they are
// no longer in the meeting.
func (s *Service) Leave(ctx context.Context, pid string) (*admit.Participant, error) {
	if !admit.ValidParticipantID(pid) {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No such participant."}
	}
	p, m, o, err := s.participant(ctx, s.participantHandle(pid))
	if err != nil {
		return nil, err
	}
	was := p.State
	p, err = s.Store.TransitionParticipant(ctx, p.PK, []string{admit.StateWaiting, admit.StateAdmitted}, admit.StateLeft, s.now())
	if err == nil {
		s.publish(ctx, admit.Change{Kind: admit.ChangeRoster, MeetingPK: m.PK, OccurrencePK: p.OccurrencePK})
		if was == admit.StateAdmitted {
			s.mediaRemoved(ctx, m, o, p)
		}
	}
	return p, err
}

// participant finds a participant by handle with their meeting and
// occurrence (a participant's own routes pass the handle of the bearer ID
// they hold; a host's routes the handle the roster shows).
func (s *Service) participant(ctx context.Context, pid string) (*admit.Participant, *admit.Meeting, *admit.Occurrence, error) {
	notFound := &admit.Error{Code: admit.ENOTFOUND, Message: "No such participant."}
	if !admit.ValidParticipantID(pid) {
		return nil, nil, nil, notFound
	}
	p, err := s.Store.FindParticipant(ctx, pid)
	if err != nil {
		return nil, nil, nil, err
	}
	o, m, err := s.occurrenceByPK(ctx, p.OccurrencePK)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, m, o, nil
}
