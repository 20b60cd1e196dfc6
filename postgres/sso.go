package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
)

var _ admit.SSOStore = (*DB)(nil)

// FindIdentityProvider returns the account's provider. ENOTFOUND.
func (db *DB) FindIdentityProvider(ctx context.Context, accountID int64) (*admit.StoredIdentityProvider, error) {
	var p admit.StoredIdentityProvider
	var domains, mappings, role string
	var updated int64
	err := db.pool.QueryRow(ctx, `SELECT account_id, name, issuer, client_id, client_secret, allowed_domains,
		role_claim, role_mappings, default_role, sso_only, updated_at FROM identity_providers WHERE account_id = $1`, accountID).
		Scan(&p.AccountID, &p.Name, &p.Issuer, &p.ClientID, &p.SealedSecret, &domains, &p.RoleClaim, &mappings, &role, &p.SSOOnly, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("identity provider")
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(domains), &p.AllowedDomains); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(mappings), &p.RoleMappings); err != nil {
		return nil, err
	}
	p.DefaultRole, p.UpdatedAt = admit.Role(role), fromNanos(updated)
	return &p, nil
}

// PutIdentityProvider creates or replaces the account's provider.
func (db *DB) PutIdentityProvider(ctx context.Context, p *admit.StoredIdentityProvider) error {
	domains, err := json.Marshal(p.AllowedDomains)
	if err != nil {
		return err
	}
	mappings, err := json.Marshal(p.RoleMappings)
	if err != nil {
		return err
	}
	if p.RoleMappings == nil {
		mappings = []byte("[]")
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO identity_providers (account_id, name, issuer, client_id, client_secret,
		allowed_domains, role_claim, role_mappings, default_role, sso_only, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, issuer = excluded.issuer,
		client_id = excluded.client_id, client_secret = excluded.client_secret,
		allowed_domains = excluded.allowed_domains, role_claim = excluded.role_claim,
		role_mappings = excluded.role_mappings, default_role = excluded.default_role,
		sso_only = excluded.sso_only, updated_at = excluded.updated_at`,
		p.AccountID, p.Name, p.Issuer, p.ClientID, p.SealedSecret, string(domains), p.RoleClaim, string(mappings),
		string(p.DefaultRole), p.SSOOnly, nanos(p.UpdatedAt))
	return err
}

// DeleteIdentityProvider removes the account's provider and its users'
// links to its issuer. ENOTFOUND.
func (db *DB) DeleteIdentityProvider(ctx context.Context, accountID int64) error {
	return db.write(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		var issuer string
		err := tx.QueryRow(ctx, `DELETE FROM identity_providers WHERE account_id = $1 RETURNING issuer`, accountID).Scan(&issuer)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("identity provider")
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM user_identities WHERE account_id = $1 AND issuer = $2`, accountID, issuer)
		return err
	})
}

// FindUserIdentity returns the link of the subject at issuer in the
// account. ENOTFOUND.
func (db *DB) FindUserIdentity(ctx context.Context, accountID int64, issuer, subject string) (*admit.ExternalIdentity, error) {
	id := admit.ExternalIdentity{Issuer: issuer, Subject: subject}
	err := db.pool.QueryRow(ctx, `SELECT user_id FROM user_identities WHERE account_id = $1 AND issuer = $2 AND subject = $3`,
		accountID, issuer, subject).Scan(&id.UserID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user identity")
	}
	return &id, err
}

// FindIdentityOfUser returns the user's link at issuer. ENOTFOUND.
func (db *DB) FindIdentityOfUser(ctx context.Context, userID int64, issuer string) (*admit.ExternalIdentity, error) {
	id := admit.ExternalIdentity{UserID: userID, Issuer: issuer}
	err := db.pool.QueryRow(ctx, `SELECT subject FROM user_identities WHERE user_id = $1 AND issuer = $2`,
		userID, issuer).Scan(&id.Subject)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user identity")
	}
	return &id, err
}

// LinkUserIdentity links the user to the subject. ECONFLICT when either is
// linked otherwise already.
func (db *DB) LinkUserIdentity(ctx context.Context, accountID int64, id *admit.ExternalIdentity, at time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO user_identities (account_id, issuer, subject, user_id, created_at)
		VALUES ($1, $2, $3, $4, $5)`, accountID, id.Issuer, id.Subject, id.UserID, nanos(at))
	if isUnique(err) {
		return admit.Errorf(admit.ECONFLICT, "This sign-in is linked to another user.")
	}
	return err
}

// SetSessionIDToken stores the sealed ID token of a session. ENOTFOUND.
func (db *DB) SetSessionIDToken(ctx context.Context, sessionID int64, sealed []byte) error {
	tag, err := db.pool.Exec(ctx, `UPDATE sessions SET idp_id_token = $1 WHERE id = $2`, sealed, sessionID)
	return mustAffect(tag, err, "session")
}

// FindSessionIDToken returns the session's sealed ID token (nil for a
// password session). ENOTFOUND.
func (db *DB) FindSessionIDToken(ctx context.Context, sessionID int64) ([]byte, error) {
	var sealed []byte
	err := db.pool.QueryRow(ctx, `SELECT idp_id_token FROM sessions WHERE id = $1`, sessionID).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("session")
	}
	return sealed, err
}
