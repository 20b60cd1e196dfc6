// Package redis keeps what several admit nodes must share in Redis: the
// per-source limits (Limiter, an admit.SourceLimiter made atomic across
// nodes by Lua scripts) and the change feed (Feed, an admit.ChangeFeed over
// pub/sub). It imports package admit, the standard library and
// github.com/redis/go-redis/v9 only.
package redis
