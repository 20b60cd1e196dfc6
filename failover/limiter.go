package failover

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// DefaultRetry is how long Limiter leaves a failed primary alone before it
// tries it again.
const DefaultRetry = time.Second

// Limiter is an admit.SourceLimiter over two: Primary while it answers,
// Secondary while it does not. It never fails open: when neither answers,
// Reserve returns the secondary's error (the join is answered 503).
//
// Failures counted by the secondary during an outage are not in the
// primary. So, after any use of the secondary, both are consulted for one
// policy window (an attempt is refused when either refuses, and counted in
// both), so that a source cannot win back the attempts it spent during the
// outage by waiting for the primary to return.
type Limiter struct {
	Primary, Secondary admit.SourceLimiter
	// Window is how long both are consulted after the secondary was last
	// used: the policy's window.
	Window time.Duration
	// Retry is how long a primary that failed is left alone
	// (DefaultRetry when 0).
	Retry time.Duration
	// Logger is told when the limiter falls back and returns; slog.Default
	// when nil.
	Logger *slog.Logger
	// Now is the wall clock of the limiter's own state (time.Now when nil),
	// apart from the attempt's time that Reserve is given.
	Now func() time.Time

	mu        sync.Mutex
	downUntil time.Time // the primary is not tried before
	bothUntil time.Time // both are consulted until
	down      bool      // for the log: the primary is considered down
}

var _ admit.SourceLimiter = (*Limiter)(nil)

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Limiter) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.Default()
}

// Reserve implements admit.SourceLimiter.
func (l *Limiter) Reserve(ctx context.Context, key string, now time.Time) (admit.Reservation, error) {
	wall := l.now()
	l.mu.Lock()
	tryPrimary, both := !wall.Before(l.downUntil), wall.Before(l.bothUntil)
	l.mu.Unlock()
	if tryPrimary {
		r, err := l.Primary.Reserve(ctx, key, now)
		switch {
		case err == nil || admit.ErrorCode(err) == admit.ERATELIMITED:
			l.up()
			if err != nil || !both {
				return r, err
			}
			r2, err2 := l.Secondary.Reserve(ctx, key, now)
			if err2 != nil {
				if admit.ErrorCode(err2) == admit.ERATELIMITED {
					r.Done(false)
					return nil, err2
				}
				return r, nil // the primary is back and counts; the secondary's view is a bonus
			}
			return pair{r, r2}, nil
		case ctx.Err() != nil:
			return nil, err // the caller is gone: not the primary's fault
		default:
			l.fellBack(wall, err)
		}
	}
	l.mu.Lock()
	l.bothUntil = wall.Add(l.Window)
	l.mu.Unlock()
	return l.Secondary.Reserve(ctx, key, now)
}

// fellBack marks the primary down after err.
func (l *Limiter) fellBack(wall time.Time, err error) {
	retry := l.Retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	l.mu.Lock()
	l.downUntil = wall.Add(retry)
	was := l.down
	l.down = true
	l.mu.Unlock()
	if !was {
		l.logger().Warn("per-source limits: primary out of reach, using the secondary", "err", err)
	}
}

// up notes that the primary answered.
func (l *Limiter) up() {
	l.mu.Lock()
	was := l.down
	l.down = false
	l.mu.Unlock()
	if was {
		l.logger().Info("per-source limits: primary back")
	}
}

// pair is a reservation held in both limiters.
type pair [2]admit.Reservation

func (p pair) Done(failed bool) {
	p[0].Done(failed)
	p[1].Done(failed)
}
