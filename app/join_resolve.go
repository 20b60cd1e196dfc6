package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/admit-project/admit"
)

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

func (s *Service) resolveMeetingID(ctx context.Context, req *admit.JoinRequest) (*joinTarget, string, error) {
	number, err := admit.ParseMeetingNumber("meeting_id", req.MeetingID)
	if err != nil {
		return nil, "", err
	}
	pk, ok, err := s.joinCache().Number(ctx, number, s.now())
	if err != nil {
		return nil, "", err
	}
	d, err := s.joinData(ctx, "n"+number, pk, ok)
	if err != nil {
		return nil, "", err
	} else if d == noData {
		s.findCredential(newTarget(noData), req.Passcode+req.Pwd)
		return nil, admit.ReasonUnknownMeeting, nil
	}
	t := newTarget(d)
	m := d.Meeting
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
	index := s.accessCodeIndex(code)
	ref, ok, err := s.joinCache().Code(ctx, index, now)
	if err != nil {
		return nil, "", err
	}
	d, err := s.joinData(ctx, "c"+string(index), ref.MeetingPK, ok)
	if err != nil {
		return nil, "", err
	} else if d == noData {
		s.findCredential(newTarget(noData), req.Passcode)
		if ok {
			return nil, admit.ReasonMeetingDeleted, nil
		}
		return nil, admit.ReasonUnknownAccessCode, nil
	}
	t := newTarget(d)
	for _, o := range d.Occurrences {
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

func (s *Service) resolveToken(ctx context.Context, req *admit.JoinRequest) (*joinTarget, string, error) {
	index := s.tokenIndex(req.Token)
	ref, ok, err := s.joinCache().Token(ctx, index, s.now())
	if err != nil {
		return nil, "", err
	}
	d, err := s.joinData(ctx, "t"+string(index), ref.MeetingPK, ok)
	if err != nil {
		return nil, "", err
	} else if d == noData {
		s.findCredential(newTarget(noData), req.Token) // the same work as a wrong passcode
		return nil, admit.ReasonUnknownToken, nil
	}
	t := newTarget(d)
	t.invitee = &admit.Credential{Kind: "invitee_token", InviteePK: ref.InviteePK, InviteeID: ref.InviteeID, InviteeName: ref.Name}
	return t, "", nil
}

// joinData returns, from the join cache, the join data of the meeting the
// directory found (ok), or noData when it found none or the meeting is gone.
// An identifier the directory does not know (key, see JoinCache.Unknown)
// costs what a known one costs, cold or cached, so that the time of a
// refusal does not tell whether the identifier exists.
func (s *Service) joinData(ctx context.Context, key string, pk int64, ok bool) (*admit.JoinData, error) {
	if !ok {
		// A real meeting's refusal looks its account's guess budget up
		// (a read on the account's first use since the start): the
		// stand-in's account is looked up alike.
		acct, err := s.joinCache().Unknown(ctx, key)
		if err == nil && acct != 0 {
			_, _, err = s.accountGuessing(ctx, acct)
		}
		return noData, err
	}
	d, err := s.joinCache().ByPK(ctx, pk)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return noData, nil
	}
	return d, err
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
