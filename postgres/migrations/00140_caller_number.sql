-- Phone dial-in (issue 14): a phone caller's full number, as the trusted
-- trunk passed it, sealed with keys/ (additional data
-- "participant:" + the participant's id + ":caller-number"); NULL for every
-- other participant. Only its masked form (source) is ever shown.

-- +goose Up
ALTER TABLE participants ADD COLUMN caller_sealed BYTEA;

-- +goose Down
ALTER TABLE participants DROP COLUMN caller_sealed;
