package admit

import (
	"net/mail"
	"strings"
	"time"
)

// Plan is an account's plan.
type Plan string

// Plans.
const (
	PlanFree Plan = "free"
	PlanPro  Plan = "pro" // may choose vanity personal meeting IDs
)

// Valid reports whether p is a known plan.
func (p Plan) Valid() bool { return p == PlanFree || p == PlanPro }

// Role is a user's role in an account.
type Role string

// Roles.
const (
	RoleOwner Role = "owner"
	RoleAdmin Role = "admin"
	RoleHost  Role = "host"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleAdmin || r == RoleHost }

// Account is an organisation: its plan, security defaults and users. Nothing
// crosses accounts.
type Account struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Plan      Plan            `json:"plan"`
	Security  AccountSecurity `json:"security"`
	CreatedAt time.Time       `json:"created_at"`
}

// User is a person who signs in to an account.
type User struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Timezone  string    `json:"timezone"`
	CreatedAt time.Time `json:"created_at"`
}

// CanManageAccount reports whether u may change the account's security defaults.
func (u *User) CanManageAccount() bool { return u.Role == RoleOwner || u.Role == RoleAdmin }

// Token scopes.
const (
	ScopeRead   = "read"
	ScopeManage = "manage"
)

// APIToken is a bearer token for the JSON API. Only its keyed hash is stored.
type APIToken struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Index     []byte     `json:"-"` // keyed HMAC of the token
	Scopes    []string   `json:"scopes"`
	Name      string     `json:"name"`                 // what the token is for, as its maker said
	ExpiresAt *time.Time `json:"expires_at,omitempty"` // nil: until revoked
	CreatedAt time.Time  `json:"created_at"`
}

// Expired reports whether the token's expiry is at or before now.
func (t *APIToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// Limits on API tokens.
const (
	// MaxAPITokenLifetime is the longest expiry a token may be given.
	MaxAPITokenLifetime = 366 * 24 * time.Hour
	// MaxAPITokensPerUser bounds one user's tokens.
	MaxAPITokensPerUser = 50
)

// HasScope reports whether the token carries scope (manage implies read).
func (t *APIToken) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope || (s == ScopeManage && scope == ScopeRead) {
			return true
		}
	}
	return false
}

// Contact is an entry of an account's address book.
type Contact struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"-"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	CreatedAt time.Time `json:"created_at"`
}

// ContactInput sets fields of a contact; nil fields are unchanged.
type ContactInput struct {
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Phone *string `json:"phone,omitempty"`
}

// Limits on names and addresses.
const (
	MaxNameLength  = 100
	MaxEmailLength = 254
	MaxPhoneLength = 32
)

// ValidateName checks a person's name.
func ValidateName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", FieldErrorf(field, "%s is required", field)
	}
	if len(name) > MaxNameLength {
		return "", FieldErrorf(field, "%s may have at most %d characters", field, MaxNameLength)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", FieldErrorf(field, "%s may not hold control characters", field)
		}
	}
	return name, nil
}

// ValidateEmail checks and normalises an email address ("" is allowed when
// optional).
func ValidateEmail(field, email string, optional bool) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		if optional {
			return "", nil
		}
		return "", FieldErrorf(field, "%s is required", field)
	}
	if len(email) > MaxEmailLength {
		return "", FieldErrorf(field, "%s may have at most %d characters", field, MaxEmailLength)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		return "", FieldErrorf(field, "%s is not a valid email address", field)
	}
	return strings.ToLower(email), nil
}

// ValidatePhone checks a phone number: digits with an optional leading +,
// spaces, dashes, dots and parentheses allowed.
func ValidatePhone(field, phone string) (string, error) {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return "", nil
	}
	if len(phone) > MaxPhoneLength {
		return "", FieldErrorf(field, "%s may have at most %d characters", field, MaxPhoneLength)
	}
	digits := 0
	for i, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", FieldErrorf(field, "%s may hold only digits, a leading +, spaces, dashes, dots and parentheses", field)
		}
	}
	if digits < 3 {
		return "", FieldErrorf(field, "%s has too few digits", field)
	}
	return phone, nil
}
