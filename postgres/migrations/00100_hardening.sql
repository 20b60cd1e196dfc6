-- Hardening (issue 10): a meeting's alternative hosts (a JSON array of user
-- IDs of its account), and API tokens with a name and an expiry, as in
-- sqlite/migrations/00100_hardening.sql.

-- +goose Up
ALTER TABLE meetings ADD COLUMN alternative_hosts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT; -- NULL: never
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- +goose Down
DROP INDEX api_tokens_user;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN name;
ALTER TABLE meetings DROP COLUMN alternative_hosts;
