-- Web sign-in (admit.AuthStore): users' password hashes, sessions and
-- one-time links. Session cookies and link tokens are stored only as keyed
-- hashes (idx), so a copy of the database signs nobody in.

-- +goose Up
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY,
	idx        BLOB    NOT NULL UNIQUE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	csrf       BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_links (
	id         INTEGER PRIMARY KEY,
	idx        BLOB    NOT NULL UNIQUE,
	purpose    TEXT    NOT NULL,
	user_id    INTEGER REFERENCES users (id), -- NULL for the set-up link
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);
CREATE INDEX one_time_links_user ON one_time_links (user_id);

-- +goose Down
DROP TABLE one_time_links;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN password_hash;
