package app

import (
	"context"
	"strings"

	"github.com/admit-project/admit"
)

// Single sign-on: an account's identity provider (settings sealed at rest),
// and the sign-in of a person the provider vouched for (package oidc does
// the protocol; the edges hand its admit.VerifiedIdentity here).

// ssoStore returns the store's single sign-on half, when it has one.
func (s *Service) ssoStore() (admit.SSOStore, error) {
	st, ok := s.Store.(admit.SSOStore)
	if !ok {
		return nil, admit.Errorf(admit.EINTERNAL, "the store does not keep identity providers")
	}
	return st, nil
}

// providerSecretAD is the associated data of a provider's sealed client
// secret: the secret opens only for its account.
func providerSecretAD(accountID int64) []byte {
	return []byte("identity-provider-secret:" + itoa(accountID))
}

// sessionTokenAD is the associated data of a session's sealed ID token.
func sessionTokenAD(sessionID int64) []byte {
	return []byte("session-id-token:" + itoa(sessionID))
}

// IdentityProvider returns the account's provider with its client secret
// opened, for the relying party. ENOTFOUND when the account has none.
func (s *Service) IdentityProvider(ctx context.Context, accountID int64) (*admit.IdentityProvider, error) {
	st, err := s.ssoStore()
	if err != nil {
		return nil, err
	}
	sp, err := st.FindIdentityProvider(ctx, accountID)
	if err != nil {
		return nil, err
	}
	p := sp.IdentityProvider
	if sp.SealedSecret != nil {
		plain, err := s.Keys.Open(sp.SealedSecret, providerSecretAD(accountID))
		if err != nil {
			return nil, err
		}
		p.ClientSecret = string(plain)
	}
	return &p, nil
}

// DefaultIdentityProvider returns the provider of the default account, the
// one the sign-in page offers. ENOTFOUND when there is none.
func (s *Service) DefaultIdentityProvider(ctx context.Context) (*admit.IdentityProvider, error) {
	acct, err := s.Store.FindDefaultAccount(ctx)
	if err != nil {
		return nil, err
	}
	return s.IdentityProvider(ctx, acct.ID)
}

// ProviderSettings returns the actor's account's provider without its
// client secret (HasSecret says whether one is set). Owners and admins
// only: EFORBIDDEN; ENOTFOUND when there is none.
func (s *Service) ProviderSettings(ctx context.Context, a *admit.Actor) (*admit.IdentityProvider, bool, error) {
	if err := requireManager(a, admit.ScopeRead); err != nil {
		return nil, false, err
	}
	p, err := s.IdentityProvider(ctx, a.User.AccountID)
	if err != nil {
		return nil, false, err
	}
	has := p.ClientSecret != ""
	p.ClientSecret = ""
	return p, has, nil
}

// requireManager checks scope and that the actor may manage the account.
func requireManager(a *admit.Actor, scope string) error {
	if err := require(a, scope); err != nil {
		return err
	}
	if !a.User.CanManageAccount() {
		return admit.Errorf(admit.EFORBIDDEN, "Only the account's owner and admins may manage single sign-on.")
	}
	return nil
}

// SetIdentityProvider validates and stores the actor's account's provider,
// its client secret sealed. keepSecret keeps the stored secret when p's is
// empty (a form that does not show it). Owners and admins only:
// EFORBIDDEN; EINVALID naming the field. Audited as sso.provider_set.
func (s *Service) SetIdentityProvider(ctx context.Context, a *admit.Actor, p *admit.IdentityProvider, keepSecret bool) (*admit.IdentityProvider, error) {
	if err := requireManager(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	st, err := s.ssoStore()
	if err != nil {
		return nil, err
	}
	in := *p
	in.AccountID = a.User.AccountID
	in.UpdatedAt = s.now()
	if keepSecret && in.ClientSecret == "" {
		if old, err := s.IdentityProvider(ctx, in.AccountID); err == nil {
			in.ClientSecret = old.ClientSecret
		} else if admit.ErrorCode(err) != admit.ENOTFOUND {
			return nil, err
		}
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	sp := &admit.StoredIdentityProvider{IdentityProvider: in}
	sp.ClientSecret = ""
	if in.ClientSecret != "" {
		if sp.SealedSecret, err = s.Keys.Seal([]byte(in.ClientSecret), providerSecretAD(in.AccountID)); err != nil {
			return nil, err
		}
	}
	if err := st.PutIdentityProvider(ctx, sp); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: in.AccountID, Actor: actorName(a), Action: "sso.provider_set", Target: "account:" + itoa(in.AccountID),
		Source: actorSource(a), Outcome: "ok", Detail: "issuer=" + in.Issuer + " client_id=" + in.ClientID + " sso_only=" + boolText(in.SSOOnly)})
	out := in
	out.ClientSecret = ""
	return &out, nil
}

