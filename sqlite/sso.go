package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/admit-project/admit"
)

var _ admit.SSOStore = (*DB)(nil)

// FindIdentityProvider returns the account's provider. ENOTFOUND.
func (db *DB) FindIdentityProvider(ctx context.Context, accountID int64) (*admit.StoredIdentityProvider, error) {
	var p admit.StoredIdentityProvider
	var domains, mappings, role string
	var ssoOnly bool
	var updated int64
	err := db.rdb.QueryRowContext(ctx, `SELECT account_id, name, issuer, client_id, client_secret, allowed_domains,
		role_claim, role_mappings, default_role, sso_only, updated_at FROM identity_providers WHERE account_id = ?`, accountID).
		Scan(&p.AccountID, &p.Name, &p.Issuer, &p.ClientID, &p.SealedSecret, &domains, &p.RoleClaim, &mappings, &role, &ssoOnly, &updated)
	if errors.Is(err, sql.ErrNoRows) {
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
	p.DefaultRole, p.SSOOnly, p.UpdatedAt = admit.Role(role), ssoOnly, fromNanos(updated)
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
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_providers (account_id, name, issuer, client_id, client_secret,
			allowed_domains, role_claim, role_mappings, default_role, sso_only, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, issuer = excluded.issuer,
			client_id = excluded.client_id, client_secret = excluded.client_secret,
			allowed_domains = excluded.allowed_domains, role_claim = excluded.role_claim,
			role_mappings = excluded.role_mappings, default_role = excluded.default_role,
			sso_only = excluded.sso_only, updated_at = excluded.updated_at`,
			p.AccountID, p.Name, p.Issuer, p.ClientID, p.SealedSecret, string(domains), p.RoleClaim, string(mappings),
			string(p.DefaultRole), p.SSOOnly, nanos(p.UpdatedAt))
		return err
	})
}

// DeleteIdentityProvider removes the account's provider and its users'
// links to its issuer. ENOTFOUND.
func (db *DB) DeleteIdentityProvider(ctx context.Context, accountID int64) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		var issuer string
		err := tx.QueryRowContext(ctx, `SELECT issuer FROM identity_providers WHERE account_id = ?`, accountID).Scan(&issuer)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("identity provider")
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_identities WHERE account_id = ? AND issuer = ?`, accountID, issuer); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM identity_providers WHERE account_id = ?`, accountID)
		return err
	})
}

// FindUserIdentity returns the link of the subject at issuer in the
// account. ENOTFOUND.
func (db *DB) FindUserIdentity(ctx context.Context, accountID int64, issuer, subject string) (*admit.ExternalIdentity, error) {
	id := admit.ExternalIdentity{Issuer: issuer, Subject: subject}
	err := db.rdb.QueryRowContext(ctx, `SELECT user_id FROM user_identities WHERE account_id = ? AND issuer = ? AND subject = ?`,
		accountID, issuer, subject).Scan(&id.UserID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user identity")
	}
	return &id, err
}

// FindIdentityOfUser returns the user's link at issuer. ENOTFOUND.
func (db *DB) FindIdentityOfUser(ctx context.Context, userID int64, issuer string) (*admit.ExternalIdentity, error) {
	id := admit.ExternalIdentity{UserID: userID, Issuer: issuer}
	err := db.rdb.QueryRowContext(ctx, `SELECT subject FROM user_identities WHERE user_id = ? AND issuer = ?`,
		userID, issuer).Scan(&id.Subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user identity")
	}
	return &id, err
}

// LinkUserIdentity links the user to the subject. ECONFLICT when either is
// linked otherwise already.
func (db *DB) LinkUserIdentity(ctx context.Context, accountID int64, id *admit.ExternalIdentity, at time.Time) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_identities (account_id, issuer, subject, user_id, created_at)
			VALUES (?, ?, ?, ?, ?)`, accountID, id.Issuer, id.Subject, id.UserID, nanos(at))
		if isConstraint(err) {
			return admit.Errorf(admit.ECONFLICT, "This sign-in is linked to another user.")
		}
		return err
	})
}

// SetSessionIDToken stores the sealed ID token of a session. ENOTFOUND.
func (db *DB) SetSessionIDToken(ctx context.Context, sessionID int64, sealed []byte) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET idp_id_token = ? WHERE id = ?`, sealed, sessionID)
		return mustAffect(res, err, "session")
	})
}

// FindSessionIDToken returns the session's sealed ID token (nil for a
// password session). ENOTFOUND.
func (db *DB) FindSessionIDToken(ctx context.Context, sessionID int64) ([]byte, error) {
	var sealed []byte
	err := db.rdb.QueryRowContext(ctx, `SELECT idp_id_token FROM sessions WHERE id = ?`, sessionID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("session")
	}
	return sealed, err
}
