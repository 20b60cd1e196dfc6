package app

import (
	"context"
	"crypto/subtle"
	"io"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// sessionTouchEvery bounds the writes of LastSeen: a session used again
// within it is not written.
const sessionTouchEvery = time.Minute

// Purposes of the keyed indexes of sign-in secrets.
const (
	purposeSession = "web-session"
	purposeLink    = "one-time-link"
)

// authStore returns the store's sign-in half.
func (s *Service) authStore() (admit.AuthStore, error) {
	if s.Store == nil {
		return nil, admit.Errorf(admit.EINTERNAL, "no store")
	}
	return s.Store, nil
}

func (s *Service) hasher() (admit.PasswordHasher, error) {
	if s.Passwords == nil {
		return nil, admit.Errorf(admit.EINTERNAL, "no password hasher configured")
	}
	return s.Passwords, nil
}

// linkIndex is the keyed index of a one-time link's token.
func (s *Service) linkIndex(token string) []byte {
	return s.Keys.Index(purposeLink, []byte(token))
}

func (s *Service) sessionIndex(cookie string) []byte {
	return s.Keys.Index(purposeSession, []byte(cookie))
}

// HasUsers reports whether the default account has any user: until it
// does, the web app sends every host page to the set-up link.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	acct, err := s.Store.FindDefaultAccount(ctx)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	us, err := s.Store.FindUsers(ctx, acct.ID)
	return len(us) > 0, err
}

// SetupLink makes a one-time link (valid SetupLinkLifetime) to create the
// owner account, while the store has no user, and returns its URL
// (BaseURL/setup/TOKEN); "" when there are users already. Every call makes
// a new link; each works once.
func (s *Service) SetupLink(ctx context.Context) (string, error) {
	acct, _, err := s.EnsureDefaultAccount(ctx)
	if err != nil {
		return "", err
	}
	us, err := s.Store.FindUsers(ctx, acct.ID)
	if err != nil || len(us) > 0 {
		return "", err
	}
	token, err := s.newLink(ctx, admit.LinkSetup, 0, admit.SetupLinkLifetime)
	if err != nil {
		return "", err
	}
	s.event(ctx, &admit.Event{AccountID: acct.ID, Actor: "system", Action: "setup.link", Outcome: "ok"})
	return strings.TrimRight(s.BaseURL, "/") + "/setup/" + token, nil
}

// newLink stores a one-time link and returns its token (256 bits).
func (s *Service) newLink(ctx context.Context, purpose string, userID int64, life time.Duration) (string, error) {
	as, err := s.authStore()
	if err != nil {
		return "", err
	}
	token, err := admit.RandomToken(s.Rand, 32)
	if err != nil {
		return "", err
	}
	now := s.now()
	l := &admit.OneTimeLink{Index: s.linkIndex(token), Purpose: purpose, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := as.CreateOneTimeLink(ctx, l); err != nil {
		return "", err
	}
	return token, nil
}

// badLink is the one answer to a link that is unknown, used, expired or of
// another purpose.
func badLink() *admit.Error {
	return &admit.Error{Code: admit.ENOTFOUND, Message: "This link is not valid: it was used already, it expired, or it was copied incompletely."}
}

// CompleteSetup uses the set-up link token to create the owner with a
// password and signs them in. Fields are checked before the link is used,
// so that a typo does not burn it. EINVALID names a bad field; ENOTFOUND for
// a link that does not work (one answer for every reason); ECONFLICT when
// the store has users already.
func (s *Service) CompleteSetup(ctx context.Context, token string, in admit.SetupInput, source string) (*admit.WebSession, error) {
	as, err := s.authStore()
	if err != nil {
		return nil, err
	}
	h, err := s.hasher()
	if err != nil {
		return nil, err
	}
	name, err := admit.ValidateName("name", in.Name)
	if err != nil {
		return nil, err
	}
	email, err := admit.ValidateEmail("email", in.Email, false)
	if err != nil {
		return nil, err
	}
	if err := s.checkNewPassword(in.Password, in.PasswordConfirm, email, in.Name); err != nil {
		return nil, err
	}
	// Two set-up links (two starts, or two nodes) used at once must not make
	// two owners: the store uses every set-up link when one is used, so only
	// one of them gets past UseOneTimeLink; within this process the check
	// for users and the creation go together too.
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	acct, _, err := s.EnsureDefaultAccount(ctx)
	if err != nil {
		return nil, err
	}
	if us, err := s.Store.FindUsers(ctx, acct.ID); err != nil {
		return nil, err
	} else if len(us) > 0 {
		return nil, &admit.Error{Code: admit.ECONFLICT, Message: "The owner account exists already: sign in instead."}
	}
	hash, err := h.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	if len(token) > 128 {
		return nil, badLink()
	}
	if _, err := as.UseOneTimeLink(ctx, s.linkIndex(token), admit.LinkSetup, s.now()); admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, badLink()
	} else if err != nil {
		return nil, err
	}
	u, err := s.CreateUser(ctx, acct.ID, email, name, admit.RoleOwner)
	if err != nil {
		return nil, err
	}
	if err := as.SetPassword(ctx, u.ID, hash); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: acct.ID, Actor: "user:" + itoa(u.ID), Action: "setup.complete", Target: "user:" + itoa(u.ID), Source: source, Outcome: "ok"})
	return s.newSession(ctx, u, source)
}

