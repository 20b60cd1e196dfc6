package admit

import "context"

// InviteeLink is what an invitee's unique link shows before they join: whom
// it invites, and to which meeting.
type InviteeLink struct {
	Name      string // the invitee's name
	Topic     string
	MeetingID string // the meeting's number, ungrouped
}

// InviteeLink returns whom the invitee link token invites, for a page that
// greets them before they join (Join with the token admits them). The
// source's limiter is consulted as by Join, and an unknown token counts as
// one of the source's failures. It returns EREFUSED (the uniform refusal)
// for an unknown token, EINVALID for one too long, or ERATELIMITED.
func (s *Service) InviteeLink(ctx context.Context, channel Channel, source, token string) (*InviteeLink, error) {
	now := s.now()
	rsv, err := s.sourceLimiter().Reserve(ctx, SourceKey(channel, source), now)
	if err != nil {
		return nil, err
	}
	failed := true
	defer func() { rsv.Done(failed) }()
	if len(token) > MaxCredentialLength {
		return nil, FieldErrorf("token", "token may have at most %d characters", MaxCredentialLength)
	}
	ref, ok, err := s.joinCache().Token(ctx, s.tokenIndex(token), now)
	if err != nil {
		failed = false
		return nil, err
	}
	d, err := s.joinData(ctx, ref.MeetingPK, ok)
	if err != nil {
		failed = false
		return nil, err
	} else if d == noData {
		return nil, refusal()
	}
	failed = false
	return &InviteeLink{Name: ref.Name, Topic: d.Meeting.Topic, MeetingID: d.Meeting.Number}, nil
}
