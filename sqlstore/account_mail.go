package sqlstore

import (
	"context"
	"time"

	"github.com/admit-project/admit"
)

var _ admit.AccountMailStore = (*Shared)(nil)

// PutAccountSMTP saves the account's own SMTP server; see
// admit.AccountMailStore.
func (s *Shared) PutAccountSMTP(ctx context.Context, accountID int64, smtp *admit.SMTPSettings, passwordSealed []byte) error {
	if smtp == nil {
		smtp, passwordSealed = &admit.SMTPSettings{ReplyToHost: true}, nil
	}
	if len(passwordSealed) == 0 {
		passwordSealed = nil
	}
	return s.exec(ctx, `INSERT INTO account_mail (account_id, smtp_host, smtp_port, smtp_security, smtp_username,
			smtp_password_sealed, smtp_from, smtp_from_name, smtp_reply_to_host, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET smtp_host = excluded.smtp_host, smtp_port = excluded.smtp_port,
			smtp_security = excluded.smtp_security, smtp_username = excluded.smtp_username,
			smtp_password_sealed = excluded.smtp_password_sealed, smtp_from = excluded.smtp_from,
			smtp_from_name = excluded.smtp_from_name, smtp_reply_to_host = excluded.smtp_reply_to_host,
			updated_at = excluded.updated_at`,
		accountID, smtp.Host, smtp.Port, string(smtp.Security), smtp.Username, passwordSealed, smtp.From, smtp.FromName,
		smtp.ReplyToHost, Nanos(s.Now()))
}

// PutAccountReminderLead saves the account's reminder lead; see
// admit.AccountMailStore.
func (s *Shared) PutAccountReminderLead(ctx context.Context, accountID int64, lead time.Duration) error {
	return s.exec(ctx, `INSERT INTO account_mail (account_id, reminder_lead, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET reminder_lead = excluded.reminder_lead, updated_at = excluded.updated_at`,
		accountID, int64(lead), Nanos(s.Now()))
}

// FindAccountMail returns the account's mail settings. ENOTFOUND.
func (s *Shared) FindAccountMail(ctx context.Context, accountID int64) (*admit.AccountMail, error) {
	m := &admit.AccountMail{AccountID: accountID}
	smtp := &admit.SMTPSettings{}
	var security string
	var lead, updated int64
	err := s.Read.QueryRow(ctx, `SELECT smtp_host, smtp_port, smtp_security, smtp_username, smtp_password_sealed,
			smtp_from, smtp_from_name, smtp_reply_to_host, reminder_lead, updated_at
		FROM account_mail WHERE account_id = ?`, accountID).Scan(&smtp.Host, &smtp.Port, &security, &smtp.Username,
		&m.PasswordSealed, &smtp.From, &smtp.FromName, &smtp.ReplyToHost, &lead, &updated)
	if s.Read.NoRows(err) {
		return nil, NotFound("account mail settings")
	} else if err != nil {
		return nil, err
	}
	smtp.Security = admit.SMTPSecurity(security)
	if smtp.Host != "" {
		m.SMTP = smtp
	} else {
		m.PasswordSealed = nil
	}
	m.ReminderLead, m.UpdatedAt = time.Duration(lead), FromNanos(updated)
	return m, nil
}
