-- The audit log as a Merkle tree (package translog). Writers insert events
-- with no place (seq NULL, leaf_hash NULL) and take no lock shared by all
-- writers; the one integrator (elected by an advisory lock) gives each
-- entry its place and leaf hash once, in the transaction that saves the
-- tree (audit_tree), its stored nodes (audit_nodes) and the signed
-- checkpoint (audit_checkpoints). Entries of the old hash chain keep their
-- seq, prev_hash and hash; the integrator builds the tree from them, in seq
-- order, on its first pass (and logs that it did).

-- +goose Up
ALTER TABLE events ADD COLUMN leaf_hash BYTEA;
CREATE INDEX events_unsequenced ON events (id) WHERE leaf_hash IS NULL;

-- Events stay append-only; the one update allowed is the integrator's
-- placing of an entry in the tree (seq and leaf_hash, once).
-- +goose StatementBegin
CREATE FUNCTION events_placed_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.leaf_hash IS NULL AND NEW.leaf_hash IS NOT NULL
		AND (NEW.id, NEW.at, NEW.account_id, NEW.actor, NEW.action, NEW.target, NEW.source, NEW.outcome, NEW.detail)
			IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.account_id, OLD.actor, OLD.action, OLD.target, OLD.source, OLD.outcome, OLD.detail)
		AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash AND NEW.hash IS NOT DISTINCT FROM OLD.hash THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'admit: events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd
DROP TRIGGER events_append_only_update ON events;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_placed_once();

-- audit_tree is the tree as the integrator last saved it: its size and the
-- hashes of the compact range covering it (32 bytes each, left to right).
CREATE TABLE audit_tree (
	id     BIGINT PRIMARY KEY CHECK (id = 1),
	size   BIGINT NOT NULL,
	hashes BYTEA  NOT NULL
);
INSERT INTO audit_tree (id, size, hashes) VALUES (1, 0, '\x');

-- audit_nodes are the tree's perfect subtrees of 16 entries and more
-- (translog.StoredNodeLevel), for proofs.
CREATE TABLE audit_nodes (
	level INT    NOT NULL,
	idx   BIGINT NOT NULL,
	hash  BYTEA  NOT NULL,
	PRIMARY KEY (level, idx)
);

-- audit_checkpoints are the signed checkpoints, one per integration pass;
-- witnessed_at is when a witness first accepted one (unsigned).
CREATE TABLE audit_checkpoints (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	size         BIGINT NOT NULL,
	signed_at    BIGINT NOT NULL,
	note         TEXT   NOT NULL,
	witnessed_at BIGINT
);
CREATE INDEX audit_checkpoints_size ON audit_checkpoints (size, id);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_nodes;
DROP TABLE audit_tree;
DROP TRIGGER events_append_only_update ON events;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
DROP FUNCTION events_placed_once();
DROP INDEX events_unsequenced;
ALTER TABLE events DROP COLUMN leaf_hash;
