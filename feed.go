package admit

import (
	"context"
	"sync"
)

// Change kinds carried by a ChangeFeed.
const (
	ChangeRoster  = "roster"  // an occurrence's participants changed
	ChangeBudget  = "budget"  // a meeting's guess budget was spent or reset
	ChangeMeeting = "meeting" // a meeting's join data changed (code revoked, …)
	ChangeAccount = "account" // an account's security defaults changed
)

// Change is news that every node serving the same store must hear of: the
// host's live roster on one node follows joins admitted by another.
type Change struct {
	Kind         string `json:"kind"`
	AccountID    int64  `json:"account_id,omitempty"`
	MeetingPK    int64  `json:"meeting_pk,omitempty"`
	OccurrencePK int64  `json:"occurrence_pk,omitempty"`
}

// ChangeFeed carries Changes between the nodes of one service. Delivery is
// at most once and may lag; a subscriber that falls behind loses changes,
// so subscribers treat a change as "read again", never as the data itself.
type ChangeFeed interface {
	// Publish sends c to every subscriber on every node, this one included.
	Publish(ctx context.Context, c Change) error
	// Subscribe returns a channel of changes until ctx is done; then the
	// channel is closed.
	Subscribe(ctx context.Context) (<-chan Change, error)
}

// MemoryFeed is a ChangeFeed within one process. The zero value is ready.
type MemoryFeed struct {
	mu   sync.Mutex
	subs map[chan Change]struct{}
}

// Publish implements ChangeFeed. It never blocks: a subscriber whose buffer
// is full misses the change.
func (f *MemoryFeed) Publish(ctx context.Context, c Change) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- c:
		default:
		}
	}
	return nil
}

// Subscribe implements ChangeFeed.
func (f *MemoryFeed) Subscribe(ctx context.Context) (<-chan Change, error) {
	ch := make(chan Change, 64)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan Change]struct{}{}
	}
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		delete(f.subs, ch)
		close(ch)
		f.mu.Unlock()
	}()
	return ch, nil
}

// fanoutFeed shares one subscription to a remote feed (Redis pub/sub,
// PostgreSQL LISTEN) among every subscriber of the process, so that an open
// page costs a channel, not a connection. Publishes go to the remote feed,
// which delivers them back to this process too.
type fanoutFeed struct {
	remote ChangeFeed
	local  MemoryFeed

	mu      sync.Mutex
	running bool
}

// Publish implements ChangeFeed. The remote publish (a round trip to Redis
// or PostgreSQL) runs on its own goroutine, so that an admission's answer
// does not wait for it: delivery may lag anyway (see ChangeFeed), and a
// failed publish loses the change, as a full subscriber buffer does.
func (f *fanoutFeed) Publish(ctx context.Context, c Change) error {
	go func() { _ = f.remote.Publish(context.WithoutCancel(ctx), c) }()
	return nil
}

// Subscribe implements ChangeFeed.
func (f *fanoutFeed) Subscribe(ctx context.Context) (<-chan Change, error) {
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
		case ChangeAccount:
			s.forgetGuessing(c.AccountID)
		case ChangeMeeting:
			if c.MeetingPK != 0 {
				s.joinCache().Drop(c.MeetingPK)
			}
		}
	}
	return ctx.Err()
}
