package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/admit-project/admit"
)

var _ admit.MediaStore = (*DB)(nil)

// PutMediaBackend saves b as its account's media backend, replacing any
// earlier one, and sets b.UpdatedAt.
func (db *DB) PutMediaBackend(ctx context.Context, b *admit.StoredMediaBackend) error {
	now := db.Now().UTC()
	err := db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO media_backends (account_id, kind, settings, secret_sealed, token_ttl, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET kind = excluded.kind, settings = excluded.settings,
				secret_sealed = excluded.secret_sealed, token_ttl = excluded.token_ttl, updated_at = excluded.updated_at`,
			b.AccountID, string(b.Kind), string(b.Settings), b.SecretSealed, int64(b.TokenTTL), nanos(now))
		return err
	})
	if err != nil {
		return err
	}
	b.UpdatedAt = now
	return nil
}

// FindMediaBackend returns the account's media backend. ENOTFOUND.
func (db *DB) FindMediaBackend(ctx context.Context, accountID int64) (*admit.StoredMediaBackend, error) {
	b := &admit.StoredMediaBackend{AccountID: accountID}
	var kind, settings string
	var ttl, updated int64
	err := db.rdb.QueryRowContext(ctx, `SELECT kind, settings, secret_sealed, token_ttl, updated_at
		FROM media_backends WHERE account_id = ?`, accountID).Scan(&kind, &settings, &b.SecretSealed, &ttl, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("media backend")
	} else if err != nil {
		return nil, err
	}
	b.Kind, b.Settings, b.TokenTTL, b.UpdatedAt = admit.MediaKind(kind), []byte(settings), time.Duration(ttl), fromNanos(updated)
	return b, nil
}

// DeleteMediaBackend removes the account's media backend. ENOTFOUND.
func (db *DB) DeleteMediaBackend(ctx context.Context, accountID int64) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM media_backends WHERE account_id = ?`, accountID)
		return mustAffect(res, err, "media backend")
	})
}

// RecordMediaEvent takes a media event once; see admit.MediaStore.
func (db *DB) RecordMediaEvent(ctx context.Context, eventID, kind string, c *admit.MediaConnection) (bool, error) {
	fresh := false
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		fresh = false
		if eventID != "" {
			res, err := tx.ExecContext(ctx, `INSERT INTO media_events (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
				eventID, nanos(db.Now()))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err
			}
		}
		fresh = true
		switch kind {
		case admit.MediaEventJoined:
			_, err := tx.ExecContext(ctx, `INSERT INTO media_presence (occurrence_pk, participant_pk, identity, connected_at)
				VALUES (?, ?, ?, ?)`, c.OccurrencePK, c.ParticipantPK, c.Identity, nanos(c.ConnectedAt))
			return err
		case admit.MediaEventLeft:
			_, err := tx.ExecContext(ctx, `UPDATE media_presence SET left_at = ?
				WHERE pk = (SELECT pk FROM media_presence WHERE occurrence_pk = ? AND identity = ? AND left_at IS NULL
					ORDER BY connected_at DESC LIMIT 1)`, ptrNanos(c.LeftAt), c.OccurrencePK, c.Identity)
			return err
		}
		return nil
	})
	return fresh, err
}

// FindMediaConnections returns the occurrence's connections, oldest first.
func (db *DB) FindMediaConnections(ctx context.Context, occurrencePK int64) ([]*admit.MediaConnection, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT participant_pk, identity, connected_at, left_at
		FROM media_presence WHERE occurrence_pk = ? ORDER BY connected_at, pk`, occurrencePK)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*admit.MediaConnection
	for rows.Next() {
		c := &admit.MediaConnection{OccurrencePK: occurrencePK}
		var connected int64
		var left sql.NullInt64
		if err := rows.Scan(&c.ParticipantPK, &c.Identity, &connected, &left); err != nil {
			return nil, err
		}
		c.ConnectedAt, c.LeftAt = fromNanos(connected), ptrFromNanos(left)
		out = append(out, c)
	}
	return out, rows.Err()
}
