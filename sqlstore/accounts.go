package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/rowscan"
)

const accountColumns = `id, name, plan, security, created_at`

// CreateAccount inserts a, setting a.ID and a.CreatedAt.
func (s *Shared) CreateAccount(ctx context.Context, a *admit.Account) error {
	sec, err := json.Marshal(a.Security)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	var id int64
	err = s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		return q.QueryRow(ctx, `INSERT INTO accounts (name, plan, security, created_at)
			VALUES (?, ?, ?, ?) RETURNING id`, a.Name, string(a.Plan), string(sec), Nanos(now)).Scan(&id)
	})
	if err != nil {
		return err
	}
	a.ID, a.CreatedAt = id, now
	return nil
}

// FindAccountByID returns the account, or ENOTFOUND.
func (s *Shared) FindAccountByID(ctx context.Context, id int64) (*admit.Account, error) {
	return QueryOne(ctx, s.Read, rowscan.Account, "account", `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id)
}

// FindDefaultAccount returns the first account created, or ENOTFOUND.
func (s *Shared) FindDefaultAccount(ctx context.Context) (*admit.Account, error) {
	return QueryOne(ctx, s.Read, rowscan.Account, "account", `SELECT `+accountColumns+` FROM accounts ORDER BY id LIMIT 1`)
}

// UpdateAccount saves a's name, plan and security. ENOTFOUND.
func (s *Shared) UpdateAccount(ctx context.Context, a *admit.Account) error {
	sec, err := json.Marshal(a.Security)
	if err != nil {
		return err
	}
	return s.mustChange(ctx, "account", `UPDATE accounts SET name = ?, plan = ?, security = ? WHERE id = ?`,
		a.Name, string(a.Plan), string(sec), a.ID)
}

// exec runs one statement in a write of its own.
func (s *Shared) exec(ctx context.Context, query string, args ...any) error {
	return s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		_, err := q.Exec(ctx, query, args...)
		return err
	})
}

// mustChange runs one statement in a write of its own: ENOTFOUND (naming
// what) when it changes no row.
func (s *Shared) mustChange(ctx context.Context, what, query string, args ...any) error {
	return s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) error {
		n, err := q.Exec(ctx, query, args...)
		if err == nil && n == 0 {
			err = NotFound(what)
		}
		return err
	})
}

// execCount runs one statement in a write of its own and returns how many
// rows it changed.
func (s *Shared) execCount(ctx context.Context, query string, args ...any) (int, error) {
	var n int64
	err := s.Write(ctx, Write{One: true}, func(ctx context.Context, q Querier) (err error) {
		n, err = q.Exec(ctx, query, args...)
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
