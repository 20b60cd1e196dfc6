package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/admit-project/admit"
)

// SetPassword stores the user's password hash ("" removes it). ENOTFOUND.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		return mustAffect(res, err, "user")
	})
}

// FindPassword returns the user's password hash, "" when none is set.
// ENOTFOUND.
func (db *DB) FindPassword(ctx context.Context, userID int64) (string, error) {
	var hash string
	err := db.rdb.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("user")
	}
	return hash, err
}

// UpdateUser saves u's name, role and timezone. ENOTFOUND.
func (db *DB) UpdateUser(ctx context.Context, u *admit.User) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, timezone = ? WHERE id = ?`,
			u.Name, string(u.Role), u.Timezone, u.ID)
		return mustAffect(res, err, "user")
	})
}

// DeleteUser removes the user; its meetings pass to transferTo and its
// personal room is deleted. ENOTFOUND; EINVALID (field "transfer_to").
func (db *DB) DeleteUser(ctx context.Context, userID, transferTo int64, now time.Time) error {
	now = now.UTC()
	return db.write(ctx, func(ctx context.Context, tx *wtx) error {
		var acct, toAcct int64
		if err := tx.QueryRowContext(ctx, `SELECT account_id FROM users WHERE id = ?`, userID).Scan(&acct); errors.Is(err, sql.ErrNoRows) {
			return notFound("user")
		} else if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT account_id FROM users WHERE id = ?`, transferTo).Scan(&toAcct); errors.Is(err, sql.ErrNoRows) {
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
		err := tx.QueryRowContext(ctx, `SELECT pk FROM meetings WHERE host_id = ? AND kind = ? AND deleted_at IS NULL`,
			userID, string(admit.KindPersonal)).Scan(&room)
		if err == nil {
			if err := deleteMeeting(ctx, tx, room, now); err != nil {
				return err
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET host_id = ?, updated_at = ? WHERE host_id = ?`,
			transferTo, nanos(now), userID); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM sessions WHERE user_id = ?`,
			`DELETE FROM one_time_links WHERE user_id = ?`,
			`DELETE FROM api_tokens WHERE user_id = ?`,
			`DELETE FROM users WHERE id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateSession inserts s, setting s.ID.
func (db *DB) CreateSession(ctx context.Context, s *admit.Session) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO sessions (idx, user_id, csrf, created_at, expires_at, last_seen)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, s.Index, s.UserID, s.CSRF,
			nanos(s.CreatedAt), nanos(s.ExpiresAt), nanos(s.LastSeen)).Scan(&s.ID)
	})
}

// FindSession returns the session with the index. ENOTFOUND.
func (db *DB) FindSession(ctx context.Context, index []byte) (*admit.Session, error) {
	var s admit.Session
	var created, expires, seen int64
	err := db.rdb.QueryRowContext(ctx, `SELECT id, idx, user_id, csrf, created_at, expires_at, last_seen
		FROM sessions WHERE idx = ?`, index).Scan(&s.ID, &s.Index, &s.UserID, &s.CSRF, &created, &expires, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("session")
	} else if err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = fromNanos(created), fromNanos(expires), fromNanos(seen)
	return &s, nil
}

// TouchSession sets the session's LastSeen. ENOTFOUND.
func (db *DB) TouchSession(ctx context.Context, id int64, at time.Time) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id = ?`, nanos(at), id)
		return mustAffect(res, err, "session")
	})
}

// DeleteSession removes one session. ENOTFOUND.
func (db *DB) DeleteSession(ctx context.Context, id int64) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return mustAffect(res, err, "session")
	})
}

// DeleteUserSessions removes every session of the user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// DeleteUserLinks removes every outstanding one-time link of the user.
func (db *DB) DeleteUserLinks(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM one_time_links WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// CreateOneTimeLink inserts l, setting l.ID.
func (db *DB) CreateOneTimeLink(ctx context.Context, l *admit.OneTimeLink) error {
	return db.writeOne(ctx, func(ctx context.Context, tx *wtx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO one_time_links (idx, purpose, user_id, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, l.Index, l.Purpose, nullInt64(l.UserID),
			nanos(l.CreatedAt), nanos(l.ExpiresAt)).Scan(&l.ID)
	})
}

// UseOneTimeLink marks the unused, unexpired link used at now and returns
// it. ENOTFOUND otherwise.
func (db *DB) UseOneTimeLink(ctx context.Context, index []byte, purpose string, now time.Time) (*admit.OneTimeLink, error) {
	var l admit.OneTimeLink
	var user sql.NullInt64
	var created, expires int64
	err := db.write(ctx, func(ctx context.Context, tx *wtx) error {
		err := tx.QueryRowContext(ctx, `UPDATE one_time_links SET used_at = ?1
			WHERE idx = ?2 AND purpose = ?3 AND used_at IS NULL AND expires_at > ?1
			RETURNING id, idx, purpose, user_id, created_at, expires_at`, nanos(now), index, purpose).
			Scan(&l.ID, &l.Index, &l.Purpose, &user, &created, &expires)
		if err != nil || purpose != admit.LinkSetup {
			return err
		}
		// Using one set-up link uses them all (every start prints its own),
		// so that two links used at once make one owner.
		_, err = tx.ExecContext(ctx, `UPDATE one_time_links SET used_at = ? WHERE purpose = ? AND used_at IS NULL`, nanos(now), admit.LinkSetup)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "This link is not valid: it may have been used or have expired."}
	} else if err != nil {
		return nil, err
	}
	l.UserID, l.CreatedAt, l.ExpiresAt, l.UsedAt = user.Int64, fromNanos(created), fromNanos(expires), now.UTC()
	return &l, nil
}
