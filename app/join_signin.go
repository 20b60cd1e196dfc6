package app

import (
	"context"

	"github.com/admit-project/admit"
)

// signInGate applies a meeting's authentication setting to a join whose
// credentials are valid, before the participant is admitted. It returns
// the name and invitee the sign-in gives (empty for a meeting without
// sign-in), ESIGNIN for a participant who must sign in first, or the
// uniform refusal (recorded) for a signed-in non-invitee of an invitees
// meeting and for a phone caller the meeting does not take.
func (s *Service) signInGate(ctx context.Context, at *admit.Attempt, t *joinTarget, req *admit.JoinRequest) (*admit.GateDecision, error) {
	sec := t.meeting.Security.SignIn()
	if !sec.Authentication.RequiresSignIn() {
		return &admit.GateDecision{Gate: admit.GateProceed}, nil
	}
	if req.Channel == admit.ChannelPhone {
		switch admit.PhoneGateFor(sec) {
		case admit.PhoneGateInviteePIN:
			if t.invitee != nil && t.invitee.InviteePK != 0 {
				return &admit.GateDecision{Gate: admit.GateProceed}, nil
			}
			return nil, s.refuse(ctx, at, t, admit.ReasonInviteePIN)
		default:
			return nil, s.refuse(ctx, at, t, admit.ReasonPhoneRefused)
		}
	}
	id := req.Identity
	if id != nil {
		// Only the meeting's account's provider vouches here.
		p, err := s.IdentityProvider(ctx, t.meeting.AccountID)
		if err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
			return nil, err
		}
		if err != nil || p.Issuer != id.Issuer {
			id = nil
		} else if sec.Authentication == admit.AuthenticationSignedIn && !p.AllowsDomain(id.Email) {
			// "Signed in" means one of the organisation's people: the
			// allowed domains apply; an invitees meeting's rule is its
			// list of invitees.
			return nil, s.refuse(ctx, at, t, string(admit.SignInDomainNotAllowed))
		}
	}
	var invitees []*admit.Invitee
	if sec.Authentication == admit.AuthenticationInvitees && id != nil {
		m, err := s.Store.FindMeetingByID(ctx, t.meeting.AccountID, t.meeting.ID)
		if err != nil {
			return nil, err
		}
		invitees = m.Invitees
	}
	d := admit.CheckSignIn(sec.Authentication, id, invitees)
	switch d.Gate {
	case admit.GateSignIn:
		onMeeting(at, t.meeting)
		at.Outcome, at.Reason = admit.OutcomeRefused, admit.ReasonSignInRequired
		if err := s.Store.RecordAttempt(ctx, at); err != nil {
			return nil, err
		}
		return nil, &admit.Error{Code: admit.ESIGNIN,
			Message: "This meeting admits people signed in with the organisation's account only: sign in, then join again.",
			Detail:  map[string]any{"account_id": t.meeting.AccountID}}
	case admit.GateRefuse:
		return nil, s.refuse(ctx, at, t, admit.ReasonNotInvitee)
	}
	return &d, nil
}
