package sqlite

import (
	"context"
	"encoding/json"
	"time"

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
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, idx, scopes, created_at, name, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.UserID, t.Index, string(js), nanos(now), t.Name, expiryNanos(t.ExpiresAt)).Scan(&id)
	})
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt = id, now
	return nil
}

// FindAPIToken returns the token whose Index is index, or ENOTFOUND.
func (db *DB) FindAPIToken(ctx context.Context, index []byte) (*admit.APIToken, error) {
	t, err := rowscan.APIToken(db.rdb.QueryRowContext(ctx, `SELECT `+rowscan.APITokenColumns+` FROM api_tokens WHERE idx = ?`, index))
	return orNotFound(t, err, "API token")
}

// expiryNanos stores a token's expiry; nil is NULL (never).
func expiryNanos(t *time.Time) any {
	if t == nil {
		return nil
	}
	return nanos(*t)
}

// FindAPITokens lists a user's tokens by ID.
func (db *DB) FindAPITokens(ctx context.Context, userID int64) ([]*admit.APIToken, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+rowscan.APITokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*admit.APIToken
	for rows.Next() {
		t, err := rowscan.APIToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteAPIToken deletes the user's token id; ENOTFOUND when there is none.
func (db *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
		return mustAffect(res, err, "API token")
	})
}

// DeleteUserAPITokens deletes all of a user's tokens.
func (db *DB) DeleteUserAPITokens(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
