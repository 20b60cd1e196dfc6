package jitsi

import (
	"context"
	"net/url"
	"strings"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/admit-project/admit"
)

// DefaultAudience is the aud claim when the configuration sets none; it is
// prosody's default for token authentication.
const DefaultAudience = "jitsi"

// Backend is a Jitsi Meet deployment as admit's media backend.
type Backend struct {
	cfg admit.JitsiConfig
	// Now returns the current time; tokens' nbf and exp follow it.
	Now func() time.Time
}

var _ admit.MediaBackend = (*Backend)(nil)

// New returns a backend for cfg. EINVALID when cfg is not valid.
func New(cfg admit.JitsiConfig) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	return &Backend{cfg: cfg, Now: time.Now}, nil
}

// Kind returns admit.MediaJitsi.
func (b *Backend) Kind() admit.MediaKind { return admit.MediaJitsi }

// User is context.user of a token: who the participant is, as Jitsi Meet
// shows them.
type User struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email,omitempty"`
	Moderator bool   `json:"moderator,omitempty"`
}

// Context is the context claim of a token.
type Context struct {
	User User `json:"user"`
}

// Claims are the claims of a token for prosody's token plugin.
type Claims struct {
	gojwt.RegisteredClaims
	// Room is the one room the token opens (lower case, as Jitsi names
	// rooms).
	Room    string  `json:"room"`
	Context Context `json:"context"`
	// Moderator makes the holder a moderator (read by the token moderation
	// module; context.user.moderator says the same for deployments that
	// read it there).
	Moderator bool `json:"moderator,omitempty"`
}

// Grant returns a token and page URL for p to join room.
func (b *Backend) Grant(_ context.Context, room admit.MediaRoom, p admit.MediaParticipant, ttl time.Duration) (*admit.MediaGrant, error) {
	return b.grant(room, p, ttl)
}

// Start returns the host's token and page URL, as a moderator.
func (b *Backend) Start(_ context.Context, room admit.MediaRoom, host admit.MediaParticipant, ttl time.Duration) (*admit.MediaGrant, error) {
	host.Host = true
	return b.grant(room, host, ttl)
}

func (b *Backend) grant(room admit.MediaRoom, p admit.MediaParticipant, ttl time.Duration) (*admit.MediaGrant, error) {
	if room.Name == "" {
		return nil, admit.FieldErrorf("room", "The media room is required.")
	}
	if p.Identity == "" {
		return nil, admit.FieldErrorf("identity", "The participant's media identity is required.")
	}
	if ttl <= 0 {
		ttl = admit.DefaultMediaTokenTTL
	}
	now := b.Now()
	name := RoomName(room.Name)
	sub := b.cfg.Domain
	if b.cfg.Tenant != "" {
		sub = b.cfg.Tenant
	}
	claims := Claims{
		RegisteredClaims: gojwt.RegisteredClaims{
			Issuer:    b.cfg.AppID,
			Subject:   sub,
			Audience:  gojwt.ClaimStrings{b.cfg.Audience},
			IssuedAt:  gojwt.NewNumericDate(now),
			NotBefore: gojwt.NewNumericDate(now.Add(-10 * time.Second)),
			ExpiresAt: gojwt.NewNumericDate(now.Add(ttl)),
		},
		Room:      name,
		Context:   Context{User: User{ID: p.Identity, Name: p.Name, Email: p.Email, Moderator: p.Host}},
		Moderator: p.Host,
	}
	tok, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, claims).SignedString([]byte(b.cfg.AppSecret))
	if err != nil {
		return nil, err
	}
	page := b.PageURL(room.Name)
	return &admit.MediaGrant{
		Backend:   admit.MediaJitsi,
		URL:       page,
		Room:      name,
		Identity:  p.Identity,
		Token:     tok,
		JoinURL:   page + "?jwt=" + url.QueryEscape(tok),
		ExpiresAt: now.Add(ttl),
	}, nil
}

// RoomName is the name Jitsi gives room: Jitsi Meet lower-cases room names.
func RoomName(room string) string { return strings.ToLower(room) }

// PageURL returns the Jitsi Meet page of room, without a token.
func (b *Backend) PageURL(room string) string {
	u := url.URL{Scheme: "https", Host: b.cfg.Domain, Path: "/" + RoomName(room)}
	if b.cfg.Tenant != "" {
		u.Path = "/" + b.cfg.Tenant + u.Path
	}
	return u.String()
}

// Verify parses token as prosody's token plugin would with this backend's
// secret, at now: HS256, issuer the app ID, audience as configured. It is
// for tests and for checking a deployment's settings.
func (b *Backend) Verify(token string, now time.Time) (*Claims, error) {
	var c Claims
	_, err := gojwt.ParseWithClaims(token, &c, func(*gojwt.Token) (any, error) { return []byte(b.cfg.AppSecret), nil },
		gojwt.WithValidMethods([]string{"HS256"}), gojwt.WithIssuer(b.cfg.AppID), gojwt.WithAudience(b.cfg.Audience),
		gojwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

var errUnsupported = &admit.Error{Code: admit.EUNSUPPORTED,
	Message: "Jitsi Meet has no API for this; admission rests on short-lived tokens."}

// Remove returns EUNSUPPORTED: Jitsi Meet has no server API to remove a
// participant. A removed participant's token expires within the configured
// lifetime and admit issues no other.
func (b *Backend) Remove(context.Context, string, string) error { return errUnsupported }

// End returns EUNSUPPORTED: Jitsi Meet has no server API to end a room.
func (b *Backend) End(context.Context, string) error { return errUnsupported }

// Presence returns EUNSUPPORTED: Jitsi Meet has no server API to list who
// is connected.
func (b *Backend) Presence(context.Context, string) ([]admit.MediaPresence, error) {
	return nil, errUnsupported
}