// checkNewPassword checks a new password and its confirmation: the
// domain's rules, then the strength estimator of the hasher, if it has one
// (admit.PasswordJudge). No password is hashed here.
func (s *Service) checkNewPassword(pw, confirm, email string, names ...string) error {
	if err := admit.ValidatePassword("password", pw, email); err != nil {
		return err
	}
	if j, ok := s.Passwords.(admit.PasswordJudge); ok {
		if why := j.Weakness(pw, append([]string{email, "admit"}, names...)...); why != "" {
			return admit.FieldErrorf("password", "the password is too easy to guess: %s", why)
		}
	}
	if subtle.ConstantTimeCompare([]byte(pw), []byte(confirm)) != 1 {
		return admit.FieldErrorf("password_confirm", "the two passwords differ")
	}
	return nil
}

// newSession makes a session for u and returns it with its cookie value
// (256 random bits; only its keyed hash is stored).
func (s *Service) newSession(ctx context.Context, u *admit.User, source string) (*admit.WebSession, error) {
	as, err := s.authStore()
	if err != nil {
		return nil, err
	}
	cookie, err := admit.RandomToken(s.Rand, 32)
	if err != nil {
		return nil, err
	}
	csrf := make([]byte, 32)
	if _, err := io.ReadFull(s.Rand, csrf); err != nil {
		return nil, err
	}
	now := s.now()
	ses := &admit.Session{Index: s.sessionIndex(cookie), UserID: u.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(admit.SessionLifetime), LastSeen: now}
	if err := as.CreateSession(ctx, ses); err != nil {
		return nil, err
	}
	return &admit.WebSession{Cookie: cookie, Session: ses, User: u}, nil
}

// dummy returns a hash of a random password, made once: an unknown email's
// sign-in checks it, so that it costs what a wrong password does.
func (s *Service) dummy(h admit.PasswordHasher) string {
	s.dummyOnce.Do(func() {
		pw, err := admit.RandomToken(s.Rand, 16)
		if err == nil {
			s.dummyHash, _ = h.Hash(pw)
		}
	})
	return s.dummyHash
}

