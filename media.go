package admit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MediaKind names a media backend: the conferencing server an admitted
// participant is sent to.
type MediaKind string

// Media backends.
const (
	MediaLiveKit       MediaKind = "livekit"
	MediaJitsi         MediaKind = "jitsi"
	MediaBigBlueButton MediaKind = "bbb"
)

// Valid reports whether k is a known media backend.
func (k MediaKind) Valid() bool {
	switch k {
	case MediaLiveKit, MediaJitsi, MediaBigBlueButton:
		return true
	}
	return false
}

// DefaultMediaTokenTTL is how long a media token or join URL stays valid. It
// is only needed to connect, so it is short: a participant who is removed
// cannot come back with the token they had once it has expired, and a client
// asks admit for a fresh one (which admit refuses once they are no longer
// admitted).
const DefaultMediaTokenTTL = 2 * time.Minute

// MaxMediaTokenTTL bounds the configurable token lifetime.
const MaxMediaTokenTTL = 15 * time.Minute

// MediaRoomName returns the name of the media room of occurrence index of the
// meeting whose public ID is meetingID. Each occurrence has its own room, so a
// token or join URL for one occurrence never opens the next one.
func MediaRoomName(meetingID string, occurrence int) string {
	return meetingID + "-" + strconv.Itoa(occurrence)
}

// MediaIdentity returns the identity a participant has in the media room.
// The participant ID is a bearer credential (it reads the participant's
// status and fetches tokens), and other participants see identities, so the
// identity is a one-way digest of it, not the ID itself.
func MediaIdentity(participantID string) string {
	sum := sha256.Sum256([]byte("admit media identity\x00" + participantID))
	return "p" + hex.EncodeToString(sum[:12])
}

// MediaHostIdentity returns the identity of the user with userID when they
// join a room as its host. It starts with "h", where participants' start
// with "p", so that the media side can tell hosts from participants.
func MediaHostIdentity(userID int64) string {
	sum := sha256.Sum256([]byte("admit media host\x00" + strconv.FormatInt(userID, 10)))
	return "h" + hex.EncodeToString(sum[:12])
}

// ParseMediaRoomName splits a name made by MediaRoomName into the meeting's
// public ID and the occurrence index; ok is false for any other name.
func ParseMediaRoomName(name string) (meetingID string, occurrence int, ok bool) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 1 || strconv.Itoa(n) != name[i+1:] {
		return "", 0, false
	}
	return name[:i], n, true
}

// MediaRoom is the media room of one occurrence.
type MediaRoom struct {
	// Name is MediaRoomName of the occurrence.
	Name string
	// Title is shown by backends that display one (the meeting's topic).
	Title string
}

// MediaParticipant is who a media grant is for.
type MediaParticipant struct {
	// Identity is MediaIdentity of the participant's ID (or of the host's
	// user ID for the host).
	Identity string
	// Name is the display name as admit gave it, "Name (2)" included.
	Name string
	// Email is set for invitees and hosts whose address admit knows.
	Email string
	// Host marks the room's host: a room admin (LiveKit), moderator (Jitsi,
	// BigBlueButton).
	Host bool
}

