package redis_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/limittest"
	"github.com/admit-project/admit/redis"
	goredis "github.com/redis/go-redis/v9"
)

// mustClient connects to the test Redis ($ADMIT_TEST_REDIS, default
// redis://127.0.0.1:6379/0). Without one the test is skipped, unless
// CI=true, where it fails.
func mustClient(tb testing.TB) *goredis.Client {
	tb.Helper()
	url := os.Getenv("ADMIT_TEST_REDIS")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := redis.Open(ctx, url)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true and no Redis at %s (set ADMIT_TEST_REDIS): %v", url, err)
		}
		tb.Skipf("no Redis at %s (set ADMIT_TEST_REDIS, or CI=true to fail): %v", url, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// dropPrefix deletes every key under prefix when the test ends.
func dropPrefix(tb testing.TB, c *goredis.Client, prefix string) {
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
}

func TestLimiterConformance(t *testing.T) {
	mustClient(t)
	limittest.Run(t, limittest.Backend{Hold: redis.DefaultHold, Open: func(tb testing.TB, p admit.SourcePolicy, n int) []admit.SourceLimiter {
		prefix := limittest.Prefix(tb, "admit:test:")
		var ls []admit.SourceLimiter
		for i := 0; i < n; i++ {
			c := mustClient(tb) // a client each, as on n nodes
			if i == 0 {
				dropPrefix(tb, c, prefix)
			}
			l := redis.NewLimiter(c, p)
			l.Prefix = prefix
			ls = append(ls, l)
		}
		return ls
	}})
}

// TestLimiterKeysExpire checks that a source's keys carry TTLs, so that
// Redis's memory follows the active sources.
func TestLimiterKeysExpire(t *testing.T) {
	c := mustClient(t)
	prefix := limittest.Prefix(t, "admit:test:")
	dropPrefix(t, c, prefix)
	l := redis.NewLimiter(c, admit.DefaultSourcePolicy())
	l.Prefix = prefix
	ctx := context.Background()
	now := time.Now()
	r, err := l.Reserve(ctx, "192.0.2.1", now)
	if err != nil {
		t.Fatal(err)
	}
	held := prefix + "{192.0.2.1}:r"
	if ttl := c.PTTL(ctx, held).Val(); ttl <= 0 || ttl > l.Hold+time.Second {
		t.Errorf("TTL of %s while held: %v, want (0, %v]", held, ttl, l.Hold+time.Second)
	}
	r.Done(true)
	failures := prefix + "{192.0.2.1}:f"
	if ttl := c.PTTL(ctx, failures).Val(); ttl <= l.Policy.Window-time.Minute || ttl > l.Policy.Window+time.Second {
		t.Errorf("TTL of %s: %v, want about the window, %v", failures, ttl, l.Policy.Window)
	}
	if n := c.Exists(ctx, held).Val(); n != 0 {
		t.Errorf("%s still exists with no reservation held", held)
	}
	if n := c.ZCard(ctx, failures).Val(); n != 1 {
		t.Errorf("%s holds %d failures, want 1", failures, n)
	}
}

// TestLimiterRedisDown checks that a limiter whose Redis is gone refuses
// to reserve with an error: limits never open by failure.
func TestLimiterRedisDown(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	l := redis.NewLimiter(c, admit.DefaultSourcePolicy())
	r, err := l.Reserve(context.Background(), "192.0.2.1", time.Now())
	if err == nil {
		r.Done(false)
		t.Fatal("Reserve without Redis gave a reservation")
	}
	if admit.ErrorCode(err) == admit.ERATELIMITED {
		t.Fatalf("Reserve without Redis: %v, want the connection error, not a rate limit", err)
	}
}
