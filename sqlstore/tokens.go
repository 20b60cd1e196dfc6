package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// CreateAPIToken inserts t, setting t.ID and t.CreatedAt.
func (s *Shared) CreateAPIToken(ctx context.Context, t *admit.APIToken) error {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	js, err := json.Marshal(scopes)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	var expires any // NULL: never
	if t.ExpiresAt != nil {
		expires = Nanos(*t.ExpiresAt)
	}
	var id int64
	err = s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO api_tokens (user_id, idx, scopes, created_at, name, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.UserID, t.Index, string(js), Nanos(now), t.Name, expires).Scan(&id)
	})
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt = id, now
	return nil
}

// FindAPIToken returns the token whose Index is index, or ENOTFOUND.
func (s *Shared) FindAPIToken(ctx context.Context, index []byte) (*admit.APIToken, error) {
	return QueryOne(ctx, s.Read, rowscan.APIToken, "API token",
		`SELECT `+rowscan.APITokenColumns+` FROM api_tokens WHERE idx = ?`, index)
}

// FindAPITokens lists a user's tokens by ID.
func (s *Shared) FindAPITokens(ctx context.Context, userID int64) ([]*admit.APIToken, error) {
	return QueryAll(ctx, s.Read, rowscan.APIToken,
		`SELECT `+rowscan.APITokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
}

// DeleteAPIToken deletes the user's token id; ENOTFOUND when there is none.
func (s *Shared) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	return s.mustChange(ctx, "API token", `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
}

// DeleteUserAPITokens deletes all of a user's tokens.
func (s *Shared) DeleteUserAPITokens(ctx context.Context, userID int64) (int, error) {
	return s.execCount(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID)
}
