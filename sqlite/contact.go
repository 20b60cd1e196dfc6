package sqlite

import (
	"context"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

// CreateContact inserts c, setting c.ID and c.CreatedAt.
func (db *DB) CreateContact(ctx context.Context, c *admit.Contact) error {
	now := db.Now().UTC()
	var id int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO contacts (account_id, name, email, phone, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, c.AccountID, c.Name, c.Email, c.Phone, nanos(now)).Scan(&id)
	})
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
	return scanContact(db.rdb.QueryRowContext(ctx,
		`SELECT `+contactColumns+` FROM contacts WHERE id = ? AND account_id = ?`, id, accountID))
}

// FindContacts lists the account's contacts by name.
func (db *DB) FindContacts(ctx context.Context, accountID int64) ([]*admit.Contact, error) {
	rows, err := db.rdb.QueryContext(ctx,
		`SELECT `+contactColumns+` FROM contacts WHERE account_id = ? ORDER BY name, id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rowscan.Collect(rows, rowscan.Contact)
}

// UpdateContact saves c's name, email and phone. ENOTFOUND.
func (db *DB) UpdateContact(ctx context.Context, c *admit.Contact) error {
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE contacts SET name = ?, email = ?, phone = ? WHERE id = ? AND account_id = ?`,
			c.Name, c.Email, c.Phone, c.ID, c.AccountID)
		return mustAffect(res, err, "contact")
	})
}

// DeleteContact removes a contact. ENOTFOUND.
func (db *DB) DeleteContact(ctx context.Context, accountID, id int64) error {
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = ? AND account_id = ?`, id, accountID)
		return mustAffect(res, err, "contact")
	})
}
