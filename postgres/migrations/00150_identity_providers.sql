-- Single sign-on (admit.IdentityProvider), as in
-- sqlite/migrations/00150_identity_providers.sql: an account's OpenID
-- Connect provider, the links of users to the provider's subjects, and the
-- ID token a session signed in with (for the provider's logout). The client
-- secret and the ID token are stored sealed (keys/).

-- +goose Up
CREATE TABLE identity_providers (
	account_id      BIGINT  PRIMARY KEY REFERENCES accounts (id),
	name            TEXT    NOT NULL,
	issuer          TEXT    NOT NULL,
	client_id       TEXT    NOT NULL,
	client_secret   BYTEA,            -- sealed; NULL for a public client
	allowed_domains TEXT    NOT NULL, -- JSON array of lower-case domains
	role_claim      TEXT    NOT NULL,
	role_mappings   TEXT    NOT NULL, -- JSON array of admit.RoleMapping
	default_role    TEXT    NOT NULL,
	sso_only        BOOLEAN NOT NULL,
	updated_at      BIGINT  NOT NULL
);

CREATE TABLE user_identities (
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	issuer     TEXT   NOT NULL,
	subject    TEXT   NOT NULL,
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (account_id, issuer, subject),
	UNIQUE (user_id, issuer)
);

ALTER TABLE sessions ADD COLUMN idp_id_token BYTEA; -- sealed; NULL for a password session

-- +goose Down
ALTER TABLE sessions DROP COLUMN idp_id_token;
DROP TABLE user_identities;
DROP TABLE identity_providers;
