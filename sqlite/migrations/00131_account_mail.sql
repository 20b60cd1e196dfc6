-- Accounts' own mail settings (issue 13). account_mail holds an account's
-- own SMTP server (smtp_host '' when it sends through the deployment's),
-- its password sealed with keys/ (additional data "account-smtp-password:"
-- + account id; NULL without a password), and the account's reminder lead.
-- meetings.reminder_lead is a meeting's own lead. Leads are nanoseconds;
-- 0 means the next level's (meeting, then account, then deployment).

-- +goose Up
CREATE TABLE account_mail (
	account_id           INTEGER PRIMARY KEY REFERENCES accounts (id),
	smtp_host            TEXT    NOT NULL DEFAULT '',
	smtp_port            INTEGER NOT NULL DEFAULT 0,
	smtp_security        TEXT    NOT NULL DEFAULT '',
	smtp_username        TEXT    NOT NULL DEFAULT '',
	smtp_password_sealed BLOB,
	smtp_from            TEXT    NOT NULL DEFAULT '',
	smtp_from_name       TEXT    NOT NULL DEFAULT '',
	smtp_reply_to_host   INTEGER NOT NULL DEFAULT 1,
	reminder_lead        INTEGER NOT NULL DEFAULT 0,
	updated_at           INTEGER NOT NULL
);

ALTER TABLE meetings ADD COLUMN reminder_lead INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE meetings DROP COLUMN reminder_lead;
DROP TABLE account_mail;