// MediaGrant is what a client needs to connect to a media room.
type MediaGrant struct {
	// Backend is the kind of media server.
	Backend MediaKind `json:"backend"`
	// URL is the server a client SDK connects to (LiveKit's wss:// URL), or
	// the page to open (Jitsi, BigBlueButton) when JoinURL is set.
	URL string `json:"url"`
	// Room is the media room's name.
	Room string `json:"room"`
	// Identity is the participant's identity in the room.
	Identity string `json:"identity"`
	// Token is the access token for URL (LiveKit, Jitsi).
	Token string `json:"token,omitempty"`
	// JoinURL is a complete URL to open in a browser (Jitsi, BigBlueButton);
	// it carries the credential, so it is as secret as Token.
	JoinURL string `json:"join_url,omitempty"`
	// ExpiresAt is when Token or JoinURL stops letting anyone connect; zero
	// when the backend's credential has no expiry of its own (a
	// BigBlueButton join URL works while that instance of the meeting runs).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// MediaPresence is one participant connected to a media room.
type MediaPresence struct {
	Identity string
	Name     string
	// JoinedAt is when they connected, when the backend says so.
	JoinedAt time.Time
}

// Media event kinds, as a backend's webhook reports them.
const (
	MediaEventJoined       = "participant_joined"
	MediaEventLeft         = "participant_left"
	MediaEventRoomStarted  = "room_started"
	MediaEventRoomFinished = "room_finished"
)

// MediaEvent is something the media server reports about a room: a
// participant connected or left, a room started or finished.
type MediaEvent struct {
	// ID is the backend's event ID, for deduplication.
	ID       string
	Kind     string
	Room     string
	Identity string // for participant events
	Name     string // for participant events
	At       time.Time
}

// MediaBackend is a conferencing server that admit admits participants to.
// Implementations (livekit, jitsi, bbb) enforce admission in the media: a
// grant is short-lived, names one occurrence's room, and is only issued to
// admitted participants; removal and ending take effect in the media at once
// where the backend allows it.
//
// Errors: EINVALID for a bad argument; EUNSUPPORTED when the backend has no
// way to do what was asked (Jitsi has no API to remove a participant);
// EMEDIA when the media server refused or could not be reached.
type MediaBackend interface {
	// Kind returns the backend's kind.
	Kind() MediaKind
	// Grant returns what participant p needs to join room, valid until
	// now+ttl (the backend's default when ttl is 0).
	Grant(ctx context.Context, room MediaRoom, p MediaParticipant, ttl time.Duration) (*MediaGrant, error)
	// Start opens room (creating it where the backend needs that) and
	// returns the host's grant, with admin rights in the room.
	Start(ctx context.Context, room MediaRoom, host MediaParticipant, ttl time.Duration) (*MediaGrant, error)
	// Remove disconnects the participant with identity from room. Removing
	// someone who is not connected is not an error.
	Remove(ctx context.Context, room, identity string) error
	// End closes room for everyone. Ending a room that is not open is not an
	// error.
	End(ctx context.Context, room string) error
	// Presence lists who is connected to room now.
	Presence(ctx context.Context, room string) ([]MediaPresence, error)
}

// Media error codes, in addition to the codes of Error.
const (
	EUNSUPPORTED = "unsupported"  // the media backend cannot do this
	EMEDIA       = "media_failed" // the media server refused or is unreachable
)

// LiveKitConfig connects admit to a LiveKit server.
type LiveKitConfig struct {
	// URL is the server's address as clients reach it (wss:// or https://).
	URL string `json:"url"`
	// APIURL is where admit reaches the server's API, when it differs from
	// URL (an internal address); empty means URL.
	APIURL string `json:"api_url,omitempty"`
	APIKey string `json:"api_key"`
	// APISecret is write-only: given to set it, never shown.
	APISecret string `json:"api_secret,omitempty"`
}

// Validate names the field at fault. EINVALID.
func (c *LiveKitConfig) Validate() error {
	if err := validateServerURL("url", c.URL, "ws", "wss", "http", "https"); err != nil {
		return err
	}
	if c.APIURL != "" {
		if err := validateServerURL("api_url", c.APIURL, "http", "https", "ws", "wss"); err != nil {
			return err
		}
	}
	if strings.TrimSpace(c.APIKey) == "" || strings.ContainsAny(c.APIKey, " \t\r\n") {
		return FieldErrorf("api_key", "The LiveKit API key is required and has no spaces.")
	}
	if len(c.APISecret) < 6 {
		return FieldErrorf("api_secret", "The LiveKit API secret is required.")
	}
	return nil
}

// JitsiConfig connects admit to a Jitsi Meet deployment that uses prosody's
// token authentication (mod_auth_token).
type JitsiConfig struct {
	// Domain is the Jitsi Meet host name ("meet.example.org").
	Domain string `json:"domain"`
	// AppID is prosody's app_id: the token's issuer.
	AppID string `json:"app_id"`
	// AppSecret is prosody's app_secret: the HS256 key.
	AppSecret string `json:"app_secret,omitempty"`
	// Tenant, when set, puts rooms under https://DOMAIN/TENANT/ and is the
	// token's subject; otherwise the subject is Domain.
	Tenant string `json:"tenant,omitempty"`
	// Audience is the token's aud claim; empty means "jitsi".
	Audience string `json:"audience,omitempty"`
}

// Validate names the field at fault. EINVALID.
func (c *JitsiConfig) Validate() error {
	if c.Domain == "" || strings.ContainsAny(c.Domain, "/?#@ \t") {
		return FieldErrorf("domain", "The Jitsi domain is a host name, like meet.example.org.")
	}
	if strings.TrimSpace(c.AppID) == "" {
		return FieldErrorf("app_id", "The Jitsi app ID is required.")
	}
	if len(c.AppSecret) < 16 {
		return FieldErrorf("app_secret", "The Jitsi app secret needs at least 16 characters.")
	}
	if c.Tenant != "" && strings.ContainsAny(c.Tenant, "/?#@ \t") {
		return FieldErrorf("tenant", "The Jitsi tenant is one path segment.")
	}
	return nil
}

// BigBlueButton checksum algorithms.
const (
	ChecksumSHA1   = "sha1"
	ChecksumSHA256 = "sha256"
	ChecksumSHA384 = "sha384"
	ChecksumSHA512 = "sha512"
)

// BigBlueButtonConfig connects admit to a BigBlueButton server's API.
type BigBlueButtonConfig struct {
	// APIURL is the API's base ("https://bbb.example.org/bigbluebutton/api/").
	APIURL string `json:"api_url"`
	// Secret is the shared secret (bbb-conf --secret).
	Secret string `json:"secret,omitempty"`
	// Checksum is the checksum algorithm; empty means sha256.
	Checksum string `json:"checksum,omitempty"`
}

// Validate names the field at fault. EINVALID.
func (c *BigBlueButtonConfig) Validate() error {
	if err := validateServerURL("api_url", c.APIURL, "http", "https"); err != nil {
		return err
	}
	if len(c.Secret) < 16 {
		return FieldErrorf("secret", "The BigBlueButton shared secret needs at least 16 characters.")
	}
	switch c.Checksum {
	case "", ChecksumSHA1, ChecksumSHA256, ChecksumSHA384, ChecksumSHA512:
	default:
		return FieldErrorf("checksum", "The checksum algorithm is one of sha1, sha256, sha384, sha512.")
	}
	return nil
}

// MediaConfig is an account's media backend: its kind and the one
// configuration that goes with it. The secrets (API secret, app secret,
// shared secret) are write-only: plain in memory only, sealed in the store
// and blank whenever a configuration is shown.
type MediaConfig struct {
	Kind          MediaKind            `json:"backend"`
	LiveKit       *LiveKitConfig       `json:"livekit,omitempty"`
	Jitsi         *JitsiConfig         `json:"jitsi,omitempty"`
	BigBlueButton *BigBlueButtonConfig `json:"bbb,omitempty"`
	// TokenTTL is how long grants stay valid; 0 means DefaultMediaTokenTTL.
	TokenTTL time.Duration `json:"-"`
}

// Validate checks the kind and its configuration. EINVALID.
func (c *MediaConfig) Validate() error {
	if c.TokenTTL < 0 || c.TokenTTL > MaxMediaTokenTTL {
		return FieldErrorf("token_ttl", "The token lifetime is between 0 and %s.", MaxMediaTokenTTL)
	}
	switch c.Kind {
	case MediaLiveKit:
		if c.LiveKit == nil {
			return FieldErrorf("livekit", "The LiveKit settings are required.")
		}
		return c.LiveKit.Validate()
	case MediaJitsi:
		if c.Jitsi == nil {
			return FieldErrorf("jitsi", "The Jitsi settings are required.")
		}
		return c.Jitsi.Validate()
	case MediaBigBlueButton:
		if c.BigBlueButton == nil {
			return FieldErrorf("bbb", "The BigBlueButton settings are required.")
		}
		return c.BigBlueButton.Validate()
	}
	return FieldErrorf("backend", "The media backend is one of livekit, jitsi, bbb.")
}

// TTL returns the configured token lifetime, or DefaultMediaTokenTTL.
func (c *MediaConfig) TTL() time.Duration {
	if c.TokenTTL <= 0 {
		return DefaultMediaTokenTTL
	}
	return c.TokenTTL
}

func validateServerURL(field, raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return FieldErrorf(field, "The server address is a URL like https://media.example.org.")
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return nil
		}
	}
	return FieldErrorf(field, "The server address starts with one of %s://.", strings.Join(schemes, "://, "))
}

