package postgres

import (
	"context"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// Accounts, users, contacts and tokens are sqlstore.Shared's; what is here
// is what PostgreSQL tells its own way.

// CreateUser inserts u, setting u.ID and u.CreatedAt, in one statement.
// ECONFLICT (field "email") when the email is taken in any account: the
// INSERT violates users_email_key.
func (db *DB) CreateUser(ctx context.Context, u *admit.User) error {
	return sqlstore.CreateUser(ctx, &db.Shared, u, sqlstore.Write{One: true}, func(_ context.Context, _ sqlstore.Querier, err error) bool {
		return isUnique(err, "users_email_key")
	})
}
