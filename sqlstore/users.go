package sqlstore

import (
	"context"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

const userColumns = `id, account_id, email, name, role, timezone, created_at`

// CreateUser inserts u, setting u.ID and u.CreatedAt, in a write w of s.
// emailTaken tells whether an error of the INSERT says that the email is
// taken in any account (ECONFLICT, field "email"): the stores tell it their
// own way, SQLite by looking for the email after any constraint failed
// (two statements), PostgreSQL by the unique key's name (one).
func CreateUser(ctx context.Context, s *Shared, u *admit.User, w Write, emailTaken func(ctx context.Context, q Querier, err error) bool) error {
	now := s.Now().UTC()
	var id int64
	err := s.Write(ctx, w, func(ctx context.Context, q Querier) error {
		err := q.QueryRow(ctx, `INSERT INTO users (account_id, email, name, role, timezone, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			u.AccountID, u.Email, u.Name, string(u.Role), u.Timezone, Nanos(now)).Scan(&id)
		if err != nil && emailTaken(ctx, q, err) {
			return &admit.Error{Code: admit.ECONFLICT, Field: "email", Message: "This email address is already in use."}
		}
		return err
	})
	if err != nil {
		return err
	}
	u.ID, u.CreatedAt = id, now
	return nil
}

// FindUserByID returns the user, or ENOTFOUND.
func (s *Shared) FindUserByID(ctx context.Context, id int64) (*admit.User, error) {
	return QueryOne(ctx, s.Read, rowscan.User, "user", `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
}

// FindUserByEmail returns the user with the email, or ENOTFOUND.
func (s *Shared) FindUserByEmail(ctx context.Context, email string) (*admit.User, error) {
	return QueryOne(ctx, s.Read, rowscan.User, "user", `SELECT `+userColumns+` FROM users WHERE email = ?`, email)
}

// FindUsers lists an account's users by ID.
func (s *Shared) FindUsers(ctx context.Context, accountID int64) ([]*admit.User, error) {
	return QueryAll(ctx, s.Read, rowscan.User, `SELECT `+userColumns+` FROM users WHERE account_id = ? ORDER BY id`, accountID)
}

// SetPassword stores the user's password hash ("" removes it). ENOTFOUND.
func (s *Shared) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.mustChange(ctx, "user", `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
}

// FindPassword returns the user's password hash, "" when none is set.
// ENOTFOUND.
func (s *Shared) FindPassword(ctx context.Context, userID int64) (string, error) {
	var hash string
	err := s.Read.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash)
	if s.Read.NoRows(err) {
		return "", NotFound("user")
	}
	return hash, err
}

// UpdateUser saves u's name, role and timezone. ENOTFOUND.
func (s *Shared) UpdateUser(ctx context.Context, u *admit.User) error {
	return s.mustChange(ctx, "user", `UPDATE users SET name = ?, role = ?, timezone = ? WHERE id = ?`,
		u.Name, string(u.Role), u.Timezone, u.ID)
}

// DeleteUser removes the user in q, the store's transaction: its meetings
// pass to transferTo, its personal room is deleted by deleteRoom (the
// store's DeleteMeeting), and its sessions, one-time links and API tokens
// are removed. ENOTFOUND; EINVALID (field "transfer_to"). lockUser and
// lockTarget end the SELECTs of the user and of transferTo: PostgreSQL
// locks both rows there ("" where one writer runs at a time).
func DeleteUser(ctx context.Context, q Querier, userID, transferTo int64, now time.Time, lockUser, lockTarget string,
	deleteRoom func(pk int64) error) error {
	var acct, toAcct int64
	if err := q.QueryRow(ctx, `SELECT account_id FROM users WHERE id = ?`+lockUser, userID).Scan(&acct); q.NoRows(err) {
		return NotFound("user")
	} else if err != nil {
		return err
	}
	if err := q.QueryRow(ctx, `SELECT account_id FROM users WHERE id = ?`+lockTarget, transferTo).Scan(&toAcct); q.NoRows(err) {
		return NotFound("user")
	} else if err != nil {
		return err
	}
	if transferTo == userID || toAcct != acct {
		return admit.FieldErrorf("transfer_to", "transfer_to must be another user of the same account")
	}
	// The personal room is deleted as DeleteMeeting deletes a meeting;
	// it passes to transferTo only so that the user row can go.
	var room int64
	err := q.QueryRow(ctx, `SELECT pk FROM meetings WHERE host_id = ? AND kind = ? AND deleted_at IS NULL`,
		userID, string(admit.KindPersonal)).Scan(&room)
	if err == nil {
		if err := deleteRoom(room); err != nil {
			return err
		}
	} else if !q.NoRows(err) {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE meetings SET host_id = ?, updated_at = ? WHERE host_id = ?`,
		transferTo, Nanos(now), userID); err != nil {
		return err
	}
	for _, query := range []string{
		`DELETE FROM sessions WHERE user_id = ?`,
		`DELETE FROM one_time_links WHERE user_id = ?`,
		`DELETE FROM api_tokens WHERE user_id = ?`,
		`DELETE FROM users WHERE id = ?`,
	} {
		if _, err := q.Exec(ctx, query, userID); err != nil {
			return err
		}
	}
	return nil
}
