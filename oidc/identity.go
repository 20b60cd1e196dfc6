package oidc

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/admit-project/admit"
)

// IdentityCookie names the cookie that keeps a participant's sign-in for
// joining meetings that admit signed-in people only.
const IdentityCookie = "admit_participant_identity"

// DefaultIdentityTTL is how long a participant's sign-in lasts for joins.
const DefaultIdentityTTL = time.Hour

var identityAD = []byte("admit/oidc/participant-identity")

type sealedIdentity struct {
	ID      admit.VerifiedIdentity `json:"id"`
	Expires int64                  `json:"e"`
}

// SetIdentity keeps id, verified by a provider, in a sealed cookie for
// DefaultIdentityTTL (HttpOnly, SameSite=Lax, Secure as the keeper is).
func (k *StateKeeper) SetIdentity(w http.ResponseWriter, id *admit.VerifiedIdentity) error {
	k.init()
	plain, err := json.Marshal(sealedIdentity{ID: *id, Expires: k.Clock.Now().Add(DefaultIdentityTTL).Unix()})
	if err != nil {
		return err
	}
	sealed, err := k.Sealer.Seal(plain, identityAD)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: IdentityCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/",
		MaxAge: int(DefaultIdentityTTL / time.Second), HttpOnly: true, Secure: k.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// Identity returns the participant's unexpired sign-in from the request's
// cookie, or nil (no cookie, not ours, or expired).
func (k *StateKeeper) Identity(r *http.Request) *admit.VerifiedIdentity {
	k.init()
	c, err := r.Cookie(IdentityCookie)
	if err != nil {
		return nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	plain, err := k.Sealer.Open(sealed, identityAD)
	if err != nil {
		return nil
	}
	var s sealedIdentity
	if json.Unmarshal(plain, &s) != nil || !k.Clock.Now().Before(time.Unix(s.Expires, 0)) {
		return nil
	}
	return &s.ID
}
