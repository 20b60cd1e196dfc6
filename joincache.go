package admit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// JoinCache keeps the join data of recently joined meetings in memory, so
// that a join costs no read of the store. It stays true to the store in two
// ways: the Service drops a meeting as soon as it changes it, and every
// PollInterval (at most) the first lookup reads the store's change log
// (Store.MeetingChanges), which every writer feeds, so that a change made by
// another process (the CLI, another node) is seen within that interval.
type JoinCache struct {
	store        JoinStore
	PollInterval time.Duration
	MaxEntries   int

	mu       sync.RWMutex
	byNumber map[string]*JoinData
	byPK     map[int64]*JoinData

	gen      atomic.Uint64 // bumped by every drop; a fill that began before is thrown away
	lastPoll atomic.Int64  // unix nanoseconds of the last poll (wall clock)
	pollMu   sync.Mutex
	seq      int64 // the change log's position, under pollMu
}

// Defaults of the join cache.
const (
	DefaultCachePoll    = 5 * time.Millisecond
	DefaultCacheEntries = 100000
)

// NewJoinCache returns a cache over store.
func NewJoinCache(store JoinStore) *JoinCache {
	return &JoinCache{store: store, PollInterval: DefaultCachePoll, MaxEntries: DefaultCacheEntries,
		byNumber: map[string]*JoinData{}, byPK: map[int64]*JoinData{}}
}

// ByNumber returns the join data of the live meeting with the number. ENOTFOUND.
func (c *JoinCache) ByNumber(ctx context.Context, number string) (*JoinData, error) {
	if err := c.poll(ctx); err != nil {
		return nil, err
	}
	c.mu.RLock()
	d := c.byNumber[number]
	c.mu.RUnlock()
	if d != nil {
		return d, nil
	}
	g := c.gen.Load()
	d, err := c.store.FindJoinData(ctx, number)
	if err != nil {
		return nil, err
	}
	c.fill(g, d)
	return d, nil
}

// ByPK returns the join data of the live meeting with the primary key. ENOTFOUND.
func (c *JoinCache) ByPK(ctx context.Context, pk int64) (*JoinData, error) {
	if err := c.poll(ctx); err != nil {
		return nil, err
	}
	c.mu.RLock()
	d := c.byPK[pk]
	c.mu.RUnlock()
	if d != nil {
		return d, nil
	}
	g := c.gen.Load()
	d, err := c.store.FindJoinDataByPK(ctx, pk)
	if err != nil {
		return nil, err
	}
	c.fill(g, d)
	return d, nil
}

// fill caches d unless something was dropped since the read began (g).
func (c *JoinCache) fill(g uint64, d *JoinData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != g {
		return
	}
	if len(c.byPK) >= c.MaxEntries {
		// Drop an eighth, at random (map order), to make room.
		n := c.MaxEntries / 8
		for pk, e := range c.byPK {
			delete(c.byPK, pk)
			delete(c.byNumber, e.Meeting.Number)
			if n--; n <= 0 {
				break
			}
		}
	}
	c.byPK[d.Meeting.PK] = d
	c.byNumber[d.Meeting.Number] = d
}

// Drop forgets the meeting with the primary key.
func (c *JoinCache) Drop(pk int64) {
	c.gen.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.byPK[pk]; d != nil {
		delete(c.byNumber, d.Meeting.Number)
		delete(c.byPK, pk)
	}
}

// dropAll forgets everything.
func (c *JoinCache) dropAll() {
	c.gen.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byNumber = map[string]*JoinData{}
	c.byPK = map[int64]*JoinData{}
}

// poll reads the change log when PollInterval has passed since the last
// read. One caller reads; the others go on with what is cached.
func (c *JoinCache) poll(ctx context.Context) error {
	if time.Now().UnixNano()-c.lastPoll.Load() < int64(c.PollInterval) {
		return nil
	}
	if !c.pollMu.TryLock() {
		return nil
	}
	defer c.pollMu.Unlock()
	start := time.Now().UnixNano()
	latest, pks, all, err := c.store.MeetingChanges(ctx, c.seq)
	if err != nil {
		// Without the log nothing cached can be trusted.
		c.dropAll()
		return err
	}
	if all {
		c.dropAll()
	}
	for _, pk := range pks {
		c.Drop(pk)
	}
	c.seq = latest
	c.lastPoll.Store(start)
	return nil
}
