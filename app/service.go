package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/sourcelimit"
)

// Service implements admit's behaviour on top of a Store. It is safe for
// concurrent use.
type Service struct {
	Store admit.Store
	// AuditLog reads the audit log's tree (checkpoints, proofs); nil when
	// the service keeps no signed log.
	AuditLog admit.AuditLog
	Keys     admit.Keyring
	Signer   admit.AdmissionSigner
	Clock    admit.Clock
	Rand     io.Reader    // crypto/rand.Reader in production
	Logger   *slog.Logger // never given secrets
	// BaseURL prefixes join links ("http://127.0.0.1:8080").
	BaseURL string
	// DialIn are the deployment's dial-in numbers, shown (those that reach
	// a meeting's account, see admit.DialInOptions) in meeting views, join
	// answers, invitations and the join pages.
	DialIn []admit.DialInNumber

	// Limiter bounds the failed sign-ins and password links of each source
	// (and its joins, when JoinLimiter is nil); nil means a memory.Limiter
	// with DefaultSourcePolicy, made on first use.
	Limiter admit.SourceLimiter
	// JoinLimiter bounds the join attempts of each source by the different
	// identifiers it tries without success (see package sourcelimit); nil
	// means one over Limiter when that is set, else one in memory with
	// sourcelimit.DefaultPolicy, made on first use.
	JoinLimiter *sourcelimit.Limiter
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

	// Observer, when set, is told of guess budgets spent (for metrics).
	Observer admit.JoinObserver
	// RefusalsBehind answers refused and malformed join attempts before
	// their record is durable: the meeting's guess budget and the source's
	// limits are charged in memory first, the record follows through the
	// store's group commit, at most MaxPendingRefusals per node at a time
	// (see refusals_behind.go). Admissions, schedules and regenerates stay
	// durable before their answer. Call FlushRefusals before closing the
	// store.
	RefusalsBehind bool
	// CacheClock times the join cache's reads of the change log; the
	// system clock when nil. It is apart from Clock, which `admit serve
	// --test-clock` moves and tests stop: the cache's freshness is about
	// time that really passed.
	CacheClock admit.Clock
	// Passwords hashes and checks web sign-in passwords (package password);
	// web sign-in fails with an internal error when nil.
	Passwords admit.PasswordHasher
	// Media is the media side (media.Rooms): the account's media server,
	// grants, removal and presence. nil means no media servers.
	Media MediaRooms
	// Mailer writes invitations: the messages of a change, calendar files
	// and the text to copy (package mail). SendMail enqueues the messages
	// with the changes that cause them (SMTP is configured and the store is
	// an admit.OutboxSaver); without it invitations are copied and
	// downloaded only. ReminderLead is how long before each occurrence its
	// reminder goes out (DefaultReminderLead when zero).
	Mailer       admit.Mailer
	SendMail     bool
	ReminderLead time.Duration

	feedOnce        sync.Once
	feed            admit.ChangeFeed
	cacheOnce       sync.Once
	cache           *JoinCache
	limiterOnce     sync.Once
	limiter         admit.SourceLimiter
	joinLimiterOnce sync.Once
	joinLimits      *sourcelimit.Limiter
	rateLimits      rateLimitLog // audit entries of rate-limited attempts
	pending         pendingRefusals
	guesses         guessCache
	setupMu         sync.Mutex // one owner set-up at a time in this process
	dummyOnce       sync.Once
	dummyHash       string // a hash of a random password, checked for unknown emails
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

// changed reads a meeting the service has just written into the join cache
// again, its directory entries too (its number, access codes and invitees'
// links), so that the change holds at once for the next join: a meeting
// made a moment ago is found by its number before the cache's next poll.
// It tells the other nodes to drop it too. When the read fails the meeting
// is dropped, and the next poll reads its entries.
func (s *Service) changed(ctx context.Context, meetingPK int64) {
	if meetingPK != 0 {
		if err := s.joinCache().Refresh(ctx, meetingPK, s.now()); err != nil {
			s.logger().Warn("join cache: refresh a changed meeting", "meeting_pk", meetingPK, "err", err)
			s.joinCache().Drop(meetingPK)
		}
		s.publish(ctx, admit.Change{Kind: admit.ChangeMeeting, MeetingPK: meetingPK})
	}
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

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
	if a.Token != nil && a.Token.ID != 0 {
		// Each use of an API token is attributed to the token too, so that
		// a leaked token's uses can be told apart and it can be revoked.
		return "user:" + itoa(a.User.ID) + " token:" + itoa(a.Token.ID)
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

// auditReveal appends the audit entry of a reveal of secrets before they
// are shown: when the entry cannot be written the secret is not shown
// (the error is returned, an internal one).
func (s *Service) auditReveal(ctx context.Context, e *admit.Event) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	if err := s.Store.AppendEvents(ctx, e); err != nil {
		return fmt.Errorf("audit entry of %s: %w", e.Action, err)
	}
	return nil
}

// audited makes a host's change only once its audit entry e is written:
// when the entry cannot be written the change is not made (an internal
// error); when the change then fails, a second entry with outcome "failed"
// follows (best effort). So no change is without its entry; an entry may
// stand for a change that failed, followed by its failure.
func (s *Service) audited(ctx context.Context, e *admit.Event, change func() error) error {
	if err := s.auditReveal(ctx, e); err != nil {
		return err
	}
	if err := change(); err != nil {
		f := *e
		f.ID, f.Seq, f.At, f.Outcome, f.Detail = 0, 0, time.Time{}, "failed", strings.TrimSpace(e.Detail+" "+admit.ErrorCode(err))
		s.event(ctx, &f)
		return err
	}
	return nil
}

// Now returns the time of the service's clock.
func (s *Service) Now() time.Time { return s.Clock.Now() }

var _ admit.Service = (*Service)(nil)
