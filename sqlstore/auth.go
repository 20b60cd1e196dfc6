package sqlstore

import (
	"context"
	"time"

	"github.com/admit-project/admit"
)

// CreateSession inserts ses, setting ses.ID.
func (s *Shared) CreateSession(ctx context.Context, ses *admit.Session) error {
	return s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO sessions (idx, user_id, csrf, created_at, expires_at, last_seen)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, ses.Index, ses.UserID, ses.CSRF,
			Nanos(ses.CreatedAt), Nanos(ses.ExpiresAt), Nanos(ses.LastSeen)).Scan(&ses.ID)
	})
}

// FindSession returns the session with the index. ENOTFOUND.
func (s *Shared) FindSession(ctx context.Context, index []byte) (*admit.Session, error) {
	var ses admit.Session
	var created, expires, seen int64
	err := s.Read.QueryRow(ctx, `SELECT id, idx, user_id, csrf, created_at, expires_at, last_seen
		FROM sessions WHERE idx = ?`, index).Scan(&ses.ID, &ses.Index, &ses.UserID, &ses.CSRF, &created, &expires, &seen)
	if s.Read.NoRows(err) {
		return nil, NotFound("session")
	} else if err != nil {
		return nil, err
	}
	ses.CreatedAt, ses.ExpiresAt, ses.LastSeen = FromNanos(created), FromNanos(expires), FromNanos(seen)
	return &ses, nil
}

// TouchSession sets the session's LastSeen. ENOTFOUND.
func (s *Shared) TouchSession(ctx context.Context, id int64, at time.Time) error {
	return s.mustChange(ctx, "session", `UPDATE sessions SET last_seen = ? WHERE id = ?`, Nanos(at), id)
}

// DeleteSession removes one session. ENOTFOUND.
func (s *Shared) DeleteSession(ctx context.Context, id int64) error {
	return s.mustChange(ctx, "session", `DELETE FROM sessions WHERE id = ?`, id)
}

// DeleteUserSessions removes every session of the user.
func (s *Shared) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	return s.execCount(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteUserLinks removes every outstanding one-time link of the user.
func (s *Shared) DeleteUserLinks(ctx context.Context, userID int64) (int, error) {
	return s.execCount(ctx, `DELETE FROM one_time_links WHERE user_id = ?`, userID)
}

// CreateOneTimeLink inserts l, setting l.ID.
func (s *Shared) CreateOneTimeLink(ctx context.Context, l *admit.OneTimeLink) error {
	return s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO one_time_links (idx, purpose, user_id, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, l.Index, l.Purpose, NullInt64(l.UserID),
			Nanos(l.CreatedAt), Nanos(l.ExpiresAt)).Scan(&l.ID)
	})
}

// UseOneTimeLink marks the unused, unexpired link used at now and returns
// it, in one conditional UPDATE: of concurrent calls (on any node), one
// succeeds. ENOTFOUND otherwise.
func (s *Shared) UseOneTimeLink(ctx context.Context, index []byte, purpose string, now time.Time) (*admit.OneTimeLink, error) {
	var l admit.OneTimeLink
	var user *int64
	var created, expires int64
	err := s.Write(ctx, Write{}, func(ctx context.Context, q Querier) error {
		user = nil
		err := q.QueryRow(ctx, `UPDATE one_time_links SET used_at = ?
			WHERE idx = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
			RETURNING id, idx, purpose, user_id, created_at, expires_at`, Nanos(now), index, purpose, Nanos(now)).
			Scan(&l.ID, &l.Index, &l.Purpose, &user, &created, &expires)
		if err != nil || purpose != admit.LinkSetup {
			return err
		}
		// Using one set-up link uses them all (every start, on each node,
		// prints its own), so that two links used at once make one owner:
		// on PostgreSQL the second waits for the first's row locks, then
		// finds its link used (or, as a deadlock victim, runs again and
		// finds the same).
		_, err = q.Exec(ctx, `UPDATE one_time_links SET used_at = ? WHERE purpose = ? AND used_at IS NULL`, Nanos(now), admit.LinkSetup)
		return err
	})
	if s.Read.NoRows(err) {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "This link is not valid: it may have been used or have expired."}
	} else if err != nil {
		return nil, err
	}
	if user != nil {
		l.UserID = *user
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = FromNanos(created), FromNanos(expires), now.UTC()
	return &l, nil
}
