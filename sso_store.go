package admit

import (
	"context"
	"time"
)

// StoredIdentityProvider is an account's identity provider as a store keeps
// it: the client secret sealed (with the account's ID as associated data),
// never in plaintext. The embedded ClientSecret is empty in and out of the
// store.
type StoredIdentityProvider struct {
	IdentityProvider
	SealedSecret []byte // nil for a public client
}

// SSOStore keeps what single sign-on needs: each account's identity
// provider, the links of users to the provider's subjects, and the ID
// token a session signed in with (sealed, for the provider's logout).
type SSOStore interface {
	// FindIdentityProvider returns the account's provider. ENOTFOUND.
	FindIdentityProvider(ctx context.Context, accountID int64) (*StoredIdentityProvider, error)
	// PutIdentityProvider creates or replaces the account's provider.
	PutIdentityProvider(ctx context.Context, p *StoredIdentityProvider) error
	// DeleteIdentityProvider removes the account's provider and the links
	// of the account's users to its issuer. ENOTFOUND.
	DeleteIdentityProvider(ctx context.Context, accountID int64) error

	// FindUserIdentity returns the link of the subject at issuer in the
	// account. ENOTFOUND.
	FindUserIdentity(ctx context.Context, accountID int64, issuer, subject string) (*ExternalIdentity, error)
	// FindIdentityOfUser returns the user's link at issuer. ENOTFOUND.
	FindIdentityOfUser(ctx context.Context, userID int64, issuer string) (*ExternalIdentity, error)
	// LinkUserIdentity links id.UserID to id.Subject at id.Issuer in the
	// account. ECONFLICT when the subject is linked to another user or the
	// user to another subject at that issuer.
	LinkUserIdentity(ctx context.Context, accountID int64, id *ExternalIdentity, at time.Time) error

	// SetSessionIDToken stores the sealed ID token of a session that
	// signed in with the provider. ENOTFOUND.
	SetSessionIDToken(ctx context.Context, sessionID int64, sealed []byte) error
	// FindSessionIDToken returns it (nil for a password session).
	// ENOTFOUND when there is no such session.
	FindSessionIDToken(ctx context.Context, sessionID int64) ([]byte, error)
}
