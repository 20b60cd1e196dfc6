-- Hardening (issue 10): invitee link tokens are derived from the server's
-- key, the meeting, the invitee and a generation that regenerating bumps;
-- the store keeps the token's keyed index and the generation only
-- (token_sealed stays NULL). 0: a random token of before, sealed.

-- +goose Up
ALTER TABLE invitees ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE invitees DROP COLUMN token_generation;
