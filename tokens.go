package admit

import (
	"context"
	"time"
)

// TokenService is a user's management of their own API tokens: made with
// scopes and an expiry, listed (never shown again) and revoked. A password
// change or the user's removal revokes them all.
type TokenService interface {
	// IssueAPIToken makes a token for the actor's own user and returns it
	// (shown once) with its record. EINVALID names a bad field; EFORBIDDEN
	// when a read-scope token asks; ECONFLICT at MaxAPITokensPerUser.
	IssueAPIToken(ctx context.Context, a *Actor, in *APITokenInput) (string, *APIToken, error)
	// APITokens lists the actor's own tokens.
	APITokens(ctx context.Context, a *Actor) ([]*APIToken, error)
	// RevokeAPIToken deletes one of the actor's own tokens. ENOTFOUND when
	// they have no such token.
	RevokeAPIToken(ctx context.Context, a *Actor, id int64) error
}

// APITokenInput asks for a new API token.
type APITokenInput struct {
	// Scopes: read, manage or both (default manage).
	Scopes []string `json:"scopes,omitempty"`
	// Name says what the token is for (at most MaxNameLength characters).
	Name string `json:"name,omitempty"`
	// ExpiresIn is the token's life as a Go duration ("720h"); empty for
	// the default of 90 days, at most MaxAPITokenLifetime.
	ExpiresIn string `json:"expires_in,omitempty"`
}

// DefaultAPITokenLifetime is a token's life when its maker gives none.
const DefaultAPITokenLifetime = 90 * 24 * time.Hour
