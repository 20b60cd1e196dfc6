package sqlstore

import (
	"context"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

const contactColumns = `id, account_id, name, email, phone, created_at`

// CreateContact inserts c, setting c.ID and c.CreatedAt.
func (s *Shared) CreateContact(ctx context.Context, c *admit.Contact) error {
	now := s.Now().UTC()
	var id int64
	err := s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO contacts (account_id, name, email, phone, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, c.AccountID, c.Name, c.Email, c.Phone, Nanos(now)).Scan(&id)
	})
	if err != nil {
		return err
	}
	c.ID, c.CreatedAt = id, now
	return nil
}

// FindContactByID returns ENOTFOUND unless the contact is in the account.
func (s *Shared) FindContactByID(ctx context.Context, accountID, id int64) (*admit.Contact, error) {
	return QueryOne(ctx, s.Read, rowscan.Contact, "contact",
		`SELECT `+contactColumns+` FROM contacts WHERE id = ? AND account_id = ?`, id, accountID)
}

// FindContacts lists the account's contacts by name.
func (s *Shared) FindContacts(ctx context.Context, accountID int64) ([]*admit.Contact, error) {
	return QueryAll(ctx, s.Read, rowscan.Contact,
		`SELECT `+contactColumns+` FROM contacts WHERE account_id = ? ORDER BY name, id`, accountID)
}

// UpdateContact saves c's name, email and phone. ENOTFOUND.
func (s *Shared) UpdateContact(ctx context.Context, c *admit.Contact) error {
	return s.mustChange(ctx, "contact", `UPDATE contacts SET name = ?, email = ?, phone = ? WHERE id = ? AND account_id = ?`,
		c.Name, c.Email, c.Phone, c.ID, c.AccountID)
}

// DeleteContact removes a contact. ENOTFOUND.
func (s *Shared) DeleteContact(ctx context.Context, accountID, id int64) error {
	return s.mustChange(ctx, "contact", `DELETE FROM contacts WHERE id = ? AND account_id = ?`, id, accountID)
}
