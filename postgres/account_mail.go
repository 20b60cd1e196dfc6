package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
)

var _ admit.AccountMailStore = (*DB)(nil)

// PutAccountSMTP saves the account's own SMTP server; see
// admit.AccountMailStore.
func (db *DB) PutAccountSMTP(ctx context.Context, accountID int64, s *admit.SMTPSettings, passwordSealed []byte) error {
	if s == nil {
		s, passwordSealed = &admit.SMTPSettings{ReplyToHost: true}, nil
	}
	if len(passwordSealed) == 0 {
		passwordSealed = nil
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO account_mail (account_id, smtp_host, smtp_port, smtp_security, smtp_username,
			smtp_password_sealed, smtp_from, smtp_from_name, smtp_reply_to_host, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (account_id) DO UPDATE SET smtp_host = excluded.smtp_host, smtp_port = excluded.smtp_port,
			smtp_security = excluded.smtp_security, smtp_username = excluded.smtp_username,
			smtp_password_sealed = excluded.smtp_password_sealed, smtp_from = excluded.smtp_from,
			smtp_from_name = excluded.smtp_from_name, smtp_reply_to_host = excluded.smtp_reply_to_host,
			updated_at = excluded.updated_at`,
		accountID, s.Host, s.Port, string(s.Security), s.Username, passwordSealed, s.From, s.FromName, s.ReplyToHost,
		nanos(db.Now()))
	return err
}

// PutAccountReminderLead saves the account's reminder lead; see
// admit.AccountMailStore.
func (db *DB) PutAccountReminderLead(ctx context.Context, accountID int64, lead time.Duration) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO account_mail (account_id, reminder_lead, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET reminder_lead = excluded.reminder_lead, updated_at = excluded.updated_at`,
		accountID, int64(lead), nanos(db.Now()))
	return err
}

// FindAccountMail returns the account's mail settings. ENOTFOUND.
func (db *DB) FindAccountMail(ctx context.Context, accountID int64) (*admit.AccountMail, error) {
	m := &admit.AccountMail{AccountID: accountID}
	s := &admit.SMTPSettings{}
	var security string
	var lead, updated int64
	err := db.pool.QueryRow(ctx, `SELECT smtp_host, smtp_port, smtp_security, smtp_username, smtp_password_sealed,
			smtp_from, smtp_from_name, smtp_reply_to_host, reminder_lead, updated_at
		FROM account_mail WHERE account_id = $1`, accountID).Scan(&s.Host, &s.Port, &security, &s.Username, &m.PasswordSealed,
		&s.From, &s.FromName, &s.ReplyToHost, &lead, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("account mail settings")
	} else if err != nil {
		return nil, err
	}
	s.Security = admit.SMTPSecurity(security)
	if s.Host != "" {
		m.SMTP = s
	} else {
		m.PasswordSealed = nil
	}
	m.ReminderLead, m.UpdatedAt = time.Duration(lead), fromNanos(updated)
	return m, nil
}
