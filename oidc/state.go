package oidc

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// Sealer seals and opens small secrets with associated data; *keys.Ring is
// one.
type Sealer interface {
	Seal(plaintext, ad []byte) ([]byte, error)
	Open(sealed, ad []byte) ([]byte, error)
}

// Ledger remembers the sign-ins that came back, so each state is used once.
type Ledger interface {
	// Consume records id as used until until, and reports whether it was
	// unused before.
	Consume(id string, until time.Time) bool
}

// DefaultStateTTL is how long a sign-in may take from the redirect to the
// provider to the return.
const DefaultStateTTL = 10 * time.Minute

// DefaultCookiePrefix names the state cookies: prefix + "_" + a short,
// public part of the state, so parallel sign-ins in one browser (two tabs)
// do not overwrite each other.
const DefaultCookiePrefix = "admit_oidc"

// StateKeeper binds sign-ins to the browser that started them: it draws
// state, nonce and PKCE verifier, seals them into a short-lived cookie
// scoped to the callback path, and on return opens the cookie the returned
// state names, checks it in constant time and consumes it once.
type StateKeeper struct {
	Sealer Sealer
	Clock  admit.Clock
	Random io.Reader // crypto randomness; crypto/rand when nil
	Ledger Ledger    // single use; an in-memory ledger when nil
	TTL    time.Duration
	// CookiePath is the callback's path (the cookie goes nowhere else).
	CookiePath string
	// Secure marks the cookie Secure (true in production, over https).
	Secure       bool
	CookiePrefix string

	once sync.Once
}

// Flow is one sign-in in progress, as the sealed cookie holds it.
type Flow struct {
	// Key names what started the sign-in for the application (an account
	// ID, say), so the callback picks the right provider.
	Key      string `json:"k"`
	Issuer   string `json:"i"`
	ClientID string `json:"c"`
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
	Expires  int64  `json:"e"` // unix seconds
}

func (k *StateKeeper) init() {
	k.once.Do(func() {
		if k.Random == nil {
			k.Random = rand.Reader
		}
		if k.Ledger == nil {
			k.Ledger = NewMemoryLedger(k.Clock)
		}
		if k.TTL <= 0 {
			k.TTL = DefaultStateTTL
		}
		if k.CookiePrefix == "" {
			k.CookiePrefix = DefaultCookiePrefix
		}
		if k.CookiePath == "" {
			k.CookiePath = "/"
		}
	})
}

// random returns n random bytes as unpadded base64url.
func (k *StateKeeper) random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(k.Random, b); err != nil {
		return "", fmt.Errorf("oidc: reading randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// cookieName is the name of the cookie of a state: the first 16 characters
// name it (96 bits, public: the full state is checked inside the seal).
func (k *StateKeeper) cookieName(state string) string {
	if len(state) > 16 {
		state = state[:16]
	}
	return k.CookiePrefix + "_" + state
}

func (k *StateKeeper) ad(name string) []byte { return []byte("admit/oidc/state\x00" + name) }

// Start draws a new flow for key at the given provider, sets its sealed
// cookie on w and returns it. returnTo must be a local path ("/..."); any
// other value becomes "/".
func (k *StateKeeper) Start(w http.ResponseWriter, key, issuer, clientID, returnTo string) (*Flow, error) {
	k.init()
	f := &Flow{Key: key, Issuer: issuer, ClientID: clientID, ReturnTo: LocalPath(returnTo),
		Expires: k.Clock.Now().Add(k.TTL).Unix()}
	var err error
	if f.State, err = k.random(32); err != nil {
		return nil, err
	}
	if f.Nonce, err = k.random(32); err != nil {
		return nil, err
	}
	if f.Verifier, err = k.random(32); err != nil { // 43 characters: RFC 7636's minimum
		return nil, err
	}
	plain, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	name := k.cookieName(f.State)
	sealed, err := k.Sealer.Seal(plain, k.ad(name))
	if err != nil {
		return nil, fmt.Errorf("oidc: sealing state: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    base64.RawURLEncoding.EncodeToString(sealed),
		Path:     k.CookiePath,
		MaxAge:   int(k.TTL / time.Second),
		HttpOnly: true,
		Secure:   k.Secure,
		// Lax: the provider's redirect back is a cross-site top-level GET,
		// which Strict would strip of the cookie.
		SameSite: http.SameSiteLaxMode,
	})
	return f, nil
}

// Consume finds the flow the request's state names, clears its cookie on w
// and checks it: sealed by us for this name, unexpired, the same state (in
// constant time), and used for the first time. Refusals are
// *admit.SignInError with reason bad_state or state_reused.
func (k *StateKeeper) Consume(w http.ResponseWriter, r *http.Request) (*Flow, error) {
	k.init()
	state := r.URL.Query().Get("state")
	if state == "" || len(state) > 256 {
		return nil, refuse(admit.SignInBadState, errors.New("no state in the callback"))
	}
	name := k.cookieName(state)
	c, err := r.Cookie(name)
	if err != nil {
		return nil, refuse(admit.SignInBadState, errors.New("no state cookie for this state"))
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: k.CookiePath, MaxAge: -1,
		HttpOnly: true, Secure: k.Secure, SameSite: http.SameSiteLaxMode})
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil, refuse(admit.SignInBadState, errors.New("state cookie is not base64url"))
	}
	plain, err := k.Sealer.Open(sealed, k.ad(name))
	if err != nil {
		return nil, refuse(admit.SignInBadState, errors.New("state cookie does not open"))
	}
	var f Flow
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, refuse(admit.SignInBadState, errors.New("state cookie holds no flow"))
	}
	if subtle.ConstantTimeCompare([]byte(f.State), []byte(state)) != 1 {
		return nil, refuse(admit.SignInBadState, errors.New("state does not match the cookie's"))
	}
	expires := time.Unix(f.Expires, 0)
	if !k.Clock.Now().Before(expires) {
		return nil, refuse(admit.SignInBadState, errors.New("state expired"))
	}
	sum := sha256.Sum256([]byte(f.State))
	if !k.Ledger.Consume(hex.EncodeToString(sum[:]), expires) {
		return nil, refuse(admit.SignInStateReused, errors.New("state already used"))
	}
	return &f, nil
}

// LocalPath returns p when it is a path on this site ("/..." but not
// "//host" or "/\host"), else "/": a sign-in never redirects elsewhere.
func LocalPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n\x00") {
		return "/"
	}
	return p
}

// MemoryLedger is an in-memory Ledger. A state outlives neither its expiry
// nor the process: an application on several instances needs a shared
// ledger (or sticky callbacks) for single use across instances.
type MemoryLedger struct {
	clock admit.Clock
	mu    sync.Mutex
	used  map[string]time.Time
}

// NewMemoryLedger returns an empty MemoryLedger on clock.
func NewMemoryLedger(clock admit.Clock) *MemoryLedger {
	return &MemoryLedger{clock: clock, used: map[string]time.Time{}}
}

// Consume implements Ledger; it also forgets entries past their expiry.
func (l *MemoryLedger) Consume(id string, until time.Time) bool {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, t := range l.used {
		if !now.Before(t) {
			delete(l.used, k)
		}
	}
	if _, ok := l.used[id]; ok {
		return false
	}
	l.used[id] = until
	return true
}

func refuse(reason admit.SignInReason, err error) error {
	return &admit.SignInError{Reason: reason, Err: err}
}
