package sourcelimit

import (
	"context"
	"encoding/hex"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// Policy is a Limiter's two policies.
type Policy struct {
	// Distinct bounds the different identifiers a source may try without
	// success: MaxFailures of them per Window.
	Distinct admit.SourcePolicy
	// Repeat bounds one source's failures at one identifier.
	Repeat admit.SourcePolicy
}

// DefaultPolicy returns the default policies. Distinct: 20 identifiers an
// hour, delays from the eleventh (1 s doubling, at most a minute), so that
// an address trying identifiers one after another gets at most 20 of them
// evaluated in an hour. Repeat: 100 failures an hour at one identifier,
// delays from the 51st, so that an office whose people mistype a passcode
// dozens of times joins without waiting.
func DefaultPolicy() Policy {
	return Policy{
		Distinct: admit.SourcePolicy{MaxFailures: 20, Window: time.Hour, FreeFailures: 10, BaseDelay: time.Second, MaxDelay: time.Minute},
		Repeat:   admit.SourcePolicy{MaxFailures: 100, Window: time.Hour, FreeFailures: 50, BaseDelay: time.Second, MaxDelay: 5 * time.Minute},
	}
}

// maxTracked bounds the identifiers remembered per source: a source that
// reached the Distinct limit cannot add more, so the bound only matters for
// one whose tries succeed (which are remembered too, to route repeats).
const maxTracked = 256

// Limiter is the per-source limit of join attempts (see the package
// comment). It is safe for concurrent use.
type Limiter struct {
	distinct, repeat admit.SourceLimiter
	window           time.Duration

	mu      sync.Mutex
	sources map[string]map[string]time.Time // source key → identifier → last attempt
	swept   time.Time
}

// New returns a Limiter over distinct (enforcing a Distinct policy, keyed
// by source) and repeat (enforcing a Repeat policy, keyed by source and
// identifier). window is how long a source's identifier is remembered: the
// longer of the two policies' windows.
func New(distinct, repeat admit.SourceLimiter, window time.Duration) *Limiter {
	return &Limiter{distinct: distinct, repeat: repeat, window: window, sources: map[string]map[string]time.Time{}}
}

// Reserve asks whether the source (an admit.SourceKey) may have an attempt
// at identifier evaluated at now: a reservation to end with Done, or
// ERATELIMITED with Detail["retry_after"]. identifier must not be guessable
// from what the limiter keeps (pass a keyed index of a secret identifier,
// such as a link token or an access code); nil identifies nothing (a
// malformed request) and always counts as a new identifier.
func (l *Limiter) Reserve(ctx context.Context, source string, identifier []byte, now time.Time) (admit.Reservation, error) {
	id := hex.EncodeToString(identifier)
	if len(id) > 32 {
		id = id[:32]
	}
	repeat := id != "" && l.remember(source, id, now)
	if repeat {
		return l.repeat.Reserve(ctx, source+"|"+id, now)
	}
	rsv, err := l.distinct.Reserve(ctx, source, now)
	if err != nil && id != "" {
		l.forget(source, id)
	}
	return rsv, err
}

// remember records that source tries id at now, and reports whether it had
// tried id within the window before.
func (l *Limiter) remember(source, id string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	ids := l.sources[source]
	if ids == nil {
		ids = map[string]time.Time{}
		l.sources[source] = ids
	}
	last, ok := ids[id]
	seen := ok && now.Sub(last) < l.window
	if len(ids) < maxTracked || ok {
		ids[id] = now
	}
	return seen
}

// forget drops id of source, after the Distinct limiter refused it: it was
// not tried.
func (l *Limiter) forget(source, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ids := l.sources[source]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(l.sources, source)
		}
	}
}

// sweep drops identifiers older than the window once a minute, so memory
// follows active sources.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for src, ids := range l.sources {
		for id, at := range ids {
			if now.Sub(at) >= l.window {
				delete(ids, id)
			}
		}
		if len(ids) == 0 {
			delete(l.sources, src)
		}
	}
}

// Tracked returns how many sources and identifiers the limiter remembers
// (for tests and metrics).
func (l *Limiter) Tracked() (sources, identifiers int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ids := range l.sources {
		identifiers += len(ids)
	}
	return len(l.sources), identifiers
}
