package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/admit-project/admit"
)

// joinTarget is what the credentials of a join resolved to.
type joinTarget struct {
	data    *admit.JoinData
	meeting *admit.Meeting
	occ     *admit.Occurrence // set by the access-code path
	invitee *admit.Credential // set when the credential identifies an invitee
}

func newTarget(d *admit.JoinData) *joinTarget { return &joinTarget{data: d, meeting: d.Meeting} }

// noData stands in for an unknown meeting, so that its refusal does the same
// work as a wrong passcode: a keyed hash and a credential lookup.
var noData = &admit.JoinData{Meeting: &admit.Meeting{ID: "m-unknown"}, Credentials: map[string]*admit.Credential{}}

// resolve checks a join request's shape (EINVALID names the field at
// fault) and resolves its credentials to their meeting, noting the channel,
// source and method on the attempt. reason is why the credentials are
// refused, or "" when they are valid: then the meeting's cached join data
// counts as cached for the stand-ins of unknown identifiers too
// (JoinCache.Keep).
func (s *Service) resolve(ctx context.Context, req *admit.JoinRequest, at *admit.Attempt) (method string, t *joinTarget, reason string, err error) {
	method, err = checkJoinRequest(req)
	at.Channel, at.Source, at.Method = req.Channel, req.Source, method
	if err != nil {
		return method, nil, "", err
	}
	switch method {
	case admit.MethodMeetingID, admit.MethodJoinURL:
		t, reason, err = s.resolveMeetingID(ctx, req, at.At)
	case admit.MethodAccessCode:
		t, reason, err = s.resolveAccessCode(ctx, req, at.At)
	case admit.MethodToken:
		t, reason, err = s.resolveToken(ctx, req, at.At)
	}
	if err != nil {
		return method, nil, "", err
	}
	if reason == "" && req.AccountID != 0 && t.meeting.AccountID != req.AccountID {
		// A caller of another account's dial-in number: refused as a wrong
		// passcode is, after the same work.
		reason = admit.ReasonOtherAccount
	}
	if reason == "" {
		s.joinCache().Keep(t.meeting.PK)
	}
	return method, t, reason, nil
}

