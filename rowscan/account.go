package rowscan

import (
	"encoding/json"

	"github.com/admit-project/admit"
)

// Account reads the columns id, name, plan, security (JSON), created_at.
// A Security without locked settings reads as an empty Locked list.
func Account(row Scanner) (*admit.Account, error) {
	var a admit.Account
	var plan, sec string
	var created int64
	if err := row.Scan(&a.ID, &a.Name, &plan, &sec, &created); err != nil {
		return nil, err
	}
	a.Plan, a.CreatedAt = admit.Plan(plan), fromNanos(created)
	if err := json.Unmarshal([]byte(sec), &a.Security); err != nil {
		return nil, err
	}
	if a.Security.Locked == nil {
		a.Security.Locked = []string{}
	}
	return &a, nil
}

// User reads the columns id, account_id, email, name, role, timezone,
// created_at.
func User(row Scanner) (*admit.User, error) {
	var u admit.User
	var role string
	var created int64
	if err := row.Scan(&u.ID, &u.AccountID, &u.Email, &u.Name, &role, &u.Timezone, &created); err != nil {
		return nil, err
	}
	u.Role, u.CreatedAt = admit.Role(role), fromNanos(created)
	return &u, nil
}

// Contact reads the columns id, account_id, name, email, phone, created_at.
func Contact(row Scanner) (*admit.Contact, error) {
	var c admit.Contact
	var created int64
	if err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.Email, &c.Phone, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromNanos(created)
	return &c, nil
}

// APIToken reads the columns id, user_id, idx, scopes (JSON), created_at.
func APIToken(row Scanner) (*admit.APIToken, error) {
	var t admit.APIToken
	var scopes string
	var created int64
	if err := row.Scan(&t.ID, &t.UserID, &t.Index, &scopes, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = fromNanos(created)
	if err := json.Unmarshal([]byte(scopes), &t.Scopes); err != nil {
		return nil, err
	}
	return &t, nil
}