// SignIn checks an email and password and makes a session. Every failure
// short of an internal one is EUNAUTHORIZED with SignInFailed, after the
// same work (an unknown email checks a dummy hash). Failures count against
// source in the service's SourceLimiter (ERATELIMITED when it is spent).
// Audited as user.signin and user.signin_failed.
func (s *Service) SignIn(ctx context.Context, email, password, source string) (*admit.WebSession, error) {
	as, err := s.authStore()
	if err != nil {
		return nil, err
	}
	h, err := s.hasher()
	if err != nil {
		return nil, err
	}
	dummy := s.dummy(h)
	res, err := s.sourceLimiter().Reserve(ctx, "signin|"+admit.SourceKey(admit.ChannelWeb, source), s.now())
	if err != nil {
		return nil, err
	}
	failed := true
	defer func() { res.Done(failed) }()

	fail := func(u *admit.User, why string) (*admit.WebSession, error) {
		e := &admit.Event{Actor: "anonymous", Action: "user.signin_failed", Source: source, Outcome: "failed", Detail: why}
		if u != nil {
			e.AccountID, e.Target = u.AccountID, "user:"+itoa(u.ID)
		} else if acct, err := s.Store.FindDefaultAccount(ctx); err == nil {
			e.AccountID = acct.ID
		}
		s.event(ctx, e)
		return nil, &admit.Error{Code: admit.EUNAUTHORIZED, Message: admit.SignInFailed}
	}
	if len(password) > admit.MaxPasswordLength || len(email) > admit.MaxEmailLength {
		_, _ = h.Verify(dummy, "")
		return fail(nil, "too long")
	}
	addr := strings.ToLower(strings.TrimSpace(email))
	u, err := s.Store.FindUserByEmail(ctx, addr)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		_, _ = h.Verify(dummy, password)
		return fail(nil, "unknown email")
	} else if err != nil {
		return nil, err
	}
	hash, err := as.FindPassword(ctx, u.ID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		_, _ = h.Verify(dummy, password)
		return fail(nil, "unknown email")
	} else if err != nil {
		return nil, err
	}
	if hash == "" {
		_, _ = h.Verify(dummy, password)
		return fail(u, "no password set")
	}
	ok, err := h.Verify(hash, password)
	if err != nil {
		s.logger().Error("verify password hash", "user", u.ID, "err", err)
		return fail(u, "unreadable hash")
	}
	if !ok {
		return fail(u, "wrong password")
	}
	if allowed, err := s.PasswordAllowed(ctx, u); err != nil {
		return nil, err
	} else if !allowed {
		return fail(u, "sso only: passwords are off for this user")
	}
	ws, err := s.newSession(ctx, u, source)
	if err != nil {
		return nil, err
	}
	failed = false
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: "user:" + itoa(u.ID), Action: "user.signin", Target: "user:" + itoa(u.ID), Source: source, Outcome: "ok"})
	return ws, nil
}

// noSession is the one answer to a missing, unknown or expired session.
func noSession() *admit.Error {
	return &admit.Error{Code: admit.EUNAUTHORIZED, Message: "Please sign in."}
}

// SessionByCookie returns the signed-in browser with the cookie value.
// EUNAUTHORIZED when there is no such session or it expired (absolute
// expiry SessionLifetime, idle expiry SessionIdle); an expired session is
// deleted. Use refreshes the idle expiry (written at most once a minute).
func (s *Service) SessionByCookie(ctx context.Context, cookie string) (*admit.WebSession, error) {
	as, err := s.authStore()
	if err != nil {
		return nil, err
	}
	if cookie == "" || len(cookie) > 128 {
		return nil, noSession()
	}
	ses, err := as.FindSession(ctx, s.sessionIndex(cookie))
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, noSession()
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(ses.ExpiresAt) || !now.Before(ses.LastSeen.Add(admit.SessionIdle)) {
		if err := as.DeleteSession(ctx, ses.ID); err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
			return nil, err
		}
		return nil, noSession()
	}
	u, err := s.Store.FindUserByID(ctx, ses.UserID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, noSession()
	} else if err != nil {
		return nil, err
	}
	if now.Sub(ses.LastSeen) >= sessionTouchEvery {
		if err := as.TouchSession(ctx, ses.ID, now); err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
			return nil, err
		}
		ses.LastSeen = now
	}
	return &admit.WebSession{Session: ses, User: u}, nil
}

