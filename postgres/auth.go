package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit"
)

// SetPassword stores the user's password hash ("" removes it). ENOTFOUND.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	return mustAffect(tag, err, "user")
}

// FindPassword returns the user's password hash, "" when none is set.
// ENOTFOUND.
func (db *DB) FindPassword(ctx context.Context, userID int64) (string, error) {
	var hash string
	err := db.pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", notFound("user")
	}
	return hash, err
}

// UpdateUser saves u's name, role and timezone. ENOTFOUND.
func (db *DB) UpdateUser(ctx context.Context, u *admit.User) error {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET name = $1, role = $2, timezone = $3 WHERE id = $4`,
		u.Name, string(u.Role), u.Timezone, u.ID)
	return mustAffect(tag, err, "user")
}

// DeleteUser removes the user, in one transaction: its meetings pass to
// transferTo, its personal room is deleted as DeleteMeeting does, and its
// sessions, one-time links and API tokens are removed. ENOTFOUND; EINVALID
// (field "transfer_to").
func (db *DB) DeleteUser(ctx context.Context, userID, transferTo int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, true, func(ctx context.Context, tx pgx.Tx) error {
		var acct, toAcct int64
		// Both rows locked, so that neither goes while its meetings move
		// (transferTo stays, so its key is left free for new references).
		if err := tx.QueryRow(ctx, `SELECT account_id FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&acct); errors.Is(err, pgx.ErrNoRows) {
			return notFound("user")
		} else if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT account_id FROM users WHERE id = $1 FOR NO KEY UPDATE`, transferTo).Scan(&toAcct); errors.Is(err, pgx.ErrNoRows) {
			return notFound("user")
		} else if err != nil {
			return err
		}
		if transferTo == userID || toAcct != acct {
			return admit.FieldErrorf("transfer_to", "transfer_to must be another user of the same account")
		}
		// The personal room is deleted as DeleteMeeting deletes a meeting;
		// it passes to transferTo only so that the user row can go.
		var room int64
		err := tx.QueryRow(ctx, `SELECT pk FROM meetings WHERE host_id = $1 AND kind = $2 AND deleted_at IS NULL`,
			userID, string(admit.KindPersonal)).Scan(&room)
		if err == nil {
			if err := deleteMeeting(ctx, tx, room, now); err != nil {
				return err
			}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET host_id = $1, updated_at = $2 WHERE host_id = $3`,
			transferTo, nanos(now), userID); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM sessions WHERE user_id = $1`,
			`DELETE FROM one_time_links WHERE user_id = $1`,
			`DELETE FROM api_tokens WHERE user_id = $1`,
			`DELETE FROM users WHERE id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, userID); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateSession inserts s, setting s.ID.
func (db *DB) CreateSession(ctx context.Context, s *admit.Session) error {
	return db.pool.QueryRow(ctx, `INSERT INTO sessions (idx, user_id, csrf, created_at, expires_at, last_seen)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, s.Index, s.UserID, s.CSRF,
		nanos(s.CreatedAt), nanos(s.ExpiresAt), nanos(s.LastSeen)).Scan(&s.ID)
}

// FindSession returns the session with the index. ENOTFOUND.
func (db *DB) FindSession(ctx context.Context, index []byte) (*admit.Session, error) {
	var s admit.Session
	var created, expires, seen int64
	err := db.pool.QueryRow(ctx, `SELECT id, idx, user_id, csrf, created_at, expires_at, last_seen
		FROM sessions WHERE idx = $1`, index).Scan(&s.ID, &s.Index, &s.UserID, &s.CSRF, &created, &expires, &seen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("session")
	} else if err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = fromNanos(created), fromNanos(expires), fromNanos(seen)
	return &s, nil
}

// TouchSession sets the session's LastSeen. ENOTFOUND.
func (db *DB) TouchSession(ctx context.Context, id int64, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE sessions SET last_seen = $1 WHERE id = $2`, nanos(at), id)
	return mustAffect(tag, err, "session")
}

// DeleteSession removes one session. ENOTFOUND.
func (db *DB) DeleteSession(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return mustAffect(tag, err, "session")
}

// DeleteUserSessions removes every session of the user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// DeleteUserLinks removes every outstanding one-time link of the user.
func (db *DB) DeleteUserLinks(ctx context.Context, userID int64) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM one_time_links WHERE user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// CreateOneTimeLink inserts l, setting l.ID.
func (db *DB) CreateOneTimeLink(ctx context.Context, l *admit.OneTimeLink) error {
	return db.pool.QueryRow(ctx, `INSERT INTO one_time_links (idx, purpose, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, l.Index, l.Purpose, nullInt64(l.UserID),
		nanos(l.CreatedAt), nanos(l.ExpiresAt)).Scan(&l.ID)
}

// UseOneTimeLink marks the unused, unexpired link used at now and returns
// it, in one conditional UPDATE: of concurrent calls on any node, one
// succeeds. ENOTFOUND otherwise.
func (db *DB) UseOneTimeLink(ctx context.Context, index []byte, purpose string, now time.Time) (*admit.OneTimeLink, error) {
	var l admit.OneTimeLink
	var user *int64
	var created, expires int64
	err := db.write(ctx, false, func(ctx context.Context, tx pgx.Tx) error {
		user = nil
		err := tx.QueryRow(ctx, `UPDATE one_time_links SET used_at = $1
			WHERE idx = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
			RETURNING id, idx, purpose, user_id, created_at, expires_at`, nanos(now), index, purpose).
			Scan(&l.ID, &l.Index, &l.Purpose, &user, &created, &expires)
		if err != nil || purpose != admit.LinkSetup {
			return err
		}
		// Using one set-up link uses them all (each node prints its own), so
		// that links used at once on two nodes make one owner: the second
		// waits for the first's row locks, then finds its link used (or, as a
		// deadlock victim, runs again and finds the same).
		_, err = tx.Exec(ctx, `UPDATE one_time_links SET used_at = $1 WHERE purpose = $2 AND used_at IS NULL`, nanos(now), admit.LinkSetup)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "This link is not valid: it may have been used or have expired."}
	} else if err != nil {
		return nil, err
	}
	if user != nil {
		l.UserID = *user
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = fromNanos(created), fromNanos(expires), now.UTC()
	return &l, nil
}
