package sqlstore

import "context"

// KeyFingerprint returns the fingerprint of the master key the store was
// made with, "" when none is recorded, and whether the store holds data
// (an account).
func (s *Shared) KeyFingerprint(ctx context.Context) (fingerprint string, hasData bool, err error) {
	err = s.Read.QueryRow(ctx, `SELECT fingerprint FROM store_key WHERE id = 1`).Scan(&fingerprint)
	if err != nil && !s.Read.NoRows(err) {
		return "", false, err
	}
	err = s.Read.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`).Scan(&hasData)
	return fingerprint, hasData, err
}

// SetKeyFingerprint records the fingerprint of the store's master key.
func (s *Shared) SetKeyFingerprint(ctx context.Context, fingerprint string) error {
	return s.exec(ctx, `INSERT INTO store_key (id, fingerprint) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint`, fingerprint)
}
