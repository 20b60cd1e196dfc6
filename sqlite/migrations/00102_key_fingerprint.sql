-- Hardening (issue 10, part 4): the fingerprint of the master key the
-- store's sealed secrets and indexes were made with (keys.Fingerprint), so
-- that a server started without its key file, or with another, refuses to
-- start instead of making a new key.

-- +goose Up
CREATE TABLE store_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);

-- +goose Down
DROP TABLE store_key;
