package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// CreateAccount inserts a, setting a.ID and a.CreatedAt.
func (db *DB) CreateAccount(ctx context.Context, a *admit.Account) error {
	sec, err := json.Marshal(a.Security)
	if err != nil {
		return err
	}
	now := db.Now().UTC()
	var id int64
	err = db.write(ctx, func(ctx context.Context, tx *wtx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO accounts (name, plan, security, created_at)
			VALUES (?, ?, ?, ?) RETURNING id`, a.Name, string(a.Plan), string(sec), nanos(now)).Scan(&id)
	})
	if err != nil {
		return err
	}
	a.ID, a.CreatedAt = id, now
	return nil
}

const accountColumns = `id, name, plan, security, created_at`

func scanAccount(row rowscan.Scanner) (*admit.Account, error) {
	v, err := rowscan.Account(row)
	return orNotFound(v, err, "account")
}

// FindAccountByID returns the account, or ENOTFOUND.
func (db *DB) FindAccountByID(ctx context.Context, id int64) (*admit.Account, error) {
	return scanAccount(db.rdb.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
}

// FindDefaultAccount returns the first account created, or ENOTFOUND.
func (db *DB) FindDefaultAccount(ctx context.Context) (*admit.Account, error) {
	return scanAccount(db.rdb.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id LIMIT 1`))
}

// UpdateAccount saves a's name, plan and security. ENOTFOUND.
func (db *DB) UpdateAccount(ctx context.Context, a *admit.Account) error {
	sec, err := json.Marshal(a.Security)
	if err != nil {
		return err
	}
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, plan = ?, security = ? WHERE id = ?`,
			a.Name, string(a.Plan), string(sec), a.ID)
		return mustAffect(res, err, "account")
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

// CreateUser inserts u, setting u.ID and u.CreatedAt. ECONFLICT (field
// "email") when the email is taken in any account.
func (db *DB) CreateUser(ctx context.Context, u *admit.User) error {
	now := db.Now().UTC()
	var id int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (account_id, email, name, role, timezone, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			u.AccountID, u.Email, u.Name, string(u.Role), u.Timezone, nanos(now)).Scan(&id)
		if isConstraint(err) {
			var taken bool
			if tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE email = ?`, u.Email).Scan(&taken) == nil {
				return &admit.Error{Code: admit.ECONFLICT, Field: "email", Message: "This email address is already in use."}
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	u.ID, u.CreatedAt = id, now
	return nil
}

const userColumns = `id, account_id, email, name, role, timezone, created_at`

func scanUser(row rowscan.Scanner) (*admit.User, error) {
	v, err := rowscan.User(row)
	return orNotFound(v, err, "user")
}

// FindUserByID returns the user, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*admit.User, error) {
	return scanUser(db.rdb.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// FindUserByEmail returns the user with the email, or ENOTFOUND.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*admit.User, error) {
	return scanUser(db.rdb.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
}

// FindUsers lists an account's users by ID.
func (db *DB) FindUsers(ctx context.Context, accountID int64) ([]*admit.User, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.User)
}
