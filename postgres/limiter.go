package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/admit-project/admit"
)

// Defaults of the Limiter.
const (
	DefaultLimiterHold  = 30 * time.Second
	DefaultLimiterSweep = time.Minute
)

// Limiter is an admit.SourceLimiter in PostgreSQL, for nodes that share a
// database but no Redis: the same limits as memory.Limiter, exact
// across nodes, at the price of a transaction per attempt. Each source is
// one row of source_limits (its failures and the reservations in flight);
// Reserve locks it (an upsert), decides by admit.SourcePolicy.Wait and
// writes the reservation in the same transaction; Done removes the
// reservation and appends a failure in one statement. Times are those passed
// to Reserve (the service's clock). A reservation never done (its node
// died) stops holding its slot after Hold; rows of idle sources are
// deleted by a sweep about once a minute.
type Limiter struct {
	Policy admit.SourcePolicy
	// Hold is how long a reservation that is never done keeps its slot
	// (DefaultLimiterHold); it must exceed the longest join evaluation.
	Hold time.Duration
	// Logger receives the errors of Done and of the sweep (nil:
	// slog.Default()).
	Logger *slog.Logger

	pool  *pgxpool.Pool
	swept atomic.Int64 // unix nanoseconds (of the service's clock) of the last sweep
}

// NewLimiter returns a limiter enforcing p in the database of pool, whose
// migrations (Open or Migrate) must have run.
func NewLimiter(pool *pgxpool.Pool, p admit.SourcePolicy) *Limiter {
	return &Limiter{Policy: p, Hold: DefaultLimiterHold, pool: pool}
}

func (l *Limiter) hold() time.Duration {
	if l.Hold > 0 {
		return l.Hold
	}
	return DefaultLimiterHold
}

func (l *Limiter) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.Default()
}

// Reserve implements admit.SourceLimiter. It returns ERATELIMITED with
// Detail["retry_after"] when the source must wait, and the database's error
// when it cannot be asked (the join then fails: limits never open).
func (l *Limiter) Reserve(ctx context.Context, key string, now time.Time) (admit.Reservation, error) {
	l.sweep(ctx, now)
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	id := hex.EncodeToString(b[:])
	var wait time.Duration
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		var failures []time.Time
		var holds map[string]int64
		// The upsert locks the source's row until the transaction ends.
		if err := tx.QueryRow(ctx, `INSERT INTO source_limits (source, expires_at) VALUES ($1, $2)
			ON CONFLICT (source) DO UPDATE SET source = EXCLUDED.source
			RETURNING failures, holds`, key, now).Scan(&failures, &holds); err != nil {
			return err
		}
		slices.SortFunc(failures, time.Time.Compare)
		i := 0
		for i < len(failures) && !now.Before(failures[i].Add(l.Policy.Window)) {
			i++
		}
		failures = failures[i:]
		until := now
		for h, exp := range holds {
			t := time.UnixMicro(exp)
			if !now.Before(t) {
				delete(holds, h)
			} else if t.After(until) {
				until = t
			}
		}
		if wait = l.Policy.Wait(failures, len(holds), now); wait > 0 {
			return nil // nothing to write; the rollback frees the row
		}
		if holds == nil {
			holds = map[string]int64{}
		}
		exp := now.Add(l.hold())
		holds[id] = exp.UnixMicro()
		if exp.After(until) {
			until = exp
		}
		if n := len(failures); n > 0 && failures[n-1].Add(l.Policy.Window).After(until) {
			until = failures[n-1].Add(l.Policy.Window)
		}
		_, err := tx.Exec(ctx, `UPDATE source_limits SET failures = $2, holds = $3, expires_at = $4 WHERE source = $1`,
			key, failures, holds, until)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres limiter: reserve: %w", err)
	}
	if wait > 0 {
		return nil, admit.RateLimited(wait)
	}
	return &limitReservation{l: l, key: key, id: id, at: now}, nil
}

// sweep deletes the rows of sources that hold nothing any more, at most
// once per DefaultLimiterSweep of the service's clock.
func (l *Limiter) sweep(ctx context.Context, now time.Time) {
	last := l.swept.Load()
	if now.UnixNano()-last < int64(DefaultLimiterSweep) || !l.swept.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	// A row locked by a Reserve is judged again on its new version.
	if _, err := l.pool.Exec(ctx, `DELETE FROM source_limits WHERE expires_at <= $1`, now); err != nil {
		l.logger().Warn("postgres limiter: sweep", "err", err)
	}
}

type limitReservation struct {
	l    *Limiter
	key  string
	id   string
	at   time.Time
	once sync.Once
}

// Done implements admit.Reservation; only the first call counts.
func (r *limitReservation) Done(failed bool) {
	r.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var err error
		if failed {
			// An upsert: a sweep may have deleted the row of a reservation
			// that outlived Hold.
			_, err = r.l.pool.Exec(ctx, `INSERT INTO source_limits (source, failures, expires_at) VALUES ($1, ARRAY[$2::timestamptz], $3)
				ON CONFLICT (source) DO UPDATE SET holds = source_limits.holds - $4::text,
					failures = array_append(source_limits.failures, $2::timestamptz),
					expires_at = greatest(source_limits.expires_at, $3)`,
				r.key, r.at, r.at.Add(r.l.Policy.Window), r.id)
		} else {
			_, err = r.l.pool.Exec(ctx, `UPDATE source_limits SET holds = holds - $2::text WHERE source = $1`, r.key, r.id)
		}
		if err != nil {
			// The reservation expires after Hold; a failure not counted is lost.
			r.l.logger().Error("postgres limiter: done", "failed", failed, "err", err)
		}
	})
}