// DeleteIdentityProvider disconnects the actor's account's provider (its
// users keep their accounts; linked sign-ins are forgotten). Owners and
// admins only: EFORBIDDEN; ENOTFOUND. Audited as sso.provider_deleted.
func (s *Service) DeleteIdentityProvider(ctx context.Context, a *admit.Actor) error {
	if err := requireManager(a, admit.ScopeManage); err != nil {
		return err
	}
	st, err := s.ssoStore()
	if err != nil {
		return err
	}
	if err := st.DeleteIdentityProvider(ctx, a.User.AccountID); err != nil {
		return err
	}
	s.event(ctx, &admit.Event{AccountID: a.User.AccountID, Actor: actorName(a), Action: "sso.provider_deleted",
		Target: "account:" + itoa(a.User.AccountID), Source: actorSource(a), Outcome: "ok"})
	return nil
}

// PasswordAllowed reports whether u may sign in with a password: not when
// the account's provider is "SSO only", except for the owner.
func (s *Service) PasswordAllowed(ctx context.Context, u *admit.User) (bool, error) {
	if _, ok := s.Store.(admit.SSOStore); !ok {
		return true, nil
	}
	p, err := s.IdentityProvider(ctx, u.AccountID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return true, nil
	} else if err != nil {
		return false, err
	}
	return p.AllowsPassword(u), nil
}

// RecordRefusedSignIn audits a sign-in with the account's provider that
// was refused before it reached SignInWithIdentity (bad state, nonce,
// audience...), with its reason.
func (s *Service) RecordRefusedSignIn(ctx context.Context, accountID int64, err error, source string) {
	reason := admit.SignInReasonOf(err)
	if reason == "" {
		reason = "internal"
	}
	s.event(ctx, &admit.Event{AccountID: accountID, Actor: "anonymous", Action: "user.signin_failed", Source: source,
		Outcome: "failed", Detail: "sso: " + string(reason)})
}

