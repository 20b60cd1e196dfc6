package sqlite

import (
	"context"
	"encoding/json"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// CreateAPIToken inserts t, setting t.ID and t.CreatedAt.
func (db *DB) CreateAPIToken(ctx context.Context, t *admit.APIToken) error {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	js, err := json.Marshal(scopes)
	if err != nil {
		return err
	}
	now := db.Now().UTC()
	var id int64
	err = db.write(ctx, func(ctx context.Context, tx *wtx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, idx, scopes, created_at)
			VALUES (?, ?, ?, ?) RETURNING id`, t.UserID, t.Index, string(js), nanos(now)).Scan(&id)
	})
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt = id, now
	return nil
}

// FindAPIToken returns the token whose Index is index, or ENOTFOUND.
func (db *DB) FindAPIToken(ctx context.Context, index []byte) (*admit.APIToken, error) {
	t, err := rowscan.APIToken(db.rdb.QueryRowContext(ctx, `SELECT id, user_id, idx, scopes, created_at FROM api_tokens WHERE idx = ?`, index))
	return orNotFound(t, err, "API token")
}
