package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/admit-project/admit"
)

var _ admit.SSOStore = (*Shared)(nil)

// FindIdentityProvider returns the account's provider. ENOTFOUND.
func (s *Shared) FindIdentityProvider(ctx context.Context, accountID int64) (*admit.StoredIdentityProvider, error) {
	var p admit.StoredIdentityProvider
	var domains, mappings, role string
	var updated int64
	err := s.Read.QueryRow(ctx, `SELECT account_id, name, issuer, client_id, client_secret, allowed_domains,
		role_claim, role_mappings, default_role, sso_only, updated_at FROM identity_providers WHERE account_id = ?`, accountID).
		Scan(&p.AccountID, &p.Name, &p.Issuer, &p.ClientID, &p.SealedSecret, &domains, &p.RoleClaim, &mappings, &role, &p.SSOOnly, &updated)
	if s.Read.NoRows(err) {
		return nil, NotFound("identity provider")
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(domains), &p.AllowedDomains); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(mappings), &p.RoleMappings); err != nil {
		return nil, err
	}
	p.DefaultRole, p.UpdatedAt = admit.Role(role), FromNanos(updated)
	return &p, nil
}

// PutIdentityProvider creates or replaces the account's provider.
func (s *Shared) PutIdentityProvider(ctx context.Context, p *admit.StoredIdentityProvider) error {
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
	return s.exec(ctx, `INSERT INTO identity_providers (account_id, name, issuer, client_id, client_secret,
		allowed_domains, role_claim, role_mappings, default_role, sso_only, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, issuer = excluded.issuer,
		client_id = excluded.client_id, client_secret = excluded.client_secret,
		allowed_domains = excluded.allowed_domains, role_claim = excluded.role_claim,
		role_mappings = excluded.role_mappings, default_role = excluded.default_role,
		sso_only = excluded.sso_only, updated_at = excluded.updated_at`,
		p.AccountID, p.Name, p.Issuer, p.ClientID, p.SealedSecret, string(domains), p.RoleClaim, string(mappings),
		string(p.DefaultRole), p.SSOOnly, Nanos(p.UpdatedAt))
}

// DeleteIdentityProvider removes the account's provider and its users'
// links to its issuer, in one transaction. ENOTFOUND.
func (s *Shared) DeleteIdentityProvider(ctx context.Context, accountID int64) error {
	return s.Write(ctx, Write{}, func(ctx context.Context, q Querier) error {
		var issuer string
		err := q.QueryRow(ctx, `DELETE FROM identity_providers WHERE account_id = ? RETURNING issuer`, accountID).Scan(&issuer)
		if q.NoRows(err) {
			return NotFound("identity provider")
		} else if err != nil {
			return err
		}
		_, err = q.Exec(ctx, `DELETE FROM user_identities WHERE account_id = ? AND issuer = ?`, accountID, issuer)
		return err
	})
}

// FindUserIdentity returns the link of the subject at issuer in the
// account. ENOTFOUND.
func (s *Shared) FindUserIdentity(ctx context.Context, accountID int64, issuer, subject string) (*admit.ExternalIdentity, error) {
	id := admit.ExternalIdentity{Issuer: issuer, Subject: subject}
	err := s.Read.QueryRow(ctx, `SELECT user_id FROM user_identities WHERE account_id = ? AND issuer = ? AND subject = ?`,
		accountID, issuer, subject).Scan(&id.UserID)
	if s.Read.NoRows(err) {
		return nil, NotFound("user identity")
	}
	return &id, err
}

// FindIdentityOfUser returns the user's link at issuer. ENOTFOUND.
func (s *Shared) FindIdentityOfUser(ctx context.Context, userID int64, issuer string) (*admit.ExternalIdentity, error) {
	id := admit.ExternalIdentity{UserID: userID, Issuer: issuer}
	err := s.Read.QueryRow(ctx, `SELECT subject FROM user_identities WHERE user_id = ? AND issuer = ?`,
		userID, issuer).Scan(&id.Subject)
	if s.Read.NoRows(err) {
		return nil, NotFound("user identity")
	}
	return &id, err
}

// LinkUserIdentity links the user to the subject. ECONFLICT when either is
// linked otherwise already (on SQLite: when any constraint fails).
func (s *Shared) LinkUserIdentity(ctx context.Context, accountID int64, id *admit.ExternalIdentity, at time.Time) error {
	return s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		_, err := q.Exec(ctx, `INSERT INTO user_identities (account_id, issuer, subject, user_id, created_at)
			VALUES (?, ?, ?, ?, ?)`, accountID, id.Issuer, id.Subject, id.UserID, Nanos(at))
		if q.Conflict(err) {
			return admit.Errorf(admit.ECONFLICT, "This sign-in is linked to another user.")
		}
		return err
	})
}

// SetSessionIDToken stores the sealed ID token of a session. ENOTFOUND.
func (s *Shared) SetSessionIDToken(ctx context.Context, sessionID int64, sealed []byte) error {
	return s.mustChange(ctx, "session", `UPDATE sessions SET idp_id_token = ? WHERE id = ?`, sealed, sessionID)
}

// FindSessionIDToken returns the session's sealed ID token (nil for a
// password session). ENOTFOUND.
func (s *Shared) FindSessionIDToken(ctx context.Context, sessionID int64) ([]byte, error) {
	var sealed []byte
	err := s.Read.QueryRow(ctx, `SELECT idp_id_token FROM sessions WHERE id = ?`, sessionID).Scan(&sealed)
	if s.Read.NoRows(err) {
		return nil, NotFound("session")
	}
	return sealed, err
}
