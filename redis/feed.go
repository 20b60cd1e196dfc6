package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/admit-project/admit"
	goredis "github.com/redis/go-redis/v9"
)

// DefaultChannel is the pub/sub channel of the change feed.
const DefaultChannel = "admit:changes"

// Feed is an admit.ChangeFeed over Redis pub/sub: every node publishing and
// subscribing on the same server and Channel hears every change. Delivery
// is at most once (pub/sub keeps nothing for a subscriber that is away), as
// the interface allows.
type Feed struct {
	// Channel is the pub/sub channel (DefaultChannel).
	Channel string
	// Logger receives changes that cannot be decoded (nil: slog.Default()).
	Logger *slog.Logger

	client goredis.UniversalClient
}

// NewFeed returns a feed on the Redis client c.
func NewFeed(c goredis.UniversalClient) *Feed {
	return &Feed{Channel: DefaultChannel, client: c}
}

func (f *Feed) channel() string {
	if f.Channel != "" {
		return f.Channel
	}
	return DefaultChannel
}

// Publish implements admit.ChangeFeed.
func (f *Feed) Publish(ctx context.Context, c admit.Change) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := f.client.Publish(ctx, f.channel(), b).Err(); err != nil {
		return fmt.Errorf("redis feed: publish: %w", err)
	}
	return nil
}

// Subscribe implements admit.ChangeFeed. It returns once the subscription
// is in place, so that a change published after it returns is delivered.
// The client resubscribes by itself after a lost connection; what was
// published meanwhile is lost.
func (f *Feed) Subscribe(ctx context.Context) (<-chan admit.Change, error) {
	ps := f.client.Subscribe(ctx, f.channel())
	if _, err := ps.Receive(ctx); err != nil {
		ps.Close()
		return nil, fmt.Errorf("redis feed: subscribe: %w", err)
	}
	out := make(chan admit.Change, 64)
	msgs := ps.Channel(goredis.WithChannelSize(256))
	go func() {
		defer close(out)
		defer ps.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				var c admit.Change
				if err := json.Unmarshal([]byte(m.Payload), &c); err != nil {
					f.logger().Warn("redis feed: undecodable change", "err", err)
					continue
				}
				select {
				case out <- c:
				default: // a subscriber that falls behind loses changes
				}
			}
		}
	}()
	return out, nil
}

func (f *Feed) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}
