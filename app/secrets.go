package app

import (
	"crypto/subtle"

	"github.com/admit-project/admit"
)

// Purposes of keyed indexes.
const (
	purposeCredential  = "credential"
	purposeAccessCode  = "access-code"
	purposeToken       = "invitee-token"
	purposeAPIToken    = "api-token"
	purposePwd         = "join-url-pwd"
	purposeInviteeLink = "invitee-link"
)

// linkToken derives an invitee's link token from the server's key, the
// meeting, the invitee and the generation (which regenerating the
// invitee's credentials bumps): 128 bits, the shape of a random token.
// Nothing secret is stored for it: the store keeps its keyed index (under
// purposeToken) and the generation, and the host's views derive it again.
func (s *Service) linkToken(meetingID, inviteeID string, generation int) string {
	mac := s.Keys.Index(purposeInviteeLink, []byte(meetingID+"\x00"+inviteeID+"\x00"+itoa(int64(generation))))
	return encodeURLSafe(mac[:16])
}

// inviteeLinkToken returns the invitee's link token: derived, or (for an
// invitee made before derived tokens) the random one, unsealed; "" when
// there is none.
func (s *Service) inviteeLinkToken(m *admit.Meeting, inv *admit.Invitee) string {
	switch {
	case inv.Token == nil:
		return ""
	case inv.TokenGeneration > 0:
		return s.linkToken(m.ID, inv.ID, inv.TokenGeneration)
	}
	return s.open(inv.Token, "meeting:"+m.ID+":invitee:"+inv.ID+":token")
}

// APITokenIndex is the lookup index of an API token.
func (s *Service) APITokenIndex(token string) []byte {
	return s.Keys.Index(purposeAPIToken, []byte(token))
}

// pwd returns the encoded passcode a join URL carries for a meeting: a keyed
// MAC of the meeting number and passcode, so the URL never shows the
// passcode itself and changes when the passcode does.
func (s *Service) pwd(number, passcode string) string {
	mac := s.Keys.Index(purposePwd, []byte(number+"\x00"+passcode))
	return encodeURLSafe(mac[:16])
}

// seal makes a Secret of value: its index (under the given index) and a
// sealed copy bound to ad.
func (s *Service) seal(index []byte, value, ad string) (*admit.Secret, error) {
	sealed, err := s.Keys.Seal([]byte(value), []byte(ad))
	if err != nil {
		return nil, err
	}
	return &admit.Secret{Index: index, Sealed: sealed, Plain: value}, nil
}

// open fills sec.Plain from its sealed copy.
func (s *Service) open(sec *admit.Secret, ad string) string {
	if sec == nil {
		return ""
	}
	if sec.Plain != "" || len(sec.Sealed) == 0 {
		return sec.Plain
	}
	p, err := s.Keys.Open(sec.Sealed, []byte(ad))
	if err != nil {
		s.logger().Error("open sealed secret", "ad", ad, "err", err)
		return ""
	}
	sec.Plain = string(p)
	return sec.Plain
}

// equalSecret compares two secrets in constant time.
func equalSecret(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