// MediaWebhookReceiver is a media backend that verifies and reads its
// server's webhooks (LiveKit). ReceiveWebhook returns nil, nil for an event
// admit does not use; EUNAUTHORIZED when the signature does not verify.
type MediaWebhookReceiver interface {
	ReceiveWebhook(r *http.Request) (*MediaEvent, error)
}

// MediaService is the media side of the service: the account's media
// backend, grants for admitted participants and hosts, and the media
// server's webhooks.
type MediaService interface {
	// MediaSettings returns the account's media backend without its secret.
	// Owners and admins only (EFORBIDDEN); ENOTFOUND when there is none.
	MediaSettings(ctx context.Context, a *Actor) (*MediaConfig, error)
	// SetMediaSettings saves the account's media backend, its secret sealed
	// (an empty secret keeps the stored one of the same kind), and returns
	// it without the secret. Owners and admins only (EFORBIDDEN); EINVALID
	// names the field at fault.
	SetMediaSettings(ctx context.Context, a *Actor, cfg *MediaConfig) (*MediaConfig, error)
	// DeleteMediaSettings removes the account's media backend. Owners and
	// admins only (EFORBIDDEN); ENOTFOUND.
	DeleteMediaSettings(ctx context.Context, a *Actor) error
	// ParticipantMedia returns a fresh grant for the participant with ID
	// pid while they are admitted and the occurrence is open. ENOTFOUND for
	// an unknown participant; ECONFLICT when they are not admitted;
	// EUNSUPPORTED when the account has no media backend.
	ParticipantMedia(ctx context.Context, pid string) (*MediaGrant, error)
	// MediaKind returns the kind of the actor's account's media backend
	// (no secret, nothing else), or "" when it has none: the host pages
	// offer Start only when a room can open. Any user of the account.
	MediaKind(ctx context.Context, a *Actor) MediaKind
	// StartMedia opens occurrence n's room (0: the open one) of meeting id
	// and returns the actor's grant as its host. ENOTFOUND; ECONFLICT when
	// no occurrence is open; EUNSUPPORTED when there is no media backend.
	StartMedia(ctx context.Context, a *Actor, id string, n int) (*MediaGrant, error)
	// MediaWebhook takes a webhook of the account's media server (presence,
	// and enforcement of admission). EUNAUTHORIZED when its signature does
	// not verify; EUNSUPPORTED when the backend sends none.
	MediaWebhook(ctx context.Context, accountID int64, r *http.Request) error
}
