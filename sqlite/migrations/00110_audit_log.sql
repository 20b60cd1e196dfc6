-- The audit log as a Merkle tree (package translog): the integrator gives
-- each entry its place (seq) and its leaf hash (leaf_hash) once, in the
-- transaction that saves the tree (audit_tree), the tree's stored nodes
-- (audit_nodes) and the signed checkpoint (audit_checkpoints). An entry
-- without leaf_hash is not in the tree yet. Entries of the old hash chain
-- keep their seq, prev_hash and hash; the integrator builds the tree from
-- them, in seq order, on its first pass (and logs that it did).

-- +goose Up
ALTER TABLE events ADD COLUMN leaf_hash BLOB;
CREATE INDEX events_unsequenced ON events (id) WHERE leaf_hash IS NULL;

-- Events stay append-only. Two updates are allowed: the integrator's
-- placing of an entry in the tree (seq and leaf_hash, once), and the old
-- chain's hashing of an entry written before it existed.
DROP TRIGGER events_append_only_update;
-- +goose StatementBegin
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
  OR NEW.account_id IS NOT OLD.account_id OR NEW.actor IS NOT OLD.actor
  OR NEW.action IS NOT OLD.action OR NEW.target IS NOT OLD.target
  OR NEW.source IS NOT OLD.source OR NEW.outcome IS NOT OLD.outcome
  OR NEW.detail IS NOT OLD.detail
  OR NOT (
    (OLD.leaf_hash IS NULL AND NEW.leaf_hash IS NOT NULL
      AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash)
    OR (OLD.hash IS NULL AND OLD.leaf_hash IS NULL AND NEW.leaf_hash IS NULL
      AND NEW.seq IS OLD.seq)
  )
BEGIN
	SELECT RAISE(ABORT, 'admit: events are append-only');
END;
-- +goose StatementEnd

-- audit_tree is the tree as the integrator last saved it: its size and the
-- hashes of the compact range covering it (32 bytes each, left to right).
-- No row yet means the empty tree (so that an import finds the store empty).
CREATE TABLE audit_tree (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	size   INTEGER NOT NULL,
	hashes BLOB    NOT NULL
);

-- audit_nodes are the tree's perfect subtrees of 16 entries and more
-- (translog.StoredNodeLevel), for proofs.
CREATE TABLE audit_nodes (
	level INTEGER NOT NULL,
	idx   INTEGER NOT NULL,
	hash  BLOB    NOT NULL,
	PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- audit_checkpoints are the signed checkpoints, one per integration pass;
-- witnessed_at is when a witness first accepted one (unsigned).
CREATE TABLE audit_checkpoints (
	id           INTEGER PRIMARY KEY,
	size         INTEGER NOT NULL,
	signed_at    INTEGER NOT NULL,
	note         TEXT    NOT NULL,
	witnessed_at INTEGER
);
CREATE INDEX audit_checkpoints_size ON audit_checkpoints (size, id);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_nodes;
DROP TABLE audit_tree;
DROP TRIGGER events_append_only_update;
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
DROP INDEX events_unsequenced;
ALTER TABLE events DROP COLUMN leaf_hash;
