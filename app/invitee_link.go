package app

import (
	"context"

	"github.com/admit-project/admit"
)

// InviteeLink returns whom the invitee link token invites, for a page that
// greets them before they join (Join with the token admits them). The
// source's limiter is consulted as by Join, and an unknown token counts as
// one of the source's failures. It returns EREFUSED (the uniform refusal)
// for an unknown token, EINVALID for one too long, or ERATELIMITED.
func (s *Service) InviteeLink(ctx context.Context, channel admit.Channel, source, token string) (*admit.InviteeLink, error) {
	ref, d, err := s.inviteeByToken(ctx, channel, source, token)
	if err != nil {
		return nil, err
	}
	return &admit.InviteeLink{Name: ref.Name, Topic: d.Meeting.Topic, MeetingID: d.Meeting.Number,
		DialIn: admit.DialInOptions(s.DialIn, d.Meeting.AccountID, d.Meeting.Number, "")}, nil
}

// inviteeByToken resolves an invitee link token for a page that shows what
// it invites to (the greeting, the calendar file): the source's limiter is
// consulted as by Join, an unknown token counts as one of the source's
// failures and costs what a known one costs (lookup), and gets the
// uniform refusal. EREFUSED, EINVALID for a token too long, ERATELIMITED.
func (s *Service) inviteeByToken(ctx context.Context, channel admit.Channel, source, token string) (admit.DirToken, *admit.JoinData, error) {
	now := s.now()
	rsv, err := s.joinLimiter().Reserve(ctx, admit.SourceKey(channel, source), s.tokenIdentifier(token), now)
	if err != nil {
		return admit.DirToken{}, nil, err
	}
	failed := true
	defer func() { rsv.Done(failed) }()
	if len(token) > admit.MaxCredentialLength {
		return admit.DirToken{}, nil, admit.FieldErrorf("token", "token may have at most %d characters", admit.MaxCredentialLength)
	}
	f, err := s.lookup(ctx, LookupToken, string(s.tokenIndex(token)), now)
	if err != nil {
		failed = false
		return admit.DirToken{}, nil, err
	} else if f.Data == nil {
		return admit.DirToken{}, nil, refusal()
	}
	failed = false
	return f.Token, f.Data, nil
}
