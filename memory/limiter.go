package memory

import (
	"context"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// Limiter is an admit.SourceLimiter in one process's memory. It is safe for
// concurrent use.
type Limiter struct {
	Policy admit.SourcePolicy

	mu      sync.Mutex
	sources map[string]*sourceState
	swept   time.Time
}

type sourceState struct {
	failures []time.Time // within the window, oldest first
	inflight int
}

// NewLimiter returns a limiter enforcing p.
func NewLimiter(p admit.SourcePolicy) *Limiter {
	return &Limiter{Policy: p, sources: map[string]*sourceState{}}
}

// Reserve implements SourceLimiter.
func (l *Limiter) Reserve(ctx context.Context, key string, now time.Time) (admit.Reservation, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	st := l.sources[key]
	if st == nil {
		st = &sourceState{}
		l.sources[key] = st
	}
	st.expire(now, l.Policy.Window)
	if wait := l.Policy.Wait(st.failures, st.inflight, now); wait > 0 {
		return nil, admit.RateLimited(wait)
	}
	st.inflight++
	return &memReservation{l: l, key: key, now: now}, nil
}

func (st *sourceState) expire(now time.Time, window time.Duration) {
	i := 0
	for i < len(st.failures) && !now.Before(st.failures[i].Add(window)) {
		i++
	}
	st.failures = st.failures[i:]
}

// sweep drops idle sources once a minute, so memory follows active sources.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, st := range l.sources {
		st.expire(now, l.Policy.Window)
		if len(st.failures) == 0 && st.inflight == 0 {
			delete(l.sources, k)
		}
	}
}

type memReservation struct {
	l    *Limiter
	key  string
	now  time.Time
	done bool
}

func (r *memReservation) Done(failed bool) {
	r.l.mu.Lock()
	defer r.l.mu.Unlock()
	if r.done {
		return
	}
	r.done = true
	st := r.l.sources[r.key]
	if st == nil {
		st = &sourceState{}
		r.l.sources[r.key] = st
	}
	if st.inflight > 0 {
		st.inflight--
	}
	if failed {
		st.failures = append(st.failures, r.now)
	}
}
