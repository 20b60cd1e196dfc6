package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
)

var _ admit.MediaStore = (*DB)(nil)

// PutMediaBackend saves b as its account's media backend, replacing any
// earlier one, and sets b.UpdatedAt.
func (db *DB) PutMediaBackend(ctx context.Context, b *admit.StoredMediaBackend) error {
	now := db.Now().UTC()
	_, err := db.pool.Exec(ctx, `INSERT INTO media_backends (account_id, kind, settings, secret_sealed, token_ttl, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (account_id) DO UPDATE SET kind = excluded.kind, settings = excluded.settings,
			secret_sealed = excluded.secret_sealed, token_ttl = excluded.token_ttl, updated_at = excluded.updated_at`,
		b.AccountID, string(b.Kind), string(b.Settings), b.SecretSealed, int64(b.TokenTTL), nanos(now))
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
	err := db.pool.QueryRow(ctx, `SELECT kind, settings, secret_sealed, token_ttl, updated_at
		FROM media_backends WHERE account_id = $1`, accountID).Scan(&kind, &settings, &b.SecretSealed, &ttl, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("media backend")
	} else if err != nil {
		return nil, err
	}
	b.Kind, b.Settings, b.TokenTTL, b.UpdatedAt = admit.MediaKind(kind), []byte(settings), time.Duration(ttl), fromNanos(updated)
	return b, nil
}

// DeleteMediaBackend removes the account's media backend. ENOTFOUND.
func (db *DB) DeleteMediaBackend(ctx context.Context, accountID int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM media_backends WHERE account_id = $1`, accountID)
	return mustAffect(tag, err, "media backend")
}

// RecordMediaEvent takes a media event once; see admit.MediaStore.
func (db *DB) RecordMediaEvent(ctx context.Context, eventID, kind string, c *admit.MediaConnection) (bool, error) {
	fresh := false
	err := db.write(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		fresh = false
		if eventID != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO media_events (id, received_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
				eventID, nanos(db.Now()))
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
		}
		fresh = true
		switch kind {
		case admit.MediaEventJoined:
			_, err := tx.Exec(ctx, `INSERT INTO media_presence (occurrence_pk, participant_pk, identity, connected_at)
				VALUES ($1, $2, $3, $4)`, c.OccurrencePK, c.ParticipantPK, c.Identity, nanos(c.ConnectedAt))
			return err
		case admit.MediaEventLeft:
			_, err := tx.Exec(ctx, `UPDATE media_presence SET left_at = $1
				WHERE pk = (SELECT pk FROM media_presence WHERE occurrence_pk = $2 AND identity = $3 AND left_at IS NULL
					ORDER BY connected_at DESC LIMIT 1)`, ptrNanos(c.LeftAt), c.OccurrencePK, c.Identity)
			return err
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return fresh, nil
}

// FindMediaConnections returns the occurrence's connections, oldest first.
func (db *DB) FindMediaConnections(ctx context.Context, occurrencePK int64) ([]*admit.MediaConnection, error) {
	rows, err := db.pool.Query(ctx, `SELECT participant_pk, identity, connected_at, left_at
		FROM media_presence WHERE occurrence_pk = $1 ORDER BY connected_at, pk`, occurrencePK)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*admit.MediaConnection
	for rows.Next() {
		c := &admit.MediaConnection{OccurrencePK: occurrencePK}
		var connected int64
		var left *int64
		if err := rows.Scan(&c.ParticipantPK, &c.Identity, &connected, &left); err != nil {
			return nil, err
		}
		c.ConnectedAt, c.LeftAt = fromNanos(connected), ptrFromNanos(left)
		out = append(out, c)
	}
	return out, rows.Err()
}