// SignOut ends the session. Audited as user.signout.
func (s *Service) SignOut(ctx context.Context, w *admit.WebSession, source string) error {
	as, err := s.authStore()
	if err != nil {
		return err
	}
	if err := as.DeleteSession(ctx, w.Session.ID); err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
		return err
	}
	s.event(ctx, &admit.Event{AccountID: w.User.AccountID, Actor: "user:" + itoa(w.User.ID), Action: "user.signout", Target: "user:" + itoa(w.User.ID), Source: source, Outcome: "ok"})
	return nil
}

// Users lists the actor's account's users.
func (s *Service) Users(ctx context.Context, a *admit.Actor) ([]*admit.User, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	return s.Store.FindUsers(ctx, a.User.AccountID)
}

// InviteUser adds a user to the actor's account without a password and
// returns a one-time link (valid InviteLinkLifetime) to set one. Owners and
// admins only, and only an owner invites owners (EFORBIDDEN); EINVALID names
// a bad field; ECONFLICT when the email is taken.
func (s *Service) InviteUser(ctx context.Context, a *admit.Actor, email, name string, role admit.Role) (*admit.Invitation, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	if !a.User.CanManageAccount() {
		return nil, &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins invite users."}
	}
	if !role.Valid() {
		return nil, admit.FieldErrorf("role", "role must be owner, admin or host")
	}
	if role == admit.RoleOwner && a.User.Role != admit.RoleOwner {
		return nil, &admit.Error{Code: admit.EFORBIDDEN, Field: "role", Message: "Only an owner makes owners."}
	}
	if _, err := s.authStore(); err != nil {
		return nil, err
	}
	u, err := s.CreateUser(ctx, a.User.AccountID, email, name, role)
	if err != nil {
		return nil, err
	}
	link, err := s.inviteLink(ctx, u)
	if err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: actorName(a), Action: "user.invite", Target: "user:" + itoa(u.ID), Source: actorSource(a), Outcome: "ok", Detail: string(role)})
	return &admit.Invitation{User: u, Link: link}, nil
}

func (s *Service) inviteLink(ctx context.Context, u *admit.User) (string, error) {
	token, err := s.newLink(ctx, admit.LinkInvite, u.ID, admit.InviteLinkLifetime)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s.BaseURL, "/") + "/invite/" + token, nil
}

// PasswordLink makes a new one-time link (valid InviteLinkLifetime) for
// the user to set a password: a user made by the CLI, one whose invitation
// expired, or one who forgot theirs. For oneself, or by an owner or admin
// (only an owner for an owner): EFORBIDDEN. ENOTFOUND.
func (s *Service) PasswordLink(ctx context.Context, a *admit.Actor, userID int64) (string, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return "", err
	}
	u := a.User
	if userID != a.User.ID {
		var err error
		if u, _, err = s.manageable(ctx, a, userID, "make password links for others"); err != nil {
			return "", err
		}
	}
	link, err := s.inviteLink(ctx, u)
	if err != nil {
		return "", err
	}
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: actorName(a), Action: "user.password_link", Target: "user:" + itoa(u.ID), Source: actorSource(a), Outcome: "ok"})
	return link, nil
}

