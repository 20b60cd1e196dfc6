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

// DefaultMaxEntries bounds the identifiers the limiter remembers over all
// sources (about 100 bytes each). Past it, attempts of sources it does not
// remember go to Distinct: a flood of sources makes the limit stricter for
// new sources, never looser.
const DefaultMaxEntries = 1 << 20

// Limiter is the per-source limit of join attempts (see the package
// comment). It is safe for concurrent use.
type Limiter struct {
	distinct, repeat admit.SourceLimiter
	window           time.Duration
	// MaxEntries bounds the identifiers remembered over all sources
	// (DefaultMaxEntries when 0). Set it before the first Reserve.
	MaxEntries int

	mu      sync.Mutex
	sources map[string]map[string]*entry // source key → identifier → its entry
	entries int
	swept   time.Time
	waiting func() // for tests: called when an attempt waits on a first one
}

// entry is an identifier a source tried: its last attempt, and while the
// Distinct limiter is being asked about its first attempt, a channel closed
// once it answered.
type entry struct {
	at      time.Time
	pending chan struct{}
}

// New returns a Limiter over distinct (enforcing a Distinct policy, keyed
// by source) and repeat (enforcing a Repeat policy, keyed by source and
// identifier). window is how long a source's identifier is remembered: the
// longer of the two policies' windows.
func New(distinct, repeat admit.SourceLimiter, window time.Duration) *Limiter {
	return &Limiter{distinct: distinct, repeat: repeat, window: window, sources: map[string]map[string]*entry{}}
}

// Reserve asks whether the source (an admit.SourceKey) may have an attempt
// at identifier evaluated at now: a reservation to end with Done, or
// ERATELIMITED with Detail["retry_after"]. identifier must not be guessable
// from what the limiter keeps (pass a keyed index of a secret identifier,
// such as a link token or an access code); nil identifies nothing (a
// malformed request) and always counts as a new identifier.
//
// An attempt at an identifier whose first attempt is still being decided
// by the Distinct limiter waits for that decision (or ctx): a source at
// its Distinct limit cannot get a new identifier evaluated by sending two
// attempts at it at once.
func (l *Limiter) Reserve(ctx context.Context, source string, identifier []byte, now time.Time) (admit.Reservation, error) {
	id := hex.EncodeToString(identifier)
	if len(id) > 32 {
		id = id[:32]
	}
	if id == "" {
		return l.distinct.Reserve(ctx, source, now)
	}
	for {
		repeat, first, wait := l.route(source, id, now)
		switch {
		case wait != nil:
			if l.waiting != nil {
				l.waiting()
			}
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		case repeat:
			return l.repeat.Reserve(ctx, source+"|"+id, now)
		}
		rsv, err := l.distinct.Reserve(ctx, source, now)
		if first != nil {
			l.decided(source, id, first, err == nil)
		}
		return rsv, err
	}
}

// route records that source tries id at now. It returns repeat when the
// source tried id within the window before (and it was let through), a
// channel to wait on when that first attempt is still being decided, or
// else the entry of this first attempt (nil when the limiter is too full to
// remember it), to be passed to decided.
func (l *Limiter) route(source, id string, now time.Time) (repeat bool, first *entry, wait <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	ids := l.sources[source]
	if e := ids[id]; e != nil {
		if e.pending != nil {
			return false, nil, e.pending
		}
		if now.Sub(e.at) < l.window {
			if now.After(e.at) {
				e.at = now
			}
			return true, nil, nil
		}
		e.at, e.pending = now, make(chan struct{})
		return false, e, nil
	}
	if len(ids) >= maxTracked || l.entries >= l.maxEntries() {
		return false, nil, nil
	}
	if ids == nil {
		ids = map[string]*entry{}
		l.sources[source] = ids
	}
	e := &entry{at: now, pending: make(chan struct{})}
	ids[id] = e
	l.entries++
	return false, e, nil
}

// decided ends the first attempt e of source at id: kept when the Distinct
// limiter let it through, dropped when it refused (the identifier was not
// tried). Attempts waiting on it go on.
func (l *Limiter) decided(source, id string, e *entry, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(e.pending)
	e.pending = nil
	if ok {
		return
	}
	if ids := l.sources[source]; ids != nil && ids[id] == e {
		delete(ids, id)
		l.entries--
		if len(ids) == 0 {
			delete(l.sources, source)
		}
	}
}

func (l *Limiter) maxEntries() int {
	if l.MaxEntries > 0 {
		return l.MaxEntries
	}
	return DefaultMaxEntries
}

// sweep drops identifiers older than the window once a minute, so memory
// follows active sources.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for src, ids := range l.sources {
		for id, e := range ids {
			if e.pending == nil && now.Sub(e.at) >= l.window {
				delete(ids, id)
				l.entries--
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
