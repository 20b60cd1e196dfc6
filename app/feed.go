package app

import (
	"context"
	"sync"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

// fanoutFeed shares one subscription to a remote feed (Redis pub/sub,
// PostgreSQL LISTEN) among every subscriber of the process, so that an open
// page costs a channel, not a connection. Publishes go to the remote feed,
// which delivers them back to this process too.
type fanoutFeed struct {
	remote admit.ChangeFeed
	local  memory.Feed

	mu      sync.Mutex
	running bool
}

// Publish implements ChangeFeed. The remote publish (a round trip to Redis
// or PostgreSQL) runs on its own goroutine, so that an admission's answer
// does not wait for it: delivery may lag anyway (see ChangeFeed), and a
// failed publish loses the change, as a full subscriber buffer does.
func (f *fanoutFeed) Publish(ctx context.Context, c admit.Change) error {
	go func() { _ = f.remote.Publish(context.WithoutCancel(ctx), c) }()
	return nil
}

// Subscribe implements ChangeFeed.
func (f *fanoutFeed) Subscribe(ctx context.Context) (<-chan admit.Change, error) {
	if err := f.start(); err != nil {
		return nil, err
	}
	return f.local.Subscribe(ctx)
}

// start subscribes to the remote feed once, until the remote channel
// closes (its client closed); the next Subscribe starts it again.
func (f *fanoutFeed) start() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running {
		return nil
	}
	ch, err := f.remote.Subscribe(context.Background())
	if err != nil {
		return err
	}
	f.running = true
	go func() {
		for c := range ch {
			_ = f.local.Publish(context.Background(), c)
		}
		f.mu.Lock()
		f.running = false
		f.mu.Unlock()
	}()
	return nil
}

// FollowChanges applies the changes other nodes publish to this node's
// caches until ctx is done: an account's guess budget is read again, and a
// changed meeting leaves the join cache (which also follows the store's
// change log; the feed only makes it sooner). `admit serve` runs it.
func (s *Service) FollowChanges(ctx context.Context) error {
	ch, err := s.Changes().Subscribe(ctx)
	if err != nil {
		return err
	}
	for c := range ch {
		switch c.Kind {
		case admit.ChangeAccount:
			s.forgetGuessing(c.AccountID)
		case admit.ChangeMeeting:
			if c.MeetingPK != 0 {
				s.joinCache().Drop(c.MeetingPK)
			}
		}
	}
	return ctx.Err()
}
