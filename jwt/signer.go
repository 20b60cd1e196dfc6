package jwt

import (
	"errors"
	"strconv"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/admit-project/admit"
)

// Issuer and Audience of admission tokens.
const (
	Issuer   = "admit"
	Audience = "media"
)

// Claims are the claims of an admission token.
type Claims struct {
	gojwt.RegisteredClaims
	Name       string `json:"name"`
	Room       string `json:"room"` // the meeting number
	Occurrence int    `json:"occurrence"`
}

// Signer signs admission tokens with a shared secret.
type Signer struct {
	secret []byte
}

var _ admit.AdmissionSigner = (*Signer)(nil)

// NewSigner returns a signer for secret, which must have at least 32 bytes.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < 32 {
		return nil, errors.New("jwt: the admission secret needs at least 32 bytes")
	}
	return &Signer{secret: append([]byte(nil), secret...)}, nil
}

// SignAdmission returns an HS256 token: subject the participant ID, room the
// meeting number, expiring when the occurrence's window closes.
func (s *Signer) SignAdmission(c admit.AdmissionClaims) (string, error) {
	claims := Claims{
		RegisteredClaims: gojwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   c.ParticipantID,
			Audience:  gojwt.ClaimStrings{Audience},
			IssuedAt:  gojwt.NewNumericDate(c.IssuedAt),
			NotBefore: gojwt.NewNumericDate(c.IssuedAt.Add(-time.Minute)),
			ExpiresAt: gojwt.NewNumericDate(c.ExpiresAt),
			ID:        c.ParticipantID + "." + strconv.FormatInt(c.IssuedAt.UnixNano(), 36),
		},
		Name:       c.DisplayName,
		Room:       c.MeetingID,
		Occurrence: c.Occurrence,
	}
	return gojwt.NewWithClaims(gojwt.SigningMethodHS256, claims).SignedString(s.secret)
}

// Verify parses and checks a token as the media side would, at now.
func (s *Signer) Verify(token string, now time.Time) (*Claims, error) {
	var c Claims
	_, err := gojwt.ParseWithClaims(token, &c, func(*gojwt.Token) (any, error) { return s.secret, nil },
		gojwt.WithValidMethods([]string{"HS256"}), gojwt.WithIssuer(Issuer), gojwt.WithAudience(Audience),
		gojwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, err
	}
	return &c, nil
}
