package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// Loop delivers the outbox: on every tick it claims the messages due for
// this node, composes and delivers each, and records the outcome. Run one
// Loop per node; the store's leases keep two nodes from sending one message.
type Loop struct {
	Store     admit.OutboxStore
	Deliverer Deliverer
	Sealer    Sealer
	Settings  *admit.SMTPSettings
	// Accounts gives an account's own SMTP server, which its messages go
	// through instead of Settings and Deliverer (Dial makes its Deliverer;
	// an SMTPSender when Dial is nil). Nil: every message uses Settings.
	Accounts AccountSettings
	Dial     func(admit.SMTPSettings) Deliverer
	Clock    admit.Clock
	// Node names this node in leases; unique per process.
	Node string
	// Lease is how long a claim holds (admit.OutboxLease when zero); Batch
	// how many messages one tick claims (10 when zero); Interval the pause
	// between ticks (5 s when zero).
	Lease    time.Duration
	Batch    int
	Interval time.Duration
	Logger   *slog.Logger
}

// maxAnswer bounds the server answer kept with a message.
const maxAnswer = 500

// RunOnce claims the due messages once and attempts each. It returns how
// many were sent and how many failed, and an error only when the store
// fails.
func (l *Loop) RunOnce(ctx context.Context) (sent, failed int, err error) {
	now := l.Clock.Now()
	lease := l.Lease
	if lease == 0 {
		lease = admit.OutboxLease
	}
	batch := l.Batch
	if batch == 0 {
		batch = 10
	}
	msgs, err := l.Store.ClaimOutbox(ctx, l.Node, now, lease, batch)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range msgs {
		if err := l.attempt(ctx, m); err != nil {
			failed++
			l.logger().Warn("mail: delivery failed", "message", m.ID, "kind", m.Kind, "attempt", m.Attempts+1, "error", err)
			answer := oneLine(err.Error())
			if len(answer) > maxAnswer {
				answer = answer[:maxAnswer]
				answer = strings.ToValidUTF8(answer, "")
			}
			next := time.Time{}
			if m.Attempts+1 < admit.OutboxMaxAttempts && !Permanent(err) {
				next = l.Clock.Now().Add(admit.OutboxRetryDelay(m.Attempts + 1))
			}
			if err := l.Store.MarkOutboxFailed(ctx, m.ID, l.Node, answer, next); err != nil {
				return sent, failed, err
			}
			continue
		}
		sent++
		if err := l.Store.MarkOutboxSent(ctx, m.ID, l.Node, l.Clock.Now()); err != nil {
			// The message went out; another node took it over after our
			// lease ran out and will send it again with the same Message-ID.
			if admit.ErrorCode(err) == admit.ECONFLICT {
				continue
			}
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

// AccountSettings gives accounts' own SMTP servers.
type AccountSettings interface {
	// AccountSMTP returns the account's own SMTP settings with the
	// password opened; nil when the account uses the deployment's.
	AccountSMTP(ctx context.Context, accountID int64) (*admit.SMTPSettings, error)
}

// route returns the settings and the deliverer of m's account.
func (l *Loop) route(ctx context.Context, m *admit.OutboxMessage) (*admit.SMTPSettings, Deliverer, error) {
	if l.Accounts != nil {
		own, err := l.Accounts.AccountSMTP(ctx, m.AccountID)
		if err != nil {
			return nil, nil, fmt.Errorf("mail: the SMTP settings of account %d: %w", m.AccountID, err)
		}
		if own != nil {
			if l.Dial != nil {
				return own, l.Dial(*own), nil
			}
			return own, &SMTPSender{Settings: *own}, nil
		}
	}
	if l.Settings == nil || l.Deliverer == nil {
		return nil, nil, fmt.Errorf("mail: account %d has no SMTP server and the deployment none", m.AccountID)
	}
	return l.Settings, l.Deliverer, nil
}

func (l *Loop) attempt(ctx context.Context, m *admit.OutboxMessage) error {
	settings, deliverer, err := l.route(ctx, m)
	if err != nil {
		return err
	}
	letter, err := OpenLetter(l.Sealer, m)
	if err != nil {
		return err
	}
	msg, err := Compose(letter, m.MessageID, settings, l.Clock.Now())
	if err != nil {
		return err
	}
	return deliverer.Deliver(ctx, msg)
}

// Run ticks until ctx ends; it returns ctx's error.
func (l *Loop) Run(ctx context.Context) error {
	interval := l.Interval
	if interval == 0 {
		interval = 5 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := l.RunOnce(ctx); err != nil && !errors.Is(err, context.Canceled) {
			l.logger().Error("mail: outbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (l *Loop) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.Default()
}
