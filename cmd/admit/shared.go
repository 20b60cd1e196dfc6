package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/failover"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/redis"
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
	limiter admit.SourceLimiter
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
func (m *Main) openShared(ctx context.Context, sh *sharedFlags, e *env, policy admit.SourcePolicy, logger *slog.Logger) (*shared, error) {
	s, err := m.openLimits(ctx, sh, e, policy, logger)
	if err != nil {
		return nil, err
	}
	_, s.confirm = e.db.(*postgres.DB)
	return s, nil
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
		if s := e.sharedInStore(policy, logger); s != nil {
			// While Redis is out of reach the database's limiter counts,
			// so that limits hold (neither 503 for every join nor open).
			limiter = &failover.Limiter{Primary: l, Secondary: s.limiter, Window: policy.Window, Logger: logger}
		}
		return &shared{limiter: limiter, feed: f, mode: "redis", close: c.Close}, nil
	}
	if s := e.sharedInStore(policy, logger); s != nil {
		return s, nil
	}
	return &shared{limiter: memory.NewLimiter(policy), feed: &memory.Feed{}, mode: "memory", close: func() error { return nil }}, nil
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
	return &shared{limiter: l, feed: postgres.NewFeed(db), mode: "postgres", close: func() error { return nil }}
}
