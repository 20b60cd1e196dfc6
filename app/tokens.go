package app

import (
	"context"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// IssueAPIToken makes an API token for the actor's own user (see
// admit.TokenService).
func (s *Service) IssueAPIToken(ctx context.Context, a *admit.Actor, in *admit.APITokenInput) (string, *admit.APIToken, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return "", nil, err
	}
	scopes := in.Scopes
	if len(scopes) == 0 {
		scopes = []string{admit.ScopeManage}
	}
	for _, sc := range scopes {
		if sc != admit.ScopeRead && sc != admit.ScopeManage {
			return "", nil, admit.FieldErrorf("scopes", "scope %q is not read or manage", sc)
		}
	}
	name := strings.TrimSpace(in.Name)
	if name != "" {
		var err error
		if name, err = admit.ValidateDisplayName("name", name); err != nil {
			return "", nil, err
		}
	}
	life := admit.DefaultAPITokenLifetime
	if in.ExpiresIn != "" {
		d, err := time.ParseDuration(in.ExpiresIn)
		if err != nil || d < time.Minute || d > admit.MaxAPITokenLifetime {
			return "", nil, admit.FieldErrorf("expires_in", "expires_in must be a duration from 1m to %s, like \"720h\"", admit.MaxAPITokenLifetime)
		}
		life = d
	}
	existing, err := s.Store.FindAPITokens(ctx, a.User.ID)
	if err != nil {
		return "", nil, err
	}
	if len(existing) >= admit.MaxAPITokensPerUser {
		return "", nil, &admit.Error{Code: admit.ECONFLICT, Message: "You have the most API tokens one may have; revoke one first."}
	}
	raw, err := admit.RandomToken(s.Rand, 16)
	if err != nil {
		return "", nil, err
	}
	token := "adm_" + raw
	exp := s.now().Add(life)
	t := &admit.APIToken{UserID: a.User.ID, Index: s.APITokenIndex(token), Scopes: scopes, Name: name, ExpiresAt: &exp}
	if err := s.Store.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "token.create", Target: "token:" + itoa(t.ID),
		Source: actorSource(a), Outcome: "ok", Detail: strings.Join(scopes, ",") + " until " + exp.Format(time.RFC3339)})
	return token, t, nil
}

// APITokens lists the actor's own API tokens.
func (s *Service) APITokens(ctx context.Context, a *admit.Actor) ([]*admit.APIToken, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	ts, err := s.Store.FindAPITokens(ctx, a.User.ID)
	if ts == nil && err == nil {
		ts = []*admit.APIToken{}
	}
	return ts, err
}

// RevokeAPIToken deletes one of the actor's own API tokens; another user's
// token is answered as one that does not exist.
func (s *Service) RevokeAPIToken(ctx context.Context, a *admit.Actor, id int64) error {
	if err := require(a, admit.ScopeManage); err != nil {
		return err
	}
	if err := s.Store.DeleteAPIToken(ctx, a.User.ID, id); admit.ErrorCode(err) == admit.ENOTFOUND {
		return &admit.Error{Code: admit.ENOTFOUND, Message: "No such API token."}
	} else if err != nil {
		return err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "token.revoke", Target: "token:" + itoa(id), Source: actorSource(a), Outcome: "ok"})
	return nil
}

// revokeUserCredentials ends every API token and web session of a user
// (after a password change or their removal), and every one-time link they
// still have outstanding, and records it.
func (s *Service) revokeUserCredentials(ctx context.Context, u *admit.User, a *admit.Actor, why string) error {
	tokens, err := s.Store.DeleteUserAPITokens(ctx, u.ID)
	if err != nil {
		return err
	}
	if tokens > 0 {
		s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: actorName(a), Action: "token.revoke_all", Target: "user:" + itoa(u.ID),
			Source: actorSource(a), Outcome: "ok", Detail: why + ": " + itoa(int64(tokens)) + " tokens"})
	}
	return nil
}
