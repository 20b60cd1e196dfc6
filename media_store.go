package admit

import (
	"context"
	"strconv"
	"time"
)

// StoredMediaBackend is an account's media backend as the store keeps it:
// the settings that are not secret as JSON, and the one secret sealed.
type StoredMediaBackend struct {
	AccountID int64
	Kind      MediaKind
	// Settings is the JSON of the account's MediaConfig with its secret
	// blanked.
	Settings []byte
	// SecretSealed is the backend's secret (LiveKit's API secret, Jitsi's
	// app secret, BigBlueButton's shared secret), sealed with the Keyring
	// with additional data MediaSecretAD(AccountID).
	SecretSealed []byte
	// TokenTTL is the configured grant lifetime; 0 means the default.
	TokenTTL  time.Duration
	UpdatedAt time.Time
}

// SealedMediaSecret is the SealedValue kind of an account's media server
// secret (RowPK the account's id), which key rotation seals again too.
const SealedMediaSecret = "media_secret"

// MediaSecretAD is the additional data an account's media secret is sealed
// with, so that a sealed secret cannot be moved to another account.
func MediaSecretAD(accountID int64) []byte {
	return []byte("media-backend:" + strconv.FormatInt(accountID, 10))
}

// MediaConnection is one connection of an identity to an occurrence's media
// room, as the media server reported it.
type MediaConnection struct {
	OccurrencePK int64
	// ParticipantPK is the participant the identity belongs to; 0 for the
	// host or an identity admit does not know.
	ParticipantPK int64
	Identity      string
	ConnectedAt   time.Time
	LeftAt        *time.Time
}

// MediaStore keeps media backends and media presence.
type MediaStore interface {
	// PutMediaBackend saves b as its account's media backend, replacing any
	// earlier one, and sets b.UpdatedAt.
	PutMediaBackend(ctx context.Context, b *StoredMediaBackend) error
	// FindMediaBackend returns the account's media backend. ENOTFOUND.
	FindMediaBackend(ctx context.Context, accountID int64) (*StoredMediaBackend, error)
	// DeleteMediaBackend removes the account's media backend. ENOTFOUND.
	DeleteMediaBackend(ctx context.Context, accountID int64) error
	// RecordMediaEvent takes a media event once: a joined event opens a
	// connection for c (Identity, OccurrencePK, ParticipantPK, ConnectedAt
	// the event's time), a left event closes the identity's open connection
	// (LeftAt the event's time). It returns false, changing nothing, when an
	// event with eventID was taken before.
	RecordMediaEvent(ctx context.Context, eventID, kind string, c *MediaConnection) (bool, error)
	// FindMediaConnections returns the occurrence's connections, oldest
	// first.
	FindMediaConnections(ctx context.Context, occurrencePK int64) ([]*MediaConnection, error)
}
