package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/failover"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/redis"
	"github.com/admit-project/admit/sourcelimit"
)

// sharedFlags choose where the state that every node must share lives
// beside the store: the per-source limits and the change feed.
type sharedFlags struct {
	Redis  string `name:"redis" env:"ADMIT_REDIS" placeholder:"URL" help:"Redis URL (redis://host:6379/0): per-source limits and the change feed shared by every node."`
	Prefix string `name:"redis-prefix" env:"ADMIT_REDIS_PREFIX" default:"${default_redis_prefix}" help:"Prefix of admit's Redis keys and channel, to run several services on one Redis."`
}

// defaultRedisPrefix starts admit's Redis keys and channel.
const defaultRedisPrefix = "admit:"

// shared is where a node keeps its limits and feed.
type shared struct {
	limiter admit.SourceLimiter // sign-ins and password links
	join    *sourcelimit.Limiter
	pool    *pgxpool.Pool // the store's, when the limits may live there
	feed    admit.ChangeFeed
	mode    string // for the log: "redis", "postgres", "memory"
	close   func() error
	// confirm is set when other nodes may change the store: joins then
	// confirm on fresh data (app.Service.ConfirmJoins).
	confirm bool
}

// openShared returns the per-source limiter and the change feed: in Redis
// with --redis (exact across nodes); without it, in the store's database
// when it is shared (exact across nodes, a transaction per attempt); in
// this process's memory on the embedded store, which one process serves.
//
// The per-source limit of joins (sourcelimit) keeps its two counts in the
// same place: the distinct identifiers a source tried, under its key (as
// the limit of sign-ins does, whose keys are apart), and its repeats at one
// identifier, under the source and the identifier.
func (m *Main) openShared(ctx context.Context, sh *sharedFlags, e *env, policy admit.SourcePolicy, logger *slog.Logger) (*shared, error) {
	s, err := m.openLimits(ctx, sh, e, policy, logger)
	if err != nil {
		return nil, err
	}
	_, s.confirm = e.db.(*postgres.DB)
	return s, nil
}

// joinPolicy returns the policies of the per-source limit of joins: a
// source may try n distinct identifiers an hour without success, with
// delays from the half of them on.
func joinPolicy(n int) sourcelimit.Policy {
	p := sourcelimit.DefaultPolicy()
	p.Distinct.MaxFailures = n
	p.Distinct.FreeFailures = min(p.Distinct.FreeFailures, n/2)
	return p
}

// newJoinLimiter returns the join limiter over the limiters each policy
// gets from open.
func newJoinLimiter(p sourcelimit.Policy, open func(admit.SourcePolicy, string) admit.SourceLimiter) *sourcelimit.Limiter {
	return sourcelimit.New(open(p.Distinct, "src:"), open(p.Repeat, "srcid:"), max(p.Distinct.Window, p.Repeat.Window))
}

func (m *Main) openLimits(ctx context.Context, sh *sharedFlags, e *env, policy admit.SourcePolicy, logger *slog.Logger) (*shared, error) {
	if sh.Redis != "" {
		if !strings.HasPrefix(sh.Redis, "redis://") && !strings.HasPrefix(sh.Redis, "rediss://") {
			return nil, admit.FieldErrorf("redis", "--redis must be a redis:// or rediss:// URL")
		}
		c, err := redis.Open(ctx, sh.Redis)
		if err != nil {
			return nil, fmt.Errorf("--redis: %w", err)
		}
		l := redis.NewLimiter(c, policy)
		l.Prefix, l.Logger = sh.Prefix+"src:", logger
		f := redis.NewFeed(c)
		f.Channel, f.Logger = sh.Prefix+"changes", logger
		var limiter admit.SourceLimiter = l
		inStore := e.sharedInStore(policy, logger)
		if inStore != nil {
			// While Redis is out of reach the database's limiter counts,
			// so that limits hold (neither 503 for every join nor open).
			limiter = &failover.Limiter{Primary: l, Secondary: inStore.limiter, Window: policy.Window, Logger: logger}
		}
		join := newJoinLimiter(joinPolicy(policy.MaxFailures), func(p admit.SourcePolicy, prefix string) admit.SourceLimiter {
			rl := redis.NewLimiter(c, p)
			rl.Prefix, rl.Logger = sh.Prefix+prefix, logger
			if inStore == nil {
				return rl
			}
			pl := postgres.NewLimiter(inStore.pool, p)
			pl.Logger = logger
			return &failover.Limiter{Primary: rl, Secondary: pl, Window: p.Window, Logger: logger}
		})
		return &shared{limiter: limiter, join: join, feed: f, mode: "redis", close: c.Close}, nil
	}
	if s := e.sharedInStore(policy, logger); s != nil {
		return s, nil
	}
	join := newJoinLimiter(joinPolicy(policy.MaxFailures), func(p admit.SourcePolicy, _ string) admit.SourceLimiter {
		return memory.NewLimiter(p)
	})
	return &shared{limiter: memory.NewLimiter(policy), join: join, feed: &memory.Feed{}, mode: "memory", close: func() error { return nil }}, nil
}

// sharedInStore returns the limiter and feed in the store's database when
// the store is shared by several nodes (PostgreSQL: the limiter's rows and
// LISTEN/NOTIFY), nil for the embedded store.
func (e *env) sharedInStore(policy admit.SourcePolicy, logger *slog.Logger) *shared {
	db, ok := e.db.(*postgres.DB)
	if !ok {
		return nil
	}
	l := postgres.NewLimiter(db.Pool(), policy)
	l.Logger = logger
	// One table holds every limiter's rows; their keys never meet.
	join := newJoinLimiter(joinPolicy(policy.MaxFailures), func(p admit.SourcePolicy, _ string) admit.SourceLimiter {
		pl := postgres.NewLimiter(db.Pool(), p)
		pl.Logger = logger
		return pl
	})
	return &shared{limiter: l, join: join, pool: db.Pool(), feed: postgres.NewFeed(db), mode: "postgres", close: func() error { return nil }}
}
