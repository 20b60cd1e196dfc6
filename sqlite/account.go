package sqlite

import (
	"context"
	"database/sql"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/sqlstore"
)

// Accounts, users, contacts and tokens are sqlstore.Shared's; what is here
// is what SQLite tells its own way.

// CreateUser inserts u, setting u.ID and u.CreatedAt. ECONFLICT (field
// "email") when the email is taken in any account: any constraint may fail
// the INSERT (the account's key too), so the email is looked for then.
func (db *DB) CreateUser(ctx context.Context, u *admit.User) error {
	return sqlstore.CreateUser(ctx, &db.Shared, u, sqlstore.Write{}, func(ctx context.Context, q sqlstore.Querier, err error) bool {
		var taken bool
		return isConstraint(err) && q.QueryRow(ctx, `SELECT 1 FROM users WHERE email = ?`, u.Email).Scan(&taken) == nil
	})
}

// mustAffect returns ENOTFOUND (naming what) when res changed no row.
func mustAffect(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound(what)
	}
	return nil
}
