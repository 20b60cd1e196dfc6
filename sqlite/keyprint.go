package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// KeyFingerprint returns the fingerprint of the master key the store was
// made with, "" when none is recorded, and whether the store holds data
// (an account).
func (db *DB) KeyFingerprint(ctx context.Context) (fingerprint string, hasData bool, err error) {
	err = db.rdb.QueryRowContext(ctx, `SELECT fingerprint FROM store_key WHERE id = 1`).Scan(&fingerprint)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, err
	}
	err = db.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM accounts)`).Scan(&hasData)
	return fingerprint, hasData, err
}

// SetKeyFingerprint records the fingerprint of the store's master key.
func (db *DB) SetKeyFingerprint(ctx context.Context, fingerprint string) error {
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO store_key (id, fingerprint) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint`, fingerprint)
		return err
	})
}
