-- Initial schema of admit. Times are INTEGER unix nanoseconds (UTC); secrets
-- are BLOBs (a keyed HMAC index and a sealed copy), never plaintext.

-- +goose Up
CREATE TABLE accounts (
	id         INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	plan       TEXT    NOT NULL,
	security   TEXT    NOT NULL, -- JSON of admit.AccountSecurity
	created_at INTEGER NOT NULL
);

CREATE TABLE users (
	id         INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	email      TEXT    NOT NULL UNIQUE,
	name       TEXT    NOT NULL,
	role       TEXT    NOT NULL,
	timezone   TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX users_account ON users (account_id, id);

CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	idx        BLOB    NOT NULL UNIQUE,
	scopes     TEXT    NOT NULL, -- JSON array
	created_at INTEGER NOT NULL
);

CREATE TABLE contacts (
	id         INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	name       TEXT    NOT NULL,
	email      TEXT    NOT NULL,
	phone      TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX contacts_account ON contacts (account_id, name);

-- numbers holds every meeting number ever issued. Rows are never deleted or
-- reassigned, so a number is never issued twice, even after its meeting is
-- deleted.
CREATE TABLE numbers (
	number     TEXT    PRIMARY KEY,
	meeting_pk INTEGER NOT NULL,
	issued_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER numbers_never_deleted BEFORE DELETE ON numbers
BEGIN
	SELECT RAISE(ABORT, 'admit: meeting numbers are never deleted');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER numbers_never_reassigned BEFORE UPDATE ON numbers
BEGIN
	SELECT RAISE(ABORT, 'admit: meeting numbers are never reassigned');
END;
-- +goose StatementEnd

CREATE TABLE meetings (
	pk         INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	host_id    INTEGER NOT NULL REFERENCES users (id),
	number     TEXT    NOT NULL UNIQUE, -- also in numbers, for ever
	topic      TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	starts_at  INTEGER,          -- NULL for personal rooms
	duration   INTEGER NOT NULL,
	timezone   TEXT    NOT NULL,
	recurrence TEXT,             -- JSON of admit.Recurrence
	security   TEXT    NOT NULL, -- JSON of admit.Security
	pwd_index  BLOB,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	deleted_at INTEGER
);
CREATE INDEX meetings_account ON meetings (account_id, host_id);
CREATE INDEX meetings_host ON meetings (host_id, kind);

-- occurrences of a meeting. An occurrence removed from its meeting is
-- deleted, unless participants joined it: then it is kept, marked removed,
-- for the attendance record.
CREATE TABLE occurrences (
	pk         INTEGER PRIMARY KEY,
	meeting_pk INTEGER NOT NULL REFERENCES meetings (pk),
	idx        INTEGER NOT NULL,
	starts_at  INTEGER NOT NULL,
	ends_at    INTEGER NOT NULL,
	opens_at   INTEGER NOT NULL,
	closes_at  INTEGER NOT NULL,
	ended_at   INTEGER,
	removed_at INTEGER
);
CREATE UNIQUE INDEX occurrences_index ON occurrences (meeting_pk, idx) WHERE removed_at IS NULL;
CREATE INDEX occurrences_opens ON occurrences (meeting_pk, opens_at);

-- access_codes holds every access code ever issued with its reservation
-- [reserved_from, reserved_until). Replaced and deleted codes are revoked,
-- not deleted: they keep their reservation (the quarantine). The triggers
-- below refuse two reservations of the same index that overlap.
CREATE TABLE access_codes (
	pk             INTEGER PRIMARY KEY,
	occurrence_pk  INTEGER REFERENCES occurrences (pk) ON DELETE SET NULL,
	meeting_pk     INTEGER NOT NULL REFERENCES meetings (pk),
	occurrence_idx INTEGER NOT NULL,
	idx            BLOB    NOT NULL,
	sealed         BLOB    NOT NULL,
	reserved_from  INTEGER NOT NULL,
	reserved_until INTEGER NOT NULL,
	revoked_at     INTEGER,
	uses           INTEGER NOT NULL DEFAULT 0,
	CHECK (reserved_from < reserved_until)
);
CREATE INDEX access_codes_index ON access_codes (idx, reserved_from);
CREATE UNIQUE INDEX access_codes_current ON access_codes (occurrence_pk) WHERE revoked_at IS NULL;
CREATE INDEX access_codes_meeting ON access_codes (meeting_pk);

-- +goose StatementBegin
CREATE TRIGGER access_codes_no_overlap_insert BEFORE INSERT ON access_codes
WHEN EXISTS (
	SELECT 1 FROM access_codes c
	WHERE c.idx = NEW.idx
	  AND c.reserved_from < NEW.reserved_until
	  AND NEW.reserved_from < c.reserved_until
)
BEGIN
	SELECT RAISE(ABORT, 'admit: access code reservation overlaps');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER access_codes_no_overlap_update
BEFORE UPDATE OF idx, reserved_from, reserved_until ON access_codes
WHEN EXISTS (
	SELECT 1 FROM access_codes c
	WHERE c.idx = NEW.idx
	  AND c.pk <> NEW.pk
	  AND c.reserved_from < NEW.reserved_until
	  AND NEW.reserved_from < c.reserved_until
)
BEGIN
	SELECT RAISE(ABORT, 'admit: access code reservation overlaps');
END;
-- +goose StatementEnd

CREATE TABLE invitees (
	pk           INTEGER PRIMARY KEY,
	id           TEXT    NOT NULL UNIQUE,
	meeting_pk   INTEGER NOT NULL REFERENCES meetings (pk),
	contact_id   INTEGER,
	name         TEXT    NOT NULL,
	email        TEXT    NOT NULL,
	phone        TEXT    NOT NULL,
	token_index  BLOB    UNIQUE,
	token_sealed BLOB
);
CREATE INDEX invitees_meeting ON invitees (meeting_pk);

-- credentials are the passcode-like secrets of a meeting, found by index
-- within the meeting: the shared passcode and its phone form, and each
-- invitee's passcode, phone passcode and PIN.
CREATE TABLE credentials (
	meeting_pk INTEGER NOT NULL REFERENCES meetings (pk),
	idx        BLOB    NOT NULL,
	kind       TEXT    NOT NULL,
	invitee_pk INTEGER REFERENCES invitees (pk) ON DELETE CASCADE,
	sealed     BLOB    NOT NULL,
	PRIMARY KEY (meeting_pk, idx)
) WITHOUT ROWID;
CREATE UNIQUE INDEX credentials_owner ON credentials (meeting_pk, kind, invitee_pk);

CREATE TABLE participants (
	pk                INTEGER PRIMARY KEY,
	id                TEXT    NOT NULL UNIQUE,
	occurrence_pk     INTEGER NOT NULL REFERENCES occurrences (pk),
	invitee_pk        INTEGER NOT NULL DEFAULT 0, -- no FK: invitees may be removed
	invitee_id        TEXT    NOT NULL DEFAULT '',
	display_name      TEXT    NOT NULL,
	base_name         TEXT    NOT NULL,
	seq               INTEGER NOT NULL DEFAULT 1, -- n of "Name (n)"; 1 when no suffix
	shared_credential INTEGER NOT NULL DEFAULT 0,
	channel           TEXT    NOT NULL,
	source            TEXT    NOT NULL,
	state             TEXT    NOT NULL,
	joined_at         INTEGER NOT NULL,
	admitted_at       INTEGER,
	left_at           INTEGER
);
CREATE INDEX participants_occurrence ON participants (occurrence_pk, joined_at);
CREATE INDEX participants_active ON participants (occurrence_pk, invitee_pk, seq)
	WHERE state IN ('waiting', 'admitted');

-- attempts is the log of join attempts; no foreign keys, so that refused
-- attempts on unknown meetings are recorded too.
CREATE TABLE attempts (
	id             INTEGER PRIMARY KEY,
	at             INTEGER NOT NULL,
	meeting_pk     INTEGER NOT NULL DEFAULT 0,
	occurrence_pk  INTEGER NOT NULL DEFAULT 0,
	occurrence     INTEGER NOT NULL DEFAULT 0,
	channel        TEXT    NOT NULL,
	source         TEXT    NOT NULL,
	method         TEXT    NOT NULL,
	outcome        TEXT    NOT NULL,
	reason         TEXT    NOT NULL,
	participant_pk INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attempts_meeting ON attempts (meeting_pk, id);

-- events is the audit trail, append-only.
CREATE TABLE events (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	account_id INTEGER NOT NULL DEFAULT 0,
	actor      TEXT    NOT NULL,
	action     TEXT    NOT NULL,
	target     TEXT    NOT NULL,
	source     TEXT    NOT NULL,
	outcome    TEXT    NOT NULL,
	detail     TEXT    NOT NULL
);
CREATE INDEX events_account ON events (account_id, id);
CREATE INDEX events_target ON events (target, id);

-- +goose StatementBegin
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'admit: events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'admit: events are append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE events;
DROP TABLE attempts;
DROP TABLE participants;
DROP TABLE credentials;
DROP TABLE invitees;
DROP TABLE access_codes;
DROP TABLE occurrences;
DROP TABLE meetings;
DROP TABLE numbers;
DROP TABLE contacts;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE accounts;
