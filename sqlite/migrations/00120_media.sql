-- Media rooms (issue 12). media_backends holds each account's media server:
-- its kind, the settings that are not secret (JSON of admit.MediaConfig
-- without secrets) and its secret (API secret, app secret or shared
-- secret) sealed with keys/, additional data "media-backend:" + account id.
-- media_presence is what the media server reported (LiveKit's webhooks):
-- when each identity in an occurrence's room connected and left, one row
-- per connection. media_events keeps the IDs of webhook events already
-- taken, so that a replayed delivery changes nothing.

-- +goose Up
CREATE TABLE media_backends (
	account_id    INTEGER PRIMARY KEY REFERENCES accounts (id),
	kind          TEXT    NOT NULL,
	settings      TEXT    NOT NULL,
	secret_sealed BLOB    NOT NULL,
	token_ttl     INTEGER NOT NULL DEFAULT 0, -- nanoseconds; 0 means the default
	updated_at    INTEGER NOT NULL
);

CREATE TABLE media_presence (
	pk             INTEGER PRIMARY KEY,
	occurrence_pk  INTEGER NOT NULL REFERENCES occurrences (pk),
	participant_pk INTEGER NOT NULL DEFAULT 0, -- 0 when not a participant (the host)
	identity       TEXT    NOT NULL,
	connected_at   INTEGER NOT NULL,
	left_at        INTEGER
);
CREATE INDEX media_presence_occurrence ON media_presence (occurrence_pk, identity, connected_at);

CREATE TABLE media_events (
	id          TEXT    PRIMARY KEY,
	received_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE media_events;
DROP TABLE media_presence;
DROP TABLE media_backends;
