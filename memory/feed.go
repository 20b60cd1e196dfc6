package memory

import (
	"context"
	"sync"

	"github.com/admit-project/admit"
)

// Feed is an admit.ChangeFeed within one process. The zero value is ready.
type Feed struct {
	mu   sync.Mutex
	subs map[chan admit.Change]struct{}
}

// Publish implements ChangeFeed. It never blocks: a subscriber whose buffer
// is full misses the change.
func (f *Feed) Publish(ctx context.Context, c admit.Change) error {
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
func (f *Feed) Subscribe(ctx context.Context) (<-chan admit.Change, error) {
	ch := make(chan admit.Change, 64)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan admit.Change]struct{}{}
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
