package postgres

import (
	"context"
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
	err = db.pool.QueryRow(ctx, `INSERT INTO accounts (name, plan, security, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, a.Name, string(a.Plan), string(sec), nanos(now)).Scan(&id)
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
	return scanAccount(db.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
}

// FindDefaultAccount returns the first account created, or ENOTFOUND.
func (db *DB) FindDefaultAccount(ctx context.Context) (*admit.Account, error) {
	return scanAccount(db.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id LIMIT 1`))
}

// UpdateAccount saves a's name, plan and security. ENOTFOUND.
func (db *DB) UpdateAccount(ctx context.Context, a *admit.Account) error {
	sec, err := json.Marshal(a.Security)
	if err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `UPDATE accounts SET name = $1, plan = $2, security = $3 WHERE id = $4`,
		a.Name, string(a.Plan), string(sec), a.ID)
	return mustAffect(tag, err, "account")
}

func emailConflict() error {
	return &admit.Error{Code: admit.ECONFLICT, Field: "email", Message: "This email address is already in use."}
}

// CreateUser inserts u, setting u.ID and u.CreatedAt. ECONFLICT (field
// "email") when the email is taken in any account.
func (db *DB) CreateUser(ctx context.Context, u *admit.User) error {
	now := db.Now().UTC()
	var id int64
	err := db.pool.QueryRow(ctx, `INSERT INTO users (account_id, email, name, role, timezone, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.AccountID, u.Email, u.Name, string(u.Role), u.Timezone, nanos(now)).Scan(&id)
	if isUnique(err, "users_email_key") {
		return emailConflict()
	} else if err != nil {
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
	return scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// FindUserByEmail returns the user with the email, or ENOTFOUND.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*admit.User, error) {
	return scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
}

// FindUsers lists an account's users by ID.
func (db *DB) FindUsers(ctx context.Context, accountID int64) ([]*admit.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.User)
}

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
	err = db.pool.QueryRow(ctx, `INSERT INTO api_tokens (user_id, idx, scopes, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, t.UserID, t.Index, string(js), nanos(now)).Scan(&id)
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt = id, now
	return nil
}

// FindAPIToken returns the token whose Index is index, or ENOTFOUND.
func (db *DB) FindAPIToken(ctx context.Context, index []byte) (*admit.APIToken, error) {
	t, err := rowscan.APIToken(db.pool.QueryRow(ctx, `SELECT id, user_id, idx, scopes, created_at FROM api_tokens WHERE idx = $1`, index))
	return orNotFound(t, err, "API token")
}

// CreateContact inserts c, setting c.ID and c.CreatedAt.
func (db *DB) CreateContact(ctx context.Context, c *admit.Contact) error {
	now := db.Now().UTC()
	var id int64
	err := db.pool.QueryRow(ctx, `INSERT INTO contacts (account_id, name, email, phone, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.AccountID, c.Name, c.Email, c.Phone, nanos(now)).Scan(&id)
	if err != nil {
		return err
	}
	c.ID, c.CreatedAt = id, now
	return nil
}

const contactColumns = `id, account_id, name, email, phone, created_at`

func scanContact(row rowscan.Scanner) (*admit.Contact, error) {
	v, err := rowscan.Contact(row)
	return orNotFound(v, err, "contact")
}

// FindContactByID returns ENOTFOUND unless the contact is in the account.
func (db *DB) FindContactByID(ctx context.Context, accountID, id int64) (*admit.Contact, error) {
	return scanContact(db.pool.QueryRow(ctx,
		`SELECT `+contactColumns+` FROM contacts WHERE id = $1 AND account_id = $2`, id, accountID))
}

// FindContacts lists the account's contacts by name.
func (db *DB) FindContacts(ctx context.Context, accountID int64) ([]*admit.Contact, error) {
	rows, err := db.pool.Query(ctx,
		`SELECT `+contactColumns+` FROM contacts WHERE account_id = $1 ORDER BY name, id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.Contact)
}

// UpdateContact saves c's name, email and phone. ENOTFOUND.
func (db *DB) UpdateContact(ctx context.Context, c *admit.Contact) error {
	tag, err := db.pool.Exec(ctx, `UPDATE contacts SET name = $1, email = $2, phone = $3 WHERE id = $4 AND account_id = $5`,
		c.Name, c.Email, c.Phone, c.ID, c.AccountID)
	return mustAffect(tag, err, "contact")
}

// DeleteContact removes a contact. ENOTFOUND.
func (db *DB) DeleteContact(ctx context.Context, accountID, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM contacts WHERE id = $1 AND account_id = $2`, id, accountID)
	return mustAffect(tag, err, "contact")
}
