package admit

import "context"

// SSOService is single sign-on as the edges use it: the account's identity
// provider settings (owners and admins), and the sign-in of a person the
// provider vouched for (package oidc verifies the provider's answer and
// hands over the admit.VerifiedIdentity).
type SSOService interface {
	// DefaultIdentityProvider returns the default account's provider, the
	// one the sign-in page offers, its client secret opened. ENOTFOUND.
	DefaultIdentityProvider(ctx context.Context) (*IdentityProvider, error)
	// IdentityProvider returns the account's provider, its client secret
	// opened (for the relying party only). ENOTFOUND.
	IdentityProvider(ctx context.Context, accountID int64) (*IdentityProvider, error)
	// ProviderSettings returns the actor's account's provider without its
	// secret, and whether a secret is set. EFORBIDDEN unless owner or
	// admin; ENOTFOUND.
	ProviderSettings(ctx context.Context, a *Actor) (*IdentityProvider, bool, error)
	// SetIdentityProvider validates and stores the actor's account's
	// provider, the secret sealed; keepSecret keeps the stored secret when
	// p's is empty. EFORBIDDEN; EINVALID naming the field.
	SetIdentityProvider(ctx context.Context, a *Actor, p *IdentityProvider, keepSecret bool) (*IdentityProvider, error)
	// DeleteIdentityProvider disconnects the actor's account's provider.
	// EFORBIDDEN; ENOTFOUND.
	DeleteIdentityProvider(ctx context.Context, a *Actor) error
	// SignInWithIdentity provisions (creates or updates) the user the
	// identity belongs to and makes a session; a refusal is a
	// *SignInError, uniform to the person and audited with its reason.
	SignInWithIdentity(ctx context.Context, accountID int64, id *VerifiedIdentity, idToken, source string) (*WebSession, error)
	// RecordRefusedSignIn audits a sign-in the relying party refused.
	RecordRefusedSignIn(ctx context.Context, accountID int64, err error, source string)
	// SessionIDToken returns the ID token the session signed in with ("" for
	// a password session), for the provider's logout.
	SessionIDToken(ctx context.Context, w *WebSession) (string, error)
	// PasswordAllowed reports whether u may sign in with a password (not
	// under "SSO only", except the owner).
	PasswordAllowed(ctx context.Context, u *User) (bool, error)
}
