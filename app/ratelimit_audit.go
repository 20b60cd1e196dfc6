package app

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// rateLimitLog turns rate-limited join attempts into audit entries without
// writing one per attempt (under attack they are many): the first from a
// source in a minute is appended at once ("ratelimit.engaged"); later ones in
// that minute are counted, and appended as one "ratelimit.summary" entry per
// source once the minute is over (with the next rate-limited attempt, from
// any source). Counts of a minute not yet over are lost if the process dies;
// the engagement itself is not.
type rateLimitLog struct {
	mu     sync.Mutex
	minute time.Time
	counts map[string]int // rate-limited attempts after the first, by source key, this minute
}

// record notes a rate-limited attempt from key at now and returns the audit
// entries to append.
func (l *rateLimitLog) record(key string, now time.Time) []*admit.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	minute := now.Truncate(time.Minute)
	var out []*admit.Event
	if !minute.Equal(l.minute) {
		keys := make([]string, 0, len(l.counts))
		for k, n := range l.counts {
			if n > 0 {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, &admit.Event{At: now, Actor: "anonymous", Action: "ratelimit.summary", Source: k, Outcome: "rate_limited",
				Detail: itoa(int64(l.counts[k])) + " more rate-limited attempts in the minute from " + l.minute.Format(time.RFC3339)})
		}
		l.minute, l.counts = minute, map[string]int{}
	}
	if _, seen := l.counts[key]; seen {
		l.counts[key]++
		return out
	}
	l.counts[key] = 0
	return append(out, &admit.Event{At: now, Actor: "anonymous", Action: "ratelimit.engaged", Source: key, Outcome: "rate_limited",
		Detail: "failed joins from this source are refused with 429 for now"})
}

// auditRateLimited appends the audit entries of a rate-limited attempt.
func (s *Service) auditRateLimited(ctx context.Context, key string, now time.Time) {
	for _, e := range s.rateLimits.record(key, now) {
		s.event(ctx, e)
	}
}
