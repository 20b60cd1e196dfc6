package sqlstore

import (
	"context"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

var _ admit.MediaStore = (*Shared)(nil)

// PutMediaBackend saves b as its account's media backend, replacing any
// earlier one, and sets b.UpdatedAt.
func (s *Shared) PutMediaBackend(ctx context.Context, b *admit.StoredMediaBackend) error {
	now := s.Now().UTC()
	err := s.exec(ctx, `INSERT INTO media_backends (account_id, kind, settings, secret_sealed, token_ttl, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET kind = excluded.kind, settings = excluded.settings,
			secret_sealed = excluded.secret_sealed, token_ttl = excluded.token_ttl, updated_at = excluded.updated_at`,
		b.AccountID, string(b.Kind), string(b.Settings), b.SecretSealed, int64(b.TokenTTL), Nanos(now))
	if err != nil {
		return err
	}
	b.UpdatedAt = now
	return nil
}

// FindMediaBackend returns the account's media backend. ENOTFOUND.
func (s *Shared) FindMediaBackend(ctx context.Context, accountID int64) (*admit.StoredMediaBackend, error) {
	b := &admit.StoredMediaBackend{AccountID: accountID}
	var kind, settings string
	var ttl, updated int64
	err := s.Read.QueryRow(ctx, `SELECT kind, settings, secret_sealed, token_ttl, updated_at
		FROM media_backends WHERE account_id = ?`, accountID).Scan(&kind, &settings, &b.SecretSealed, &ttl, &updated)
	if s.Read.NoRows(err) {
		return nil, NotFound("media backend")
	} else if err != nil {
		return nil, err
	}
	b.Kind, b.Settings, b.TokenTTL, b.UpdatedAt = admit.MediaKind(kind), []byte(settings), time.Duration(ttl), FromNanos(updated)
	return b, nil
}

// DeleteMediaBackend removes the account's media backend. ENOTFOUND.
func (s *Shared) DeleteMediaBackend(ctx context.Context, accountID int64) error {
	return s.mustChange(ctx, "media backend", `DELETE FROM media_backends WHERE account_id = ?`, accountID)
}

// RecordMediaEvent takes a media event once; see admit.MediaStore.
func (s *Shared) RecordMediaEvent(ctx context.Context, eventID, kind string, c *admit.MediaConnection) (bool, error) {
	fresh := false
	err := s.Write(ctx, Write{}, func(ctx context.Context, q Querier) error {
		fresh = false
		if eventID != "" {
			n, err := q.Exec(ctx, `INSERT INTO media_events (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
				eventID, Nanos(s.Now()))
			if err != nil || n == 0 {
				return err
			}
		}
		fresh = true
		switch kind {
		case admit.MediaEventJoined:
			_, err := q.Exec(ctx, `INSERT INTO media_presence (occurrence_pk, participant_pk, identity, connected_at)
				VALUES (?, ?, ?, ?)`, c.OccurrencePK, c.ParticipantPK, c.Identity, Nanos(c.ConnectedAt))
			return err
		case admit.MediaEventLeft:
			_, err := q.Exec(ctx, `UPDATE media_presence SET left_at = ?
				WHERE pk = (SELECT pk FROM media_presence WHERE occurrence_pk = ? AND identity = ? AND left_at IS NULL
					ORDER BY connected_at DESC LIMIT 1)`, PtrNanos(c.LeftAt), c.OccurrencePK, c.Identity)
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
func (s *Shared) FindMediaConnections(ctx context.Context, occurrencePK int64) ([]*admit.MediaConnection, error) {
	return QueryAll(ctx, s.Read, func(row rowscan.Scanner) (*admit.MediaConnection, error) {
		c := &admit.MediaConnection{OccurrencePK: occurrencePK}
		var connected int64
		var left *int64
		if err := row.Scan(&c.ParticipantPK, &c.Identity, &connected, &left); err != nil {
			return nil, err
		}
		c.ConnectedAt, c.LeftAt = FromNanos(connected), PtrFromNanos(left)
		return c, nil
	}, `SELECT participant_pk, identity, connected_at, left_at
		FROM media_presence WHERE occurrence_pk = ? ORDER BY connected_at, pk`, occurrencePK)
}
