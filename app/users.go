package app

import (
	"context"
	"strings"

	"github.com/admit-project/admit"
)

// EnsureDefaultAccount returns the deployment's default account, creating it
// on first start (created reports that).
func (s *Service) EnsureDefaultAccount(ctx context.Context) (a *admit.Account, created bool, err error) {
	a, err = s.Store.FindDefaultAccount(ctx)
	if err == nil {
		return a, false, nil
	} else if admit.ErrorCode(err) != admit.ENOTFOUND {
		return nil, false, err
	}
	a = &admit.Account{Name: "Default", Plan: admit.PlanFree, Security: admit.DefaultAccountSecurity()}
	if err := s.Store.CreateAccount(ctx, a); err != nil {
		return nil, false, err
	}
	s.event(ctx, &admit.Event{AccountID: a.ID, Actor: "system", Action: "account.create", Target: "account:" + itoa(a.ID), Outcome: "ok"})
	return a, true, nil
}

// CreateUser adds a user to an account and makes their personal meeting
// room. Returns EINVALID for a bad email, name or role, ECONFLICT when the
// email is taken.
func (s *Service) CreateUser(ctx context.Context, accountID int64, email, name string, role admit.Role) (*admit.User, error) {
	email, err := admit.ValidateEmail("email", email, false)
	if err != nil {
		return nil, err
	}
	if name, err = admit.ValidateName("name", name); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, admit.FieldErrorf("role", "role must be owner, admin or host")
	}
	acct, err := s.Store.FindAccountByID(ctx, accountID)
	if err != nil {
		return nil, err
	}
	u := &admit.User{AccountID: accountID, Email: email, Name: name, Role: role} // no zone yet: the browser proposes one (ProposeTimezone)
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	if _, err := s.createPersonalRoom(ctx, acct, u); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: accountID, Actor: "system", Action: "user.create", Target: "user:" + itoa(u.ID), Outcome: "ok"})
	return u, nil
}

// CreateAPIToken makes a new 128-bit API token for the user and returns it;
// only its keyed hash is stored. Scopes default to manage.
func (s *Service) CreateAPIToken(ctx context.Context, userID int64, scopes []string) (string, error) {
	u, err := s.Store.FindUserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	if len(scopes) == 0 {
		scopes = []string{admit.ScopeManage}
	}
	for _, sc := range scopes {
		if sc != admit.ScopeRead && sc != admit.ScopeManage {
			return "", admit.FieldErrorf("scopes", "scope %q is not read or manage", sc)
		}
	}
	raw, err := admit.RandomToken(s.Rand, 16)
	if err != nil {
		return "", err
	}
	token := "adm_" + raw
	t := &admit.APIToken{UserID: u.ID, Index: s.APITokenIndex(token), Scopes: scopes}
	if err := s.Store.CreateAPIToken(ctx, t); err != nil {
		return "", err
	}
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: "user:" + itoa(u.ID), Action: "token.create", Target: "token:" + itoa(t.ID), Outcome: "ok", Detail: strings.Join(scopes, ",")})
	return token, nil
}

// Authenticate returns the actor an API token belongs to. EUNAUTHORIZED for
// any unknown or malformed token.
func (s *Service) Authenticate(ctx context.Context, token, source string) (*admit.Actor, error) {
	unauthorized := &admit.Error{Code: admit.EUNAUTHORIZED, Message: "A valid API token is required."}
	if !strings.HasPrefix(token, "adm_") || len(token) > 64 {
		return nil, unauthorized
	}
	t, err := s.Store.FindAPIToken(ctx, s.APITokenIndex(token))
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if t.Expired(s.now()) {
		return nil, &admit.Error{Code: admit.EUNAUTHORIZED, Message: "This API token expired; make a new one."}
	}
	u, err := s.Store.FindUserByID(ctx, t.UserID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	return &admit.Actor{User: u, Token: t, Source: source}, nil
}
