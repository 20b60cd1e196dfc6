package app

import (
	"crypto/subtle"

	"github.com/admit-project/admit"
)

// Purposes of keyed indexes.
const (
	purposeCredential = "credential"
	purposeAccessCode = "access-code"
	purposeToken      = "invitee-token"
	purposeAPIToken   = "api-token"
	purposePwd        = "join-url-pwd"
)

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
