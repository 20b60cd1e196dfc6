-- The per-source limits of nodes that share PostgreSQL without Redis
-- (postgres.Limiter). One row per active source, locked by every Reserve.
-- UNLOGGED: no WAL and no flush per attempt, as for counts kept in Redis;
-- after a crash of PostgreSQL (or a failover to a replica) the counts start
-- from zero, while the guess budgets, which are logged, still hold.

-- +goose Up
CREATE UNLOGGED TABLE source_limits (
    source     text PRIMARY KEY,
    -- failures in the window, by the time of the attempt (any order)
    failures   timestamptz[] NOT NULL DEFAULT '{}',
    -- reservations in flight: id -> expiry, microseconds since the epoch
    holds      jsonb NOT NULL DEFAULT '{}',
    -- when the row holds nothing any more (a sweep deletes it)
    expires_at timestamptz NOT NULL
);
CREATE INDEX source_limits_expires_at ON source_limits (expires_at);

-- +goose Down
DROP TABLE source_limits;