// AcceptInvite uses an invitation link to set the invited user's password
// and signs them in. EINVALID names a bad field (checked before the link is
// used); ENOTFOUND for a link that does not work.
func (s *Service) AcceptInvite(ctx context.Context, token, password, confirm, source string) (*admit.WebSession, error) {
	as, err := s.authStore()
	if err != nil {
		return nil, err
	}
	h, err := s.hasher()
	if err != nil {
		return nil, err
	}
	// The cheap checks first, then the link (a lookup), and only for a
	// link that exists the hash: a flood of posts to links that do not
	// exist costs no argon2id.
	if err := s.checkNewPassword(password, confirm, ""); err != nil {
		return nil, err
	}
	// Tries at links count per source like sign-ins, under their own key.
	res, err := s.sourceLimiter().Reserve(ctx, "link|"+admit.SourceKey(admit.ChannelWeb, source), s.now())
	if err != nil {
		return nil, err
	}
	failed := true
	defer func() { res.Done(failed) }()
	if len(token) > 128 {
		return nil, badLink()
	}
	l, err := as.UseOneTimeLink(ctx, s.linkIndex(token), admit.LinkInvite, s.now())
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, badLink()
	} else if err != nil {
		return nil, err
	}
	failed = false
	u, err := s.Store.FindUserByID(ctx, l.UserID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, badLink()
	} else if err != nil {
		return nil, err
	}
	if err := s.checkNewPassword(password, confirm, u.Email, u.Name); err != nil {
		return nil, err
	}
	hash, err := h.Hash(password)
	if err != nil {
		return nil, err
	}
	if err := as.SetPassword(ctx, u.ID, hash); err != nil {
		return nil, err
	}
	// A reset ends the old sessions, the API tokens and every other link
	// still outstanding: one use ends them all.
	if err := s.endCredentials(ctx, as, u, "password set by link"); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: "user:" + itoa(u.ID), Action: "user.accept_invite", Target: "user:" + itoa(u.ID), Source: source, Outcome: "ok"})
	return s.newSession(ctx, u, source)
}

// ChangePassword sets the actor's new password after checking the current
// one, and ends the user's other sessions. EINVALID names a bad field
// ("current_password" when it is wrong).
func (s *Service) ChangePassword(ctx context.Context, w *admit.WebSession, current, password, confirm, source string) error {
	as, err := s.authStore()
	if err != nil {
		return err
	}
	h, err := s.hasher()
	if err != nil {
		return err
	}
	old, err := as.FindPassword(ctx, w.User.ID)
	if err != nil {
		return err
	}
	if ok, err := h.Verify(old, current); err != nil || !ok {
		return admit.FieldErrorf("current_password", "the current password is wrong")
	}
	if err := s.checkNewPassword(password, confirm, w.User.Email, w.User.Name); err != nil {
		return err
	}
	hash, err := h.Hash(password)
	if err != nil {
		return err
	}
	if err := as.SetPassword(ctx, w.User.ID, hash); err != nil {
		return err
	}
	if err := s.endCredentials(ctx, as, w.User, "password changed"); err != nil {
		return err
	}
	s.event(ctx, &admit.Event{AccountID: w.User.AccountID, Actor: "user:" + itoa(w.User.ID), Action: "user.password", Target: "user:" + itoa(w.User.ID), Source: source, Outcome: "ok"})
	return nil
}

// manageable returns the account's user id for a user-management action by
// a: ENOTFOUND outside the account, EFORBIDDEN unless a is an owner or
// admin, and unless a is an owner when the user is one.
func (s *Service) manageable(ctx context.Context, a *admit.Actor, id int64, what string) (*admit.User, []*admit.User, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, nil, err
	}
	if !a.User.CanManageAccount() {
		return nil, nil, &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins " + what + "."}
	}
	us, err := s.Store.FindUsers(ctx, a.User.AccountID)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range us {
		if u.ID == id {
			if u.Role == admit.RoleOwner && a.User.Role != admit.RoleOwner {
				return nil, nil, &admit.Error{Code: admit.EFORBIDDEN, Message: "Only an owner changes or removes an owner."}
			}
			return u, us, nil
		}
	}
	return nil, nil, &admit.Error{Code: admit.ENOTFOUND, Message: "No such user in this account."}
}

func ownerCount(us []*admit.User) int {
	n := 0
	for _, u := range us {
		if u.Role == admit.RoleOwner {
			n++
		}
	}
	return n
}

