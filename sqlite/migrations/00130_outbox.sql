-- The mail outbox (admit.OutboxStore): one row per email to one recipient,
-- written in the transaction of the change that causes it and kept until the
-- SMTP server accepted it. payload is the letter sealed with the key ring
-- (credentials are never stored in plaintext); message_id stays the same
-- across retries and resends. Times are nanoseconds since the epoch.

-- +goose Up
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	message_id      TEXT    NOT NULL UNIQUE,
	account_id      INTEGER NOT NULL,
	meeting_id      TEXT    NOT NULL DEFAULT '',
	invitee_id      TEXT    NOT NULL DEFAULT '',
	occurrence      INTEGER NOT NULL DEFAULT 0,
	kind            TEXT    NOT NULL,
	recipient       TEXT    NOT NULL,
	payload         BLOB    NOT NULL,
	state           TEXT    NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	next_attempt_at INTEGER,             -- NULL: no further attempt until a resend
	lease_owner     TEXT    NOT NULL DEFAULT '',
	lease_until     INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state <> 'sent';
CREATE INDEX outbox_meeting ON outbox (account_id, meeting_id, id);
-- A reminder is enqueued once, however many nodes schedule it.
CREATE UNIQUE INDEX outbox_reminder ON outbox (meeting_id, invitee_id, occurrence) WHERE kind = 'reminder';

-- Reminders look for the occurrences that start soon, in every account.
CREATE INDEX occurrences_starts ON occurrences (starts_at) WHERE removed_at IS NULL AND ended_at IS NULL;

-- +goose Down
DROP INDEX occurrences_starts;
DROP TABLE outbox;
