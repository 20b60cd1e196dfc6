-- The mail outbox (admit.OutboxStore): one row per email to one recipient,
-- written in the transaction of the change that causes it and kept until the
-- SMTP server accepted it. payload is the letter sealed with the key ring
-- (credentials are never stored in plaintext); message_id stays the same
-- across retries and resends. Times are nanoseconds since the epoch.
-- Claims lock rows FOR UPDATE SKIP LOCKED, so nodes never claim one message twice.

-- +goose Up
CREATE TABLE outbox (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	message_id      TEXT    NOT NULL UNIQUE,
	account_id      BIGINT  NOT NULL,
	meeting_id      TEXT    NOT NULL DEFAULT '',
	invitee_id      TEXT    NOT NULL DEFAULT '',
	occurrence      INTEGER NOT NULL DEFAULT 0,
	kind            TEXT    NOT NULL,
	recipient       TEXT    NOT NULL,
	payload         BYTEA   NOT NULL,
	state           TEXT    NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	next_attempt_at BIGINT,             -- NULL: no further attempt until a resend
	lease_owner     TEXT    NOT NULL DEFAULT '',
	lease_until     BIGINT  NOT NULL DEFAULT 0,
	created_at      BIGINT  NOT NULL,
	sent_at         BIGINT
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