// ChangeRole sets a user's role. Owners and admins only; only an owner
// makes owners or changes an owner (EFORBIDDEN); the last owner keeps the
// role (ECONFLICT). ENOTFOUND, EINVALID.
func (s *Service) ChangeRole(ctx context.Context, a *admit.Actor, userID int64, role admit.Role) (*admit.User, error) {
	u, us, err := s.manageable(ctx, a, userID, "change roles")
	if err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, admit.FieldErrorf("role", "role must be owner, admin or host")
	}
	if role == admit.RoleOwner && a.User.Role != admit.RoleOwner {
		return nil, &admit.Error{Code: admit.EFORBIDDEN, Field: "role", Message: "Only an owner makes owners."}
	}
	if u.Role == admit.RoleOwner && role != admit.RoleOwner && ownerCount(us) == 1 {
		return nil, &admit.Error{Code: admit.ECONFLICT, Field: "role", Message: "The account's last owner cannot be demoted: make another owner first."}
	}
	if u.Role == role {
		return u, nil
	}
	as, err := s.authStore()
	if err != nil {
		return nil, err
	}
	old := u.Role
	u.Role = role
	if err := as.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: actorName(a), Action: "user.role", Target: "user:" + itoa(u.ID), Source: actorSource(a), Outcome: "ok", Detail: string(old) + " -> " + string(role)})
	return u, nil
}

// RemoveUser removes a user; their meetings pass to transferTo (0: the
// actor), their personal room is deleted, their sessions end. Owners and
// admins only; only an owner removes an owner (EFORBIDDEN); the last owner
// stays (ECONFLICT). ENOTFOUND; EINVALID (field "transfer_to").
func (s *Service) RemoveUser(ctx context.Context, a *admit.Actor, userID, transferTo int64) error {
	u, us, err := s.manageable(ctx, a, userID, "remove users")
	if err != nil {
		return err
	}
	if u.Role == admit.RoleOwner && ownerCount(us) == 1 {
		return &admit.Error{Code: admit.ECONFLICT, Message: "The account's last owner cannot be removed: make another owner first."}
	}
	if transferTo == 0 {
		transferTo = a.User.ID
	}
	found := false
	for _, o := range us {
		found = found || o.ID == transferTo
	}
	if !found || transferTo == u.ID {
		return admit.FieldErrorf("transfer_to", "transfer_to must be another user of this account")
	}
	as, err := s.authStore()
	if err != nil {
		return err
	}
	if err := as.DeleteUser(ctx, u.ID, transferTo, s.now()); err != nil {
		return err
	}
	s.joinCache().dropAll()
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: actorName(a), Action: "user.remove", Target: "user:" + itoa(u.ID), Source: actorSource(a), Outcome: "ok", Detail: "meetings to user:" + itoa(transferTo)})
	return nil
}

// UpdateProfile changes the signed-in user's name and time zone (an IANA
// name). EINVALID names a bad field.
func (s *Service) UpdateProfile(ctx context.Context, a *admit.Actor, name, timezone string) (*admit.User, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	n, err := admit.ValidateName("name", name)
	if err != nil {
		return nil, err
	}
	if timezone == "" || timezone == "Local" {
		return nil, admit.FieldErrorf("timezone", "timezone is not an IANA time zone name")
	}
	if _, err := time.LoadLocation(timezone); err != nil {
		return nil, admit.FieldErrorf("timezone", "timezone %q is not an IANA time zone name", timezone)
	}
	u, err := s.Store.FindUserByID(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	u.Name, u.Timezone = n, timezone
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	s.event(ctx, &admit.Event{AccountID: u.AccountID, Actor: actorName(a), Action: "user.update", Target: "user:" + itoa(u.ID), Source: actorSource(a), Outcome: "ok"})
	return u, nil
}

// endCredentials ends every web session, API token and outstanding
// one-time link of u, after their password was set or changed.
func (s *Service) endCredentials(ctx context.Context, as admit.AuthStore, u *admit.User, why string) error {
	if _, err := as.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	if _, err := as.DeleteUserLinks(ctx, u.ID); err != nil {
		return err
	}
	return s.revokeUserCredentials(ctx, u, &admit.Actor{User: u, Source: "system"}, why)
}
