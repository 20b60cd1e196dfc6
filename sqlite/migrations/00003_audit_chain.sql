-- The audit chain: every event gets a position (seq, from 1, in the order
-- written) and a keyed hash over the previous entry's hash and its own
-- fields (admit.ChainHash); audit_head keeps the last link, so that deleting
-- the newest entries is caught too. The hashes need the audit key, which the
-- database never sees: the writer computes them (sqlite/chain.go).
--
-- Events written before this migration get their seq here, in id order, and
-- their hashes from the writer the first time it runs with a key
-- (audit_head.pending counts them).

-- +goose Up
ALTER TABLE events ADD COLUMN seq INTEGER;
ALTER TABLE events ADD COLUMN prev_hash BLOB;
ALTER TABLE events ADD COLUMN hash BLOB;

DROP TRIGGER events_append_only_update;

UPDATE events SET seq = n.seq
FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM events) AS n
WHERE n.id = events.id;

CREATE UNIQUE INDEX events_seq ON events (seq);
-- Every join attempt is audited now, so the table takes the join path's
-- write rate: it keeps only the indexes that grow at their end. The
-- account's trail pages by seq; events_target (one leaf page dirtied per
-- meeting per group commit) went: lookups by target scan the account's.
CREATE INDEX events_account_seq ON events (account_id, seq);
DROP INDEX events_account;
DROP INDEX events_target;

-- Events stay append-only; the one update allowed is the writer's hashing
-- of an entry written before the chain existed.
-- +goose StatementBegin
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
WHEN OLD.hash IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at
  OR NEW.account_id IS NOT OLD.account_id OR NEW.actor IS NOT OLD.actor
  OR NEW.action IS NOT OLD.action OR NEW.target IS NOT OLD.target
  OR NEW.source IS NOT OLD.source OR NEW.outcome IS NOT OLD.outcome
  OR NEW.detail IS NOT OLD.detail
BEGIN
	SELECT RAISE(ABORT, 'admit: events are append-only');
END;
-- +goose StatementEnd

-- audit_head is the chain's last link: one row. mac (admit.HeadMAC) keeps
-- anyone without the key from moving the head back over deleted entries.
CREATE TABLE audit_head (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	seq     INTEGER NOT NULL,
	hash    BLOB    NOT NULL,
	mac     BLOB,             -- NULL until the first append
	pending INTEGER NOT NULL DEFAULT 0 -- entries 1..pending still to hash
);
INSERT INTO audit_head (id, seq, hash, pending) SELECT 1, 0, X'', count(*) FROM events;

-- +goose StatementBegin
CREATE TRIGGER audit_head_never_deleted BEFORE DELETE ON audit_head
BEGIN
	SELECT RAISE(ABORT, 'admit: the audit head is never deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_head_never_deleted;
DROP TABLE audit_head;
DROP TRIGGER events_append_only_update;
-- +goose StatementBegin
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'admit: events are append-only');
END;
-- +goose StatementEnd
DROP INDEX events_account_seq;
CREATE INDEX events_account ON events (account_id, id);
CREATE INDEX events_target ON events (target, id);
DROP INDEX events_seq;
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN prev_hash;
ALTER TABLE events DROP COLUMN seq;
