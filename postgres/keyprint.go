package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// KeyFingerprint returns the fingerprint of the master key the store was
// made with, "" when none is recorded, and whether the store holds data
// (an account).
func (db *DB) KeyFingerprint(ctx context.Context) (fingerprint string, hasData bool, err error) {
	err = db.pool.QueryRow(ctx, `SELECT fingerprint FROM store_key WHERE id = 1`).Scan(&fingerprint)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", false, err
	}
	err = db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`).Scan(&hasData)
	return fingerprint, hasData, err
}

// SetKeyFingerprint records the fingerprint of the store's master key.
func (db *DB) SetKeyFingerprint(ctx context.Context, fingerprint string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO store_key (id, fingerprint) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint`, fingerprint)
	return err
}
