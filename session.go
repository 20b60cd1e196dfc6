package admit

import (
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"
)

// PasswordHasher hashes and checks passwords (argon2id PHC strings, in
// package password). The root package never sees how.
type PasswordHasher interface {
	// Hash returns the hash of password under a fresh salt.
	Hash(password string) (string, error)
	// Verify reports whether password matches hash, in constant time.
	Verify(hash, password string) (bool, error)
}

// Web sign-in limits.
const (
	// SessionLifetime is a session's absolute expiry: it never outlives it.
	SessionLifetime = 12 * time.Hour
	// SessionIdle ends a session nobody used for this long.
	SessionIdle = 2 * time.Hour
	// SetupLinkLifetime is how long the first start's set-up link works.
	SetupLinkLifetime = 24 * time.Hour
	// InviteLinkLifetime is how long an invitation link works.
	InviteLinkLifetime = 7 * 24 * time.Hour
	// MinPasswordLength and MaxPasswordLength bound passwords (in
	// characters and bytes).
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// SignInFailed is the one message of a failed sign-in, whether the email is
// unknown or the password wrong.
const SignInFailed = "Wrong email or password."

// WebSession is a signed-in browser: its user and session. Cookie is set
// only when the session was just made (the value is never stored).
type WebSession struct {
	Cookie  string
	Session *Session
	User    *User
}

// Actor returns the session's user as an actor from source. A session
// carries every scope, as the CLI does.
func (w *WebSession) Actor(source string) *Actor {
	return &Actor{User: w.User, Source: source}
}

// CSRFToken returns the token the session's forms carry.
func (w *WebSession) CSRFToken() string {
	return base64.RawURLEncoding.EncodeToString(w.Session.CSRF)
}

// CheckCSRF reports whether token is the session's CSRF token, in
// constant time.
func (w *WebSession) CheckCSRF(token string) bool {
	got, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(w.Session.CSRF) > 0 && subtle.ConstantTimeCompare(got, w.Session.CSRF) == 1
}

// ValidatePassword checks a new password: from MinPasswordLength
// characters to MaxPasswordLength bytes, not one repeated character or a
// sequence, not a common password, and not the email address. field names
// the input in errors (EINVALID).
func ValidatePassword(field, password, email string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return FieldErrorf(field, "the password must have at least %d characters", MinPasswordLength)
	}
	if len(password) > MaxPasswordLength {
		return FieldErrorf(field, "the password may have at most %d bytes", MaxPasswordLength)
	}
	if !utf8.ValidString(password) {
		return FieldErrorf(field, "the password is not valid text")
	}
	l := strings.ToLower(password)
	if email != "" && strings.Contains(l, strings.ToLower(email)) {
		return FieldErrorf(field, "the password may not contain the email address")
	}
	if why := WeakPasscode(password); why != "" {
		return FieldErrorf(field, "the password is too easy to guess: %s", why)
	}
	for _, w := range []string{"password", "qwerty", "letmein", "welcome", "123456", "admit"} {
		if strings.Contains(l, w) && len(l)-len(w) < 6 {
			return FieldErrorf(field, "the password is too easy to guess: it is built on %q", w)
		}
	}
	return nil
}

// SetupInput is the owner's account as the set-up form gives it.
type SetupInput struct {
	Name, Email, Password, PasswordConfirm string
}

// Invitation is an invited user and the one-time link that lets them set a
// password (shown to the inviter until email sending exists).
type Invitation struct {
	User *User
	Link string
}
