package app

import (
	"context"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/sourcelimit"
)

// purposeSourceLimit separates the indexes the join limiter keeps of the
// identifiers a source tried from every other index.
const purposeSourceLimit = "source-limit"

// joinLimiter returns the per-source limiter of join attempts, made on
// first use: JoinLimiter, or one over Limiter (its Distinct and Repeat keys
// side by side) when only that is set, or one in memory with
// sourcelimit.DefaultPolicy.
func (s *Service) joinLimiter() *sourcelimit.Limiter {
	s.joinLimiterOnce.Do(func() {
		s.joinLimits = s.JoinLimiter
		switch {
		case s.joinLimits != nil:
		case s.Limiter != nil:
			s.joinLimits = sourcelimit.New(s.Limiter, s.Limiter, time.Hour)
		default:
			p := sourcelimit.DefaultPolicy()
			s.joinLimits = sourcelimit.New(memory.NewLimiter(p.Distinct), memory.NewLimiter(p.Repeat), max(p.Distinct.Window, p.Repeat.Window))
		}
	})
	return s.joinLimits
}

// reserveJoin consults the source's limiter before any credential of the
// join is looked at, with the identifier the attempt tries, and returns the
// reservation and the identifier's index (nil for a malformed request).
// ERATELIMITED (audited) when the source has failed too often.
func (s *Service) reserveJoin(ctx context.Context, req *admit.JoinRequest, now time.Time) (admit.Reservation, []byte, error) {
	limiter := s.joinLimiter()
	key, identifier := s.joinSource(req)
	rsv, err := limiter.Reserve(ctx, key, identifier, now)
	if err != nil {
		if admit.ErrorCode(err) == admit.ERATELIMITED {
			s.auditRateLimited(ctx, key, now)
		}
		return nil, nil, err
	}
	return rsv, identifier, nil
}

// joinSource returns the key a join attempt is limited under, and the
// keyed index of the identifier it tries (nil for a malformed request):
// the meeting number, the access code or the link token, as the resolvers
// will read them. A caller's identity passed on by a trusted gateway
// (req.Caller) becomes the source, masked and hashed as the phone dial-in
// records a caller's number, and is sealed with the participant as the
// dial-in's full number is.
func (s *Service) joinSource(req *admit.JoinRequest) (key string, identifier []byte) {
	if req.Caller != "" {
		if req.CallerNumber == "" {
			req.CallerNumber = req.Caller // sealed with the participant, as the dial-in's
		}
		req.Source = s.PhoneSource(req.Caller)
		req.Caller = ""
		key = admit.SourceKey(admit.ChannelPhone, req.Source)
	} else {
		key = admit.SourceKey(req.Channel, req.Source)
	}
	var id string
	switch {
	case req.MeetingID != "" && req.AccessCode == "" && req.Token == "":
		if n, err := admit.ParseMeetingNumber("meeting_id", req.MeetingID); err == nil {
			id = "n" + n
		}
	case req.AccessCode != "" && req.MeetingID == "" && req.Token == "":
		if c, err := admit.ParseAccessCode("access_code", req.AccessCode); err == nil {
			id = "c" + c
		}
	case req.Token != "" && req.MeetingID == "" && req.AccessCode == "":
		if len(req.Token) <= admit.MaxCredentialLength {
			id = "t" + req.Token
		}
	}
	if id == "" {
		return key, nil
	}
	return key, s.Keys.Index(purposeSourceLimit, []byte(id))
}

// tokenIdentifier is the index of a link token as joinSource makes it.
func (s *Service) tokenIdentifier(token string) []byte {
	if token == "" || len(token) > admit.MaxCredentialLength {
		return nil
	}
	return s.Keys.Index(purposeSourceLimit, []byte("t"+token))
}