// checkJoinRequest validates the shape of a join request and returns its method.
func checkJoinRequest(req *admit.JoinRequest) (string, error) {
	if req.Channel == "" {
		req.Channel = admit.ChannelAPI
	}
	if !req.Channel.Valid() {
		return "", admit.FieldErrorf("channel", "channel must be web, app, phone or api")
	}
	n := 0
	method := ""
	for _, f := range []struct{ name, value, method string }{
		{"meeting_id", req.MeetingID, admit.MethodMeetingID},
		{"access_code", req.AccessCode, admit.MethodAccessCode},
		{"token", req.Token, admit.MethodToken},
	} {
		if len(f.value) > admit.MaxCredentialLength {
			return "", admit.FieldErrorf(f.name, "%s may have at most %d characters", f.name, admit.MaxCredentialLength)
		}
		if f.value != "" {
			n++
			method = f.method
		}
	}
	if n != 1 {
		return "", admit.FieldErrorf("meeting_id", "give exactly one of meeting_id, access_code and token")
	}
	if len(req.Passcode) > admit.MaxCredentialLength {
		return "", admit.FieldErrorf("passcode", "passcode may have at most %d characters", admit.MaxCredentialLength)
	}
	if len(req.Pwd) > admit.MaxCredentialLength {
		return "", admit.FieldErrorf("pwd", "pwd may have at most %d characters", admit.MaxCredentialLength)
	}
	if req.Pwd != "" {
		if method != admit.MethodMeetingID {
			return "", admit.FieldErrorf("pwd", "pwd goes with meeting_id")
		}
		if req.Passcode != "" {
			return "", admit.FieldErrorf("pwd", "give passcode or pwd, not both")
		}
		method = admit.MethodJoinURL
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name != "" {
		if _, err := admit.ValidateDisplayName("name", req.Name); err != nil {
			return "", err
		}
	}
	if !utf8.ValidString(req.Passcode) {
		return "", admit.FieldErrorf("passcode", "passcode is not valid UTF-8")
	}
	return method, nil
}

func (s *Service) resolveMeetingID(ctx context.Context, req *admit.JoinRequest, now time.Time) (*joinTarget, string, error) {
	number, err := admit.ParseMeetingNumber("meeting_id", req.MeetingID)
	if err != nil {
		return nil, "", err
	}
	f, err := s.lookup(ctx, LookupNumber, number, now)
	if err != nil {
		return nil, "", err
	} else if f.Data == nil {
		s.findCredential(newTarget(noData), req.Passcode+req.Pwd)
		return nil, admit.ReasonUnknownMeeting, nil
	}
	t := newTarget(f.Data)
	m := f.Data.Meeting
	if req.Pwd != "" {
		if m.PwdIndex == nil || !equalSecret(s.pwdIndex(req.Pwd), m.PwdIndex) {
			return t, admit.ReasonWrongPwd, nil
		}
		return t, "", nil
	}
	return t, s.checkPasscode(t, req.Passcode), nil
}

// findCredential looks a typed value up among the meeting's credentials.
func (s *Service) findCredential(t *joinTarget, value string) *admit.Credential {
	return t.data.Credentials[string(s.credentialIndex(t.meeting.ID, value))]
}

// checkPasscode checks a typed passcode (shared, unique, phone form or PIN)
// against the meeting, records the invitee it identifies, and returns the
// reason of a refusal, or "".
func (s *Service) checkPasscode(t *joinTarget, passcode string) string {
	c := s.findCredential(t, passcode)
	switch {
	case c == nil && t.meeting.Security.Passcode == admit.PasscodeNone:
		return "" // a meeting without passcode ignores what is typed
	case c == nil:
		return admit.ReasonWrongPasscode
	case c.InviteePK != 0:
		t.invitee = c
	}
	return ""
}

func (s *Service) resolveAccessCode(ctx context.Context, req *admit.JoinRequest, now time.Time) (*joinTarget, string, error) {
	code, err := admit.ParseAccessCode("access_code", req.AccessCode)
	if err != nil {
		return nil, "", err
	}
	f, err := s.lookup(ctx, LookupCode, string(s.accessCodeIndex(code)), now)
	if err != nil {
		return nil, "", err
	} else if f.Data == nil {
		s.findCredential(newTarget(noData), req.Passcode)
		if f.Known {
			return nil, admit.ReasonMeetingDeleted, nil
		}
		return nil, admit.ReasonUnknownAccessCode, nil
	}
	ref := f.Code
	t := newTarget(f.Data)
	for _, o := range f.Data.Occurrences {
		if o.PK == ref.OccurrencePK {
			t.occ = o
		}
	}
	if t.occ == nil { // its occurrence was removed: the code went with it
		t.occ = &admit.Occurrence{MeetingPK: ref.MeetingPK, Index: ref.Occurrence}
		ref.Revoked = true
	}
	switch reason := s.checkPasscode(t, req.Passcode); {
	case reason != "":
		return t, reason, nil
	case ref.Revoked:
		return t, admit.ReasonRevokedAccessCode, nil
	case t.occ.State(now) == admit.WindowClosed:
		return t, admit.ReasonExpiredAccessCode, nil
	}
	return t, "", nil
}

func (s *Service) resolveToken(ctx context.Context, req *admit.JoinRequest, now time.Time) (*joinTarget, string, error) {
	f, err := s.lookup(ctx, LookupToken, string(s.tokenIndex(req.Token)), now)
	if err != nil {
		return nil, "", err
	} else if f.Data == nil {
		s.findCredential(newTarget(noData), req.Token) // the same work as a wrong passcode
		return nil, admit.ReasonUnknownToken, nil
	}
	ref := f.Token
	t := newTarget(f.Data)
	t.invitee = &admit.Credential{Kind: "invitee_token", InviteePK: ref.InviteePK, InviteeID: ref.InviteeID, InviteeName: ref.Name}
	return t, "", nil
}

// lookup looks a join's identifier up in the join cache (JoinCache.Lookup).
// An identifier the directory does not know costs what a known one costs,
// cold or cached, so that the time of a refusal does not tell whether the
// identifier exists: a real meeting's refusal looks its account's guess
// budget up (a read on the account's first use since the start), so the
// stand-in's account is looked up alike.
func (s *Service) lookup(ctx context.Context, kind byte, key string, now time.Time) (Found, error) {
	f, err := s.joinCache().Lookup(ctx, kind, key, now)
	if err == nil && !f.Known && f.StandIn != 0 {
		_, _, err = s.accountGuessing(ctx, f.StandIn, now)
	}
	return f, err
}

// joinCache returns the service's join cache, made on first use.
func (s *Service) joinCache() *JoinCache {
	s.cacheOnce.Do(func() {
		s.cache = NewJoinCache(s.Store)
		s.cache.Clock = s.CacheClock
	})
	return s.cache
}

// credentialIndex is the lookup index of a passcode-like value of a meeting,
// keyed by the meeting's public ID so that equal passcodes of two meetings
// have unrelated indexes.
func (s *Service) credentialIndex(meetingID string, value string) []byte {
	b := make([]byte, 0, len(meetingID)+1+len(value))
	b = append(b, meetingID...)
	b = append(b, 0)
	return s.Keys.Index(purposeCredential, append(b, value...))
}

func (s *Service) accessCodeIndex(code string) []byte {
	return s.Keys.Index(purposeAccessCode, []byte(code))
}

func (s *Service) tokenIndex(token string) []byte {
	return s.Keys.Index(purposeToken, []byte(token))
}

func (s *Service) pwdIndex(pwd string) []byte {
	return s.Keys.Index(purposePwd+"-index", []byte(pwd))
}
