package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/admit-project/admit"
	goredis "github.com/redis/go-redis/v9"
)

// Defaults of the Limiter.
const (
	DefaultPrefix = "admit:src:"
	DefaultHold   = 30 * time.Second
)

// Limiter is an admit.SourceLimiter whose state lives in Redis, shared by
// every node that uses the same server and Prefix: failures in a sliding
// window, then doubling delays, then MaxFailures, with attempts in flight
// on any node counted, exactly as memory.Limiter does in one process.
//
// Each source has two sorted sets, PREFIX{KEY}:f (its failures, scored by
// time) and PREFIX{KEY}:r (its reservations, scored by the time they
// expire); one Lua script per Reserve and one per Done read and change them
// atomically. Times are those passed to Reserve (the service's clock), in
// microseconds, so that nodes must keep their clocks close (NTP) and test
// clocks work. A reservation never done (its node died) stops holding its
// slot after Hold. Keys expire (after Window, after Hold) so that Redis's
// memory follows the active sources.
type Limiter struct {
	Policy admit.SourcePolicy
	// Prefix starts every key (DefaultPrefix).
	Prefix string
	// Hold is how long a reservation that is never done keeps its slot
	// (DefaultHold); it must exceed the longest join evaluation.
	Hold time.Duration
	// Logger receives the errors of Done, which has no caller to return
	// them to (nil: slog.Default()).
	Logger *slog.Logger

	client goredis.Scripter
}

// NewLimiter returns a limiter enforcing p on the Redis client c.
func NewLimiter(c goredis.Scripter, p admit.SourcePolicy) *Limiter {
	return &Limiter{Policy: p, Prefix: DefaultPrefix, Hold: DefaultHold, client: c}
}

// reserveScript decides one attempt as admit.SourcePolicy.Wait does and,
// when it may go on, records the reservation ARGV[8] until now+hold. It
// returns 0 for a reservation, or else the wait in microseconds.
var reserveScript = goredis.NewScript(`
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local free = tonumber(ARGV[4])
local base = tonumber(ARGV[5])
local maxdelay = tonumber(ARGV[6])
local hold = tonumber(ARGV[7])
local function delay(n)
  if n <= free then return 0 end
  local shift = n - free - 1
  if shift > 30 then return maxdelay end
  local d = base * 2 ^ shift
  if d > maxdelay or d <= 0 then return maxdelay end
  return d
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - window))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))
local n = redis.call('ZCARD', KEYS[1])
local inflight = redis.call('ZCARD', KEYS[2])
if n + inflight >= max then
  if n > 0 and n >= max then
    local oldest = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
    return tonumber(oldest[2]) + window - now
  end
  return 1000000
end
if n > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local nxt = tonumber(last[2]) + delay(n)
  if now < nxt then return nxt - now end
end
if inflight > 0 then
  local d = delay(n + inflight)
  if d > 0 then return d end
end
redis.call('ZADD', KEYS[2], string.format('%d', now + hold), ARGV[8])
redis.call('PEXPIRE', KEYS[2], ARGV[9])
return 0
`)

// doneScript ends the reservation ARGV[1] and, when ARGV[2] is "1",
// records a failure at ARGV[3] (microseconds), keeping the failures for
// ARGV[4] milliseconds.
var doneScript = goredis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] == '1' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 0
`)

// keys returns the source's failure and reservation keys. The braces make
// both one hash slot on a Redis Cluster.
func (l *Limiter) keys(key string) []string {
	p := l.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return []string{p + "{" + key + "}:f", p + "{" + key + "}:r"}
}

func (l *Limiter) hold() time.Duration {
	if l.Hold > 0 {
		return l.Hold
	}
	return DefaultHold
}

// ttlMillis is how long Redis keeps a key that must last d: d and a second.
func ttlMillis(d time.Duration) int64 { return (d + time.Second).Milliseconds() }

// Reserve implements admit.SourceLimiter. It returns ERATELIMITED with
// Detail["retry_after"] when the source must wait, and the Redis error when
// the server cannot be asked (the join then fails: limits never open).
func (l *Limiter) Reserve(ctx context.Context, key string, now time.Time) (admit.Reservation, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	id := hex.EncodeToString(b[:])
	p := l.Policy
	wait, err := reserveScript.Run(ctx, l.client, l.keys(key),
		now.UnixMicro(), p.Window.Microseconds(), p.MaxFailures, p.FreeFailures,
		p.BaseDelay.Microseconds(), p.MaxDelay.Microseconds(), l.hold().Microseconds(), id,
		ttlMillis(l.hold())).Int64()
	if err != nil {
		return nil, fmt.Errorf("redis limiter: reserve: %w", err)
	}
	if wait > 0 {
		return nil, admit.RateLimited(time.Duration(wait) * time.Microsecond)
	}
	return &reservation{l: l, key: key, id: id, at: now}, nil
}

type reservation struct {
	l    *Limiter
	key  string
	id   string
	at   time.Time
	once sync.Once
}

// Done implements admit.Reservation; only the first call counts.
func (r *reservation) Done(failed bool) {
	r.once.Do(func() {
		flag := "0"
		if failed {
			flag = "1"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := doneScript.Run(ctx, r.l.client, r.l.keys(r.key), r.id, flag, r.at.UnixMicro(), ttlMillis(r.l.Policy.Window)).Err()
		if err != nil {
			logger := r.l.Logger
			if logger == nil {
				logger = slog.Default()
			}
			// The reservation expires after Hold; a failure not counted is lost.
			logger.Error("redis limiter: done", "failed", failed, "err", err)
		}
	})
}
