package app

import (
	"context"
	"crypto/subtle"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

// Service implements admit's behaviour on top of a Store. It is safe for
// concurrent use.
type Service struct {
	Store  admit.Store
	Keys   admit.Keyring
	Signer admit.AdmissionSigner
	Clock  admit.Clock
	Rand   io.Reader    // crypto/rand.Reader in production
	Logger *slog.Logger // never given secrets
	// BaseURL prefixes join links ("http://127.0.0.1:8080").
	BaseURL string

	// Limiter bounds the failed joins of each source across all meetings;
	// nil means a memory.Limiter with DefaultSourcePolicy, made on first use.
	Limiter admit.SourceLimiter
	// Feed carries roster, budget and meeting changes to every node (and to
	// this node's live views); nil means a memory.Feed, made on first use.
	Feed admit.ChangeFeed
	// ConfirmJoins makes every join whose credentials match read the
	// meeting from the store again and decide on that, so that a code or
	// passcode another node replaced a moment ago is refused here at once,
	// before its notification arrives. It costs two reads per admission
	// and none per refusal; `admit serve` sets it on PostgreSQL, whose
	// store several nodes share.
	ConfirmJoins bool
	// CacheClock times the join cache's reads of the change log; the
	// system clock when nil. It is apart from Clock, which `admit serve
	// --test-clock` moves and tests stop: the cache's freshness is about
	// time that really passed.
	CacheClock admit.Clock
	// Passwords hashes and checks web sign-in passwords (package password);
	// web sign-in fails with an internal error when nil.
	Passwords admit.PasswordHasher

	feedOnce    sync.Once
	feed        admit.ChangeFeed
	cacheOnce   sync.Once
	cache       *JoinCache
	limiterOnce sync.Once
	limiter     admit.SourceLimiter
	rateLimits  rateLimitLog // audit entries of rate-limited attempts
	guesses     guessCache
	setupMu     sync.Mutex // one owner set-up at a time in this process
	dummyOnce   sync.Once
	dummyHash   string // a hash of a random password, checked for unknown emails
}

// sourceLimiter returns the service's limiter, made on first use.
func (s *Service) sourceLimiter() admit.SourceLimiter {
	s.limiterOnce.Do(func() {
		s.limiter = s.Limiter
		if s.limiter == nil {
			s.limiter = memory.NewLimiter(admit.DefaultSourcePolicy())
		}
	})
	return s.limiter
}

// Changes returns the service's change feed, made on first use. However
// many subscribe (every open live page does), the process holds one
// subscription to Feed and fans it out.
func (s *Service) Changes() admit.ChangeFeed {
	s.feedOnce.Do(func() {
		if s.Feed == nil {
			s.feed = &memory.Feed{}
		} else {
			s.feed = &fanoutFeed{remote: s.Feed}
		}
	})
	return s.feed
}

// publish sends c on the change feed; a failure is logged, never returned:
// the change itself is already committed, and subscribers read again anyway.
func (s *Service) publish(ctx context.Context, c admit.Change) {
	if err := s.Changes().Publish(ctx, c); err != nil {
		s.logger().Warn("publish change", "kind", c.Kind, "meeting_pk", c.MeetingPK, "err", err)
	}
}

// WarmJoinCache reads the join path's directory of identifiers, so that the
// first join does not wait for it; `admit serve` calls it before it listens.
func (s *Service) WarmJoinCache(ctx context.Context) error {
	return s.joinCache().Warm(ctx, s.now())
}

// joinCache returns the service's join cache, made on first use.
func (s *Service) joinCache() *JoinCache {
	s.cacheOnce.Do(func() {
		s.cache = NewJoinCache(s.Store)
		s.cache.Clock = s.CacheClock
	})
	return s.cache
}

// changed drops a meeting the service has just written from the join cache,
// so that the change holds at once for the next join, and tells the other
// nodes to drop it too.
func (s *Service) changed(ctx context.Context, meetingPK int64) {
	if meetingPK != 0 {
		s.joinCache().Drop(meetingPK)
		s.publish(ctx, admit.Change{Kind: admit.ChangeMeeting, MeetingPK: meetingPK})
	}
}

// Purposes of keyed indexes.
const (
	purposeCredential = "credential"
	purposeAccessCode = "access-code"
	purposeToken      = "invitee-token"
	purposeAPIToken   = "api-token"
	purposePwd        = "join-url-pwd"
)

// credentialIndex is the lookup index of a passcode-like value of a meeting,
// keyed by the meeting's public ID so that equal passcodes of two meetings
// have unrelated indexes.
func (s *Service) credentialIndex(meetingID string, value string) []byte {
	b := make([]byte, 0, len(meetingID)+1+len(value))
	b = append(b, meetingID...)
	b = append(b, 0)
	return s.Keys.Index(purposeCredential, append(b, value...))
}

func (s *Service) accessCodeIndex(code string) []byte {
	return s.Keys.Index(purposeAccessCode, []byte(code))
}

func (s *Service) tokenIndex(token string) []byte {
	return s.Keys.Index(purposeToken, []byte(token))
}

// APITokenIndex is the lookup index of an API token.
func (s *Service) APITokenIndex(token string) []byte {
	return s.Keys.Index(purposeAPIToken, []byte(token))
}

// pwd returns the encoded passcode a join URL carries for a meeting: a keyed
// MAC of the meeting number and passcode, so the URL never shows the
// passcode itself and changes when the passcode does.
func (s *Service) pwd(number, passcode string) string {
	mac := s.Keys.Index(purposePwd, []byte(number+"\x00"+passcode))
	return encodeURLSafe(mac[:16])
}

func (s *Service) pwdIndex(pwd string) []byte {
	return s.Keys.Index(purposePwd+"-index", []byte(pwd))
}

// seal makes a Secret of value: its index (under the given index) and a
// sealed copy bound to ad.
func (s *Service) seal(index []byte, value, ad string) (*admit.Secret, error) {
	sealed, err := s.Keys.Seal([]byte(value), []byte(ad))
	if err != nil {
		return nil, err
	}
	return &admit.Secret{Index: index, Sealed: sealed, Plain: value}, nil
}

// open fills sec.Plain from its sealed copy.
func (s *Service) open(sec *admit.Secret, ad string) string {
	if sec == nil {
		return ""
	}
	if sec.Plain != "" || len(sec.Sealed) == 0 {
		return sec.Plain
	}
	p, err := s.Keys.Open(sec.Sealed, []byte(ad))
	if err != nil {
		s.logger().Error("open sealed secret", "ad", ad, "err", err)
		return ""
	}
	sec.Plain = string(p)
	return sec.Plain
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

// equalSecret compares two secrets in constant time.
func equalSecret(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

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
	u := &admit.User{AccountID: accountID, Email: email, Name: name, Role: role, Timezone: "UTC"}
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
	u, err := s.Store.FindUserByID(ctx, t.UserID)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	return &admit.Actor{User: u, Token: t, Source: source}, nil
}

// require checks that the actor's token carries scope (the CLI has no token
// and every scope).
func require(a *admit.Actor, scope string) error {
	if a == nil || a.User == nil {
		return &admit.Error{Code: admit.EUNAUTHORIZED, Message: "A valid API token is required."}
	}
	if a.Token != nil && !a.Token.HasScope(scope) {
		return &admit.Error{Code: admit.EFORBIDDEN, Message: "This API token lacks the " + scope + " scope."}
	}
	return nil
}

// actorName names a in the audit trail.
func actorName(a *admit.Actor) string {
	if a == nil || a.User == nil {
		return "system"
	}
	return "user:" + itoa(a.User.ID)
}

// actorSource is a's source address in the audit trail.
func actorSource(a *admit.Actor) string {
	if a == nil {
		return ""
	}
	return a.Source
}

// event appends an audit event; a failure is logged, not returned, so that
// reading a meeting does not fail on the audit trail.
func (s *Service) event(ctx context.Context, e *admit.Event) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	if err := s.Store.AppendEvents(ctx, e); err != nil {
		s.logger().Error("append audit event", "action", e.Action, "err", err)
	}
}

// AccountSecurity returns the actor's account security defaults.
func (s *Service) AccountSecurity(ctx context.Context, a *admit.Actor) (*admit.AccountSecurity, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	sec := acct.Security
	sec.GuessBudget, sec.GuessCeiling = sec.Budget(), sec.Ceiling()
	return &sec, nil
}

// UpdateAccountSecurity changes the account's defaults and locks. Owners and
// admins only (EFORBIDDEN); EINVALID names a bad field.
func (s *Service) UpdateAccountSecurity(ctx context.Context, a *admit.Actor, in *admit.AccountSecurityInput) (*admit.AccountSecurity, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	if !a.User.CanManageAccount() {
		return nil, &admit.Error{Code: admit.EFORBIDDEN, Message: "Only the account's owner and admins change its security defaults."}
	}
	acct, err := s.Store.FindAccountByID(ctx, a.User.AccountID)
	if err != nil {
		return nil, err
	}
	sec := acct.Security
	if in.PasscodeValue != nil {
		return nil, admit.FieldErrorf("passcode_value", "passcode_value belongs to a meeting, not to the account defaults")
	}
	if err := sec.Security.Apply(&in.SecurityInput, nil, "security"); err != nil {
		return nil, err
	}
	if in.Locked != nil {
		sec.Locked = append([]string{}, (*in.Locked)...)
	}
	if err := sec.ValidateLocks(); err != nil {
		return nil, err
	}
	sec.GuessBudget, sec.GuessCeiling = sec.Budget(), sec.Ceiling()
	if in.GuessBudget != nil {
		sec.GuessBudget = *in.GuessBudget
	}
	if in.GuessCeiling != nil {
		sec.GuessCeiling = *in.GuessCeiling
	}
	if err := sec.ValidateGuessing(); err != nil {
		return nil, err
	}
	acct.Security = sec
	if err := s.Store.UpdateAccount(ctx, acct); err != nil {
		return nil, err
	}
	s.forgetGuessing(acct.ID)
	s.publish(ctx, admit.Change{Kind: admit.ChangeAccount, AccountID: acct.ID})
	s.event(ctx, &admit.Event{AccountID: acct.ID, Actor: actorName(a), Action: "security.update", Target: "account:" + itoa(acct.ID), Source: actorSource(a), Outcome: "ok"})
	return &acct.Security, nil
}

// Contacts lists the address book of the actor's account.
func (s *Service) Contacts(ctx context.Context, a *admit.Actor) ([]*admit.Contact, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	return s.Store.FindContacts(ctx, a.User.AccountID)
}

// CreateContact adds a contact. EINVALID names a bad field.
func (s *Service) CreateContact(ctx context.Context, a *admit.Actor, in *admit.ContactInput) (*admit.Contact, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	c := &admit.Contact{AccountID: a.User.AccountID}
	if in.Name == nil {
		return nil, admit.FieldErrorf("name", "name is required")
	}
	if err := applyContact(c, in); err != nil {
		return nil, err
	}
	if err := s.Store.CreateContact(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateContact changes a contact. ENOTFOUND, EINVALID.
func (s *Service) UpdateContact(ctx context.Context, a *admit.Actor, id int64, in *admit.ContactInput) (*admit.Contact, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	c, err := s.Store.FindContactByID(ctx, a.User.AccountID, id)
	if err != nil {
		return nil, err
	}
	if err := applyContact(c, in); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateContact(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteContact removes a contact. Invitees made from it keep their names.
func (s *Service) DeleteContact(ctx context.Context, a *admit.Actor, id int64) error {
	if err := require(a, admit.ScopeManage); err != nil {
		return err
	}
	return s.Store.DeleteContact(ctx, a.User.AccountID, id)
}

func applyContact(c *admit.Contact, in *admit.ContactInput) error {
	var err error
	if in.Name != nil {
		if c.Name, err = admit.ValidateName("name", *in.Name); err != nil {
			return err
		}
	}
	if in.Email != nil {
		if c.Email, err = admit.ValidateEmail("email", *in.Email, true); err != nil {
			return err
		}
	}
	if in.Phone != nil {
		if c.Phone, err = admit.ValidatePhone("phone", *in.Phone); err != nil {
			return err
		}
	}
	return nil
}

// Now returns the time of the service's clock.
func (s *Service) Now() time.Time { return s.Clock.Now() }

// VerifyAudit checks the store's audit chain with key (see admit.Verify).
func (s *Service) VerifyAudit(ctx context.Context, key []byte) (int64, *admit.ChainBreak, error) {
	return admit.Verify(ctx, s.Store, key)
}

var _ admit.Service = (*Service)(nil)