// SignInWithIdentity signs in the person the account's provider vouched
// for: it decides the provisioning (admit.DecideProvisioning), creates the
// user on first sign-in or updates name and role, links the subject, and
// makes a session that keeps the ID token sealed for the provider's
// logout. A refusal is an *admit.SignInError (uniform to the person).
// Audited as user.signin (provider and subject), user.provisioned,
// user.role_changed, or user.signin_failed with the reason.
func (s *Service) SignInWithIdentity(ctx context.Context, accountID int64, id *admit.VerifiedIdentity, idToken, source string) (*admit.WebSession, error) {
	st, err := s.ssoStore()
	if err != nil {
		return nil, err
	}
	refuse := func(u *admit.User, err error) (*admit.WebSession, error) {
		e := &admit.Event{AccountID: accountID, Actor: "anonymous", Action: "user.signin_failed", Source: source, Outcome: "failed",
			Detail: "sso: " + string(admit.SignInReasonOf(err)) + " issuer=" + id.Issuer + " subject=" + id.Subject}
		if u != nil {
			e.Target = "user:" + itoa(u.ID)
		}
		s.event(ctx, e)
		return nil, err
	}
	p, err := s.IdentityProvider(ctx, accountID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return refuse(nil, &admit.SignInError{Reason: admit.SignInNotConfigured})
	} else if err != nil {
		return nil, err
	}
	var u *admit.User
	linked := ""
	link, err := st.FindUserIdentity(ctx, accountID, id.Issuer, id.Subject)
	switch {
	case err == nil:
		if u, err = s.Store.FindUserByID(ctx, link.UserID); err != nil {
			return nil, err
		}
		linked = id.Subject
	case admit.ErrorCode(err) == admit.ENOTFOUND:
		byEmail, err := s.Store.FindUserByEmail(ctx, strings.ToLower(strings.TrimSpace(id.Email)))
		if err == nil {
			if byEmail.AccountID != accountID {
				return refuse(nil, &admit.SignInError{Reason: admit.SignInEmailTaken})
			}
			u = byEmail
			if other, err := st.FindIdentityOfUser(ctx, u.ID, id.Issuer); err == nil {
				linked = other.Subject
			} else if admit.ErrorCode(err) != admit.ENOTFOUND {
				return nil, err
			}
		} else if admit.ErrorCode(err) != admit.ENOTFOUND {
			return nil, err
		}
	default:
		return nil, err
	}
	d, err := admit.DecideProvisioning(admit.ProvisionInput{Provider: p, Identity: id, User: u, LinkedSubject: linked})
	if err != nil {
		return refuse(u, err)
	}
	subject := " issuer=" + id.Issuer + " subject=" + id.Subject
	switch d.Action {
	case admit.ProvisionCreate:
		u = &admit.User{AccountID: accountID, Email: d.Email, Name: d.Name, Role: d.Role}
		if err := s.Store.CreateUser(ctx, u); admit.ErrorCode(err) == admit.ECONFLICT {
			return refuse(nil, &admit.SignInError{Reason: admit.SignInEmailTaken, Err: err})
		} else if err != nil {
			return nil, err
		}
		s.event(ctx, &admit.Event{AccountID: accountID, Actor: "sso", Action: "user.provisioned", Target: "user:" + itoa(u.ID),
			Source: source, Outcome: "ok", Detail: "role=" + string(d.Role) + subject})
	case admit.ProvisionUpdate:
		if d.NameChanged || d.RoleChanged() {
			prev := u.Role
			u.Name, u.Role = d.Name, d.Role
			if err := s.Store.UpdateUser(ctx, u); err != nil {
				return nil, err
			}
			if d.RoleChanged() {
				s.event(ctx, &admit.Event{AccountID: accountID, Actor: "sso", Action: "user.role_changed", Target: "user:" + itoa(u.ID),
					Source: source, Outcome: "ok", Detail: string(prev) + " -> " + string(d.Role) + " (by the identity provider)"})
			}
		}
	}
	if d.Link {
		if err := st.LinkUserIdentity(ctx, accountID, &admit.ExternalIdentity{UserID: u.ID, Issuer: id.Issuer, Subject: id.Subject}, s.now()); err != nil {
			if admit.ErrorCode(err) == admit.ECONFLICT {
				return refuse(u, &admit.SignInError{Reason: admit.SignInSubjectConflict, Err: err})
			}
			return nil, err
		}
	}
	ws, err := s.newSession(ctx, u, source)
	if err != nil {
		return nil, err
	}
	if idToken != "" {
		sealed, err := s.Keys.Seal([]byte(idToken), sessionTokenAD(ws.Session.ID))
		if err != nil {
			return nil, err
		}
		if err := st.SetSessionIDToken(ctx, ws.Session.ID, sealed); err != nil {
			return nil, err
		}
	}
	s.event(ctx, &admit.Event{AccountID: accountID, Actor: "user:" + itoa(u.ID), Action: "user.signin", Target: "user:" + itoa(u.ID),
		Source: source, Outcome: "ok", Detail: "sso" + subject})
	return ws, nil
}

// SessionIDToken returns the ID token the session signed in with, "" for
// a password session: the hint of the provider's logout.
func (s *Service) SessionIDToken(ctx context.Context, w *admit.WebSession) (string, error) {
	st, err := s.ssoStore()
	if err != nil {
		return "", nil
	}
	sealed, err := st.FindSessionIDToken(ctx, w.Session.ID)
	if err != nil || sealed == nil {
		return "", err
	}
	plain, err := s.Keys.Open(sealed, sessionTokenAD(w.Session.ID))
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// checkSignInSetting refuses a meeting's (or the account defaults')
// authentication that requires sign-in when the account has no identity
// provider (EINVALID naming field.authentication).
func (s *Service) checkSignInSetting(ctx context.Context, accountID int64, sec *admit.Security, field string) error {
	if !sec.SignIn().Authentication.RequiresSignIn() {
		return nil
	}
	if _, ok := s.Store.(admit.SSOStore); ok {
		if _, err := s.IdentityProvider(ctx, accountID); err == nil {
			return nil
		} else if admit.ErrorCode(err) != admit.ENOTFOUND {
			return err
		}
	}
	return admit.FieldErrorf(field+".authentication", "%s.authentication %s needs the account's identity provider: connect one in the settings first", field, sec.Authentication)
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

var _ admit.SSOService = (*Service)(nil)
