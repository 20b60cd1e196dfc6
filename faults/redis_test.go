package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/failover"
	"github.com/admit-project/admit/faulttest"
	"github.com/admit-project/admit/postgres"
	admitredis "github.com/admit-project/admit/redis"
)

// TestRedisStoppedUnderLoad keeps per-source limits in Redis with the
// database's limiter behind it (failover.Limiter, as `admit serve --db
// --redis` wires them) and kills Redis while valid joins run. Each source
// may try 5 meeting IDs an hour without success. Checks: with Redis up, down and back, a new
// source gets exactly 5 evaluated guesses (403) and then 429s, never more
// (no failing open) and never 503; valid joins are admitted throughout; a
// source that spent its guesses during the outage is still refused once
// Redis is back; and the node counts in Redis again once it is back.
func TestRedisStoppedUnderLoad(t *testing.T) {
	rd := faulttest.StartRedis(t)
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	f := seed(t, pg.URL())
	ctx := context.Background()
	rc, err := admitredis.Open(ctx, rd.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	policy := admit.SourcePolicy{MaxFailures: 5, FreeFailures: 5, Window: time.Hour, BaseDelay: time.Second, MaxDelay: time.Minute}
	n := startNode(t, f, f.dsn, func(db *postgres.DB) admit.SourceLimiter {
		l := admitredis.NewLimiter(rc, policy)
		l.Prefix = "faults:src:"
		return &failover.Limiter{Primary: l, Secondary: postgres.NewLimiter(db.Pool(), policy), Window: policy.Window,
			Retry: 200 * time.Millisecond, Logger: quiet()}
	})
	wrong := wrongPasscode(f.passcode)

	// Valid joins, from their own source, all along.
	var (
		mu      sync.Mutex
		badJoin []string
		joins   int
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			a := joinFrom(n, "198.51.100.1", f.meetingID, f.passcode, fmt.Sprintf("Guest %d", i))
			mu.Lock()
			joins++
			if a.err != nil || a.status != http.StatusOK {
				badJoin = append(badJoin, fmt.Sprintf("%d %v", a.status, a.err))
			}
			mu.Unlock()
		}
	})

	// guess makes failed joins from source, each at another meeting ID (the
	// per-source limit counts the distinct identifiers a source tries), and
	// checks how many were evaluated.
	ids := 0
	guess := func(when, source string, tries, evaluated int) {
		t.Helper()
		got := map[int]int{}
		for range tries {
			ids++
			a := joinFrom(n, source, fmt.Sprintf("9%010d", 1000+ids*7919), wrong, "Guesser")
			if a.err != nil {
				t.Fatalf("%s: %v", when, a.err)
			}
			got[a.status]++
		}
		if got[http.StatusForbidden] != evaluated || got[http.StatusTooManyRequests] != tries-evaluated {
			t.Errorf("%s: %s's %d failed joins answered %v; want %d×403 and the rest 429", when, source, tries, got, evaluated)
		}
	}
	guess("Redis up", "203.0.113.1", 8, 5)
	if err := rd.Stop(); err != nil {
		t.Fatal(err)
	}
	guess("Redis down", "203.0.113.2", 8, 5)
	if err := rd.Start(); err != nil {
		t.Fatal(err)
	}
	// go-redis, after failed dials, answers with the last dial error until its
	// own background dial succeeds (about a second): wait until the client
	// reaches the new Redis, then past the limiter's Retry.
	for deadline := time.Now().Add(15 * time.Second); rc.Ping(ctx).Err() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Redis back: the client did not reach the restarted Redis within 15 s")
		}
	}
	time.Sleep(500 * time.Millisecond) // past the limiter's Retry
	guess("Redis back", "203.0.113.3", 8, 5)
	guess("Redis back, a source of the outage", "203.0.113.2", 2, 0)
	if keys, err := rc.Keys(ctx, "faults:src:*").Result(); err != nil || len(keys) == 0 {
		t.Errorf("Redis back: no limiter keys in the new (empty) Redis (%v): the node did not return to it", err)
	}
	close(stop)
	wg.Wait()
	if len(badJoin) > 0 {
		t.Errorf("%d of %d valid joins not admitted, the first: %s", len(badJoin), joins, badJoin[0])
	}
}
