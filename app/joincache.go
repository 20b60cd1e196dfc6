package app

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/admit-project/admit"
)

// JoinCache keeps the join data of recently joined meetings in memory, so
// that a join costs no read of the store. It stays true to the store in two
// ways: the Service drops a meeting as soon as it changes it, and every
// PollInterval (at most) the first lookup reads the store's change log
// (Store.MeetingChanges), which every writer feeds, so that a change made by
// another process (the CLI, another node) is seen within that interval.
type JoinCache struct {
	store        admit.JoinStore
	PollInterval time.Duration
	MaxEntries   int
	// Clock times the polls and bounds the directory's horizon; the system
	// clock when nil. It is not the service's clock: a test clock that
	// stands still must not keep the cache from reading the change log.
	Clock admit.Clock

	mu   sync.RWMutex
	byPK map[int64]*admit.JoinData
	// unknown holds identifiers the directory does not know that were
	// looked up since they were last evicted (see Unknown). It shares
	// MaxEntries and the eviction with byPK, so that a cached unknown
	// identifier and a cached known one come and go alike.
	unknown map[string]struct{}
	// neutral holds the meetings of byPK cached for reasons that do not
	// depend on which real identifiers someone probes: read for an unknown
	// identifier's stand-in, used by a join with valid credentials (Keep),
	// or read again after a write of this service (Refresh). A meeting that
	// only real lookups filled (refused probes, say) is not in it. Unknown's
	// stand-in counts only these as cached: see Unknown.
	neutral map[int64]struct{}

	gen      atomic.Uint64 // bumped by every drop; a fill that began before is thrown away
	lastPoll atomic.Int64  // unix nanoseconds of the last poll (Clock)
	pollMu   sync.Mutex
	seq      int64 // the change log's position, under pollMu

	dir       directory
	dirLoaded atomic.Bool
}

// Defaults of the join cache.
const (
	DefaultCachePoll    = 5 * time.Millisecond
	DefaultCacheEntries = 100000
	// MaxPolledMeetings is the most changed meetings a poll reads one by
	// one; above it, it reads the whole directory again.
	MaxPolledMeetings = 256
)

// NewJoinCache returns a cache over store.
func NewJoinCache(store admit.JoinStore) *JoinCache {
	return &JoinCache{store: store, PollInterval: DefaultCachePoll, MaxEntries: DefaultCacheEntries,
		byPK: map[int64]*admit.JoinData{}, unknown: map[string]struct{}{}, neutral: map[int64]struct{}{}}
}

// wall returns the time of the cache's clock.
func (c *JoinCache) wall() time.Time {
	if c.Clock == nil {
		return admit.SystemClock{}.Now()
	}
	return c.Clock.Now()
}

// ByPK returns the join data of the live meeting with the primary key. ENOTFOUND.
func (c *JoinCache) ByPK(ctx context.Context, pk int64) (*admit.JoinData, error) {
	if err := c.poll(ctx, c.wall()); err != nil {
		return nil, err
	}
	return c.cached(ctx, pk)
}

// cached is ByPK without the poll.
func (c *JoinCache) cached(ctx context.Context, pk int64) (*admit.JoinData, error) {
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
	c.fill(g, d, false)
	return d, nil
}

// Keep marks the cached meeting with the primary key as used by a join
// with valid credentials: Unknown's stand-ins find it cached too (see
// Unknown). It does nothing when the meeting is not cached.
func (c *JoinCache) Keep(pk int64) {
	c.mu.RLock()
	_, neutral := c.neutral[pk]
	cached := c.byPK[pk] != nil
	c.mu.RUnlock()
	if neutral || !cached {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byPK[pk] != nil {
		c.neutral[pk] = struct{}{}
	}
}

// fill caches d unless something was dropped since the read began (g),
// marking it neutral when it is (see JoinCache.neutral).
func (c *JoinCache) fill(g uint64, d *admit.JoinData, neutral bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != g {
		return
	}
	c.put(d, neutral)
}

// put caches d; c.mu must be held.
func (c *JoinCache) put(d *admit.JoinData, neutral bool) {
	if c.byPK[d.Meeting.PK] == nil {
		c.makeRoom()
	}
	c.byPK[d.Meeting.PK] = d
	if neutral {
		c.neutral[d.Meeting.PK] = struct{}{}
	}
}

// makeRoom drops an eighth of the known and of the unknown entries, at
// random (map order), when together they reach MaxEntries; c.mu must be
// held. Both kinds are dropped in the same proportion, so that an eviction
// makes a known identifier's next lookup slow exactly as often as an
// unknown one's.
func (c *JoinCache) makeRoom() {
	if len(c.byPK)+len(c.unknown) < c.MaxEntries {
		return
	}
	n := (len(c.byPK) + 7) / 8
	for pk := range c.byPK {
		if n <= 0 {
			break
		}
		delete(c.byPK, pk)
		delete(c.neutral, pk)
		n--
	}
	n = (len(c.unknown) + 7) / 8
	for k := range c.unknown {
		if n <= 0 {
			break
		}
		delete(c.unknown, k)
		n--
	}
}

// Entries returns how many meetings' join data and how many unknown
// identifiers the cache holds.
func (c *JoinCache) Entries() (known, unknown int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.byPK), len(c.unknown)
}

// Unknown does for an identifier the directory does not know what ByPK
// does for one it knows, so that the time of a refusal does not tell
// whether the identifier exists, whether the cache is cold (after a start
// or an eviction) or warm. An unknown identifier behaves as a real meeting
// drawn at random that the prober has not tried before: its first lookup
// (and the first after an eviction) polls as ByPK does and stands in for a
// meeting drawn uniformly from the directory, reading and caching that
// meeting's join data unless the meeting is cached for a reason that does
// not depend on which real identifiers were probed (JoinCache.neutral),
// reading nothing when it is; then key is remembered, so that its next
// lookup costs a map lookup, as a cached meeting's does. A meeting only
// real lookups cached counts as cold for the stand-in: whoever probes real
// identifiers warms exactly the meetings he will not probe for the first
// time again, so if those counted, a fresh unknown identifier would find
// its stand-in cached more often than a fresh real one finds its meeting
// (measured on PostgreSQL, issue 18: 37% against 61% of the first probes of
// 2,000 of each read the store). Stand-ins' reads warm the cache for both
// kinds alike, as they are drawn at random. key names the identifier and
// its kind ("n" and a meeting number, "c" and an access code's index, "t"
// and a token's index).
//
// When it read the stand-in meeting it returns its account, for the caller
// to look its guess budget up as a cold real meeting's refusal does its own
// account's (a cached meeting's account is in use too); else 0.
func (c *JoinCache) Unknown(ctx context.Context, key string) (accountID int64, err error) {
	if c.seen(key) {
		return 0, nil
	}
	if err := c.poll(ctx, c.wall()); err != nil {
		return 0, err
	}
	return c.standIn(ctx, key)
}

// seen reports whether the unknown identifier's key is cached.
func (c *JoinCache) seen(key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.unknown[key]
	return ok
}

// standIn is Unknown's work after the poll, for an identifier not seen.
func (c *JoinCache) standIn(ctx context.Context, key string) (accountID int64, err error) {
	g := c.gen.Load()
	var read *admit.JoinData
	if pk := c.dir.randomMeeting(); pk != 0 {
		c.mu.RLock()
		_, neutral := c.neutral[pk]
		cached := c.byPK[pk] != nil
		c.mu.RUnlock()
		if !cached || !neutral {
			read, err = c.store.FindJoinDataByPK(ctx, pk)
			if err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
				return 0, err
			}
			if read != nil {
				accountID = read.Meeting.AccountID
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != g {
		return accountID, nil // as fill: what was read is older than a drop
	}
	if read != nil {
		c.put(read, true)
	}
	c.makeRoom()
	c.unknown[key] = struct{}{}
	return accountID, nil
}

// Drop forgets the meeting with the primary key.
func (c *JoinCache) Drop(pk int64) {
	c.gen.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byPK, pk)
	delete(c.neutral, pk)
}

// dropAll forgets everything.
func (c *JoinCache) dropAll() {
	c.gen.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byPK = map[int64]*admit.JoinData{}
	c.unknown = map[string]struct{}{}
	c.neutral = map[int64]struct{}{}
}

// poll reads the change log when PollInterval has passed since the last
// read, dropping changed meetings and refreshing their directory entries.
// One caller reads; the others go on with what is cached, except before the
// directory's first load, which everyone waits for.
func (c *JoinCache) poll(ctx context.Context, now time.Time) error {
	wall := c.wall()
	if c.dirLoaded.Load() && wall.UnixNano()-c.lastPoll.Load() < int64(c.PollInterval) {
		return nil
	}
	if !c.pollMu.TryLock() {
		if c.dirLoaded.Load() {
			return nil
		}
		c.pollMu.Lock()
		if c.dirLoaded.Load() {
			c.pollMu.Unlock()
			return nil
		}
	}
	defer c.pollMu.Unlock()
	// The next poll is due PollInterval after the time read before the
	// lock, so never later than after a time read now. (What the poll
	// reads is bounded by the log's position, not by this time.)
	start := wall.UnixNano()
	latest, pks, all, err := c.store.MeetingChanges(ctx, c.seq)
	if err != nil {
		// Without the log nothing cached can be trusted.
		c.dropAll()
		c.dirLoaded.Store(false)
		return err
	}
	if all || !c.dirLoaded.Load() || len(pks) > MaxPolledMeetings {
		// Read the whole directory after the log's position: what changes
		// meanwhile is in the read or in the next poll. Many changed
		// meetings (a bulk of them made through other nodes) are read so
		// too: one read of everything is shorter than one per meeting, and
		// lookups go on with what is cached while a poll runs.
		d, err := c.store.LoadDirectory(ctx, 0, dirHorizon(now, wall))
		if err != nil {
			c.dropAll()
			c.dirLoaded.Store(false)
			return err
		}
		c.dropAll()
		c.dir.replaceAll(d)
		c.dirLoaded.Store(true)
	} else {
		for _, pk := range pks {
			c.Drop(pk)
			d, err := c.store.LoadDirectory(ctx, pk, dirHorizon(now, wall))
			if err != nil {
				c.dirLoaded.Store(false) // reload everything next time
				return err
			}
			c.dir.replaceMeeting(pk, d)
		}
	}
	c.seq = latest
	c.lastPoll.Store(start)
	return nil
}

// Refresh reads the meeting's join data and directory entries from the
// store now, replacing what is cached, so that a change another node made a
// moment ago (its notification still on the way) holds for the next lookup.
func (c *JoinCache) Refresh(ctx context.Context, pk int64, now time.Time) error {
	c.Drop(pk)
	g := c.gen.Load()
	// The two reads at once: each sees at least what was committed before
	// Refresh began.
	var d *admit.Directory
	var derr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		d, derr = c.store.LoadDirectory(ctx, pk, dirHorizon(now, c.wall()))
	}()
	jd, err := c.store.FindJoinDataByPK(ctx, pk)
	<-read
	if derr != nil {
		return derr
	}
	if c.dirLoaded.Load() {
		// Before the directory's first load there is nothing to replace:
		// that load reads the meeting with the others.
		c.dir.replaceMeeting(pk, d)
	}
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		return nil // gone: the directory no longer names it
	} else if err != nil {
		return err
	}
	c.fill(g, jd, true)
	return nil
}

// dirHorizon is how far back the directory keeps access-code reservations:
// a day before the earlier of now (the service's clock) and wall (the
// cache's), so that a clock set back by a test or an operator finds them
// still.
func dirHorizon(now, wall time.Time) time.Time {
	if w := wall; w.Before(now) {
		now = w
	}
	return now.Add(-24 * time.Hour)
}

// Found is what the join cache knows of a join's identifier (Lookup).
type Found struct {
	// Known: the directory knows the identifier. Its meeting may be gone
	// since (Data nil).
	Known bool
	// Data is the join data of the identifier's live meeting, or nil.
	Data *admit.JoinData
	// Code is an access code's reservation; Token a link token's invitee.
	Code  admit.DirCode
	Token admit.DirToken
	// StandIn is, for an identifier the directory does not know, the
	// account of the meeting its stand-in read (see Unknown), or 0.
	StandIn int64
}

// Kinds of identifier a join looks up (Lookup): they also prefix the keys
// of unknown identifiers.
const (
	LookupNumber = 'n' // a meeting number
	LookupCode   = 'c' // the index of an access code
	LookupToken  = 't' // the index of a link token
)

// Lookup is the join path's one call into the cache: it polls the change
// log, finds the identifier of the kind in the directory (for an access
// code, the reservation that holds at now), and returns its meeting's join
// data as ByPK does, or, for an identifier the directory does not know,
// does what Unknown does.
func (c *JoinCache) Lookup(ctx context.Context, kind byte, key string, now time.Time) (Found, error) {
	if err := c.poll(ctx, now); err != nil {
		return Found{}, err
	}
	var f Found
	var pk int64
	c.dir.mu.RLock()
	switch kind {
	case LookupNumber:
		pk, f.Known = c.dir.numbers[key]
	case LookupCode:
		for _, r := range c.dir.codes[key] {
			if !now.Before(r.From) && now.Before(r.Until) {
				f.Code, f.Known, pk = r, true, r.MeetingPK
				break
			}
		}
	case LookupToken:
		f.Token, f.Known = c.dir.tokens[key]
		pk = f.Token.MeetingPK
	}
	c.dir.mu.RUnlock()
	if !f.Known {
		if key := string(kind) + key; !c.seen(key) {
			var err error
			if f.StandIn, err = c.standIn(ctx, key); err != nil {
				return Found{}, err
			}
		}
		return f, nil
	}
	d, err := c.cached(ctx, pk)
	if err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
		return Found{}, err
	}
	f.Data = d
	return f, nil
}

// directory is the in-memory Directory, with what each meeting owns in it so
// that a changed meeting's entries can be replaced.
type directory struct {
	mu      sync.RWMutex
	numbers map[string]int64
	codes   map[string][]admit.DirCode
	tokens  map[string]admit.DirToken
	owned   map[int64]*dirOwned
	// meetings lists the primary keys of the meetings in numbers, and at
	// their positions in it, for randomMeeting.
	meetings []int64
	at       map[int64]int
}

// randomMeeting returns the primary key of a meeting of the directory drawn
// uniformly at random, or 0 when it has none.
func (d *directory) randomMeeting() int64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if len(d.meetings) == 0 {
		return 0
	}
	return d.meetings[rand.IntN(len(d.meetings))]
}

// listMeeting adds pk to meetings; d.mu must be held.
func (d *directory) listMeeting(pk int64) {
	if d.at == nil {
		d.at = map[int64]int{}
	}
	if _, ok := d.at[pk]; ok {
		return
	}
	d.at[pk] = len(d.meetings)
	d.meetings = append(d.meetings, pk)
}

// unlistMeeting removes pk from meetings; d.mu must be held.
func (d *directory) unlistMeeting(pk int64) {
	i, ok := d.at[pk]
	if !ok {
		return
	}
	last := len(d.meetings) - 1
	d.meetings[i] = d.meetings[last]
	d.at[d.meetings[i]] = i
	d.meetings = d.meetings[:last]
	delete(d.at, pk)
}

type dirOwned struct {
	number string
	codes  []string
	tokens []string
}

func (d *directory) replaceAll(src *admit.Directory) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.numbers = make(map[string]int64, len(src.Meetings))
	d.codes = make(map[string][]admit.DirCode, len(src.Codes))
	d.tokens = make(map[string]admit.DirToken, len(src.Tokens))
	d.owned = make(map[int64]*dirOwned, len(src.Meetings))
	d.meetings = make([]int64, 0, len(src.Meetings))
	d.at = make(map[int64]int, len(src.Meetings))
	d.add(src)
}

func (d *directory) replaceMeeting(pk int64, src *admit.Directory) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if o := d.owned[pk]; o != nil {
		if d.numbers[o.number] == pk {
			delete(d.numbers, o.number)
		}
		for _, k := range o.codes {
			kept := d.codes[k][:0:0]
			for _, r := range d.codes[k] {
				if r.MeetingPK != pk {
					kept = append(kept, r)
				}
			}
			if len(kept) == 0 {
				delete(d.codes, k)
			} else {
				d.codes[k] = kept
			}
		}
		for _, k := range o.tokens {
			if d.tokens[k].MeetingPK == pk {
				delete(d.tokens, k)
			}
		}
		delete(d.owned, pk)
	}
	d.unlistMeeting(pk)
	d.add(src)
}

// add puts src's entries in; d.mu must be held.
func (d *directory) add(src *admit.Directory) {
	own := func(pk int64) *dirOwned {
		o := d.owned[pk]
		if o == nil {
			o = &dirOwned{}
			d.owned[pk] = o
		}
		return o
	}
	for _, m := range src.Meetings {
		d.numbers[m.Number] = m.PK
		own(m.PK).number = m.Number
		d.listMeeting(m.PK)
	}
	for _, r := range src.Codes {
		k := string(r.Index)
		d.codes[k] = append(d.codes[k], r)
		o := own(r.MeetingPK)
		o.codes = append(o.codes, k)
	}
	for _, t := range src.Tokens {
		k := string(t.Index)
		d.tokens[k] = t
		o := own(t.MeetingPK)
		o.tokens = append(o.tokens, k)
	}
}

// Warm reads the directory now, so that the first join does not wait for it.
func (c *JoinCache) Warm(ctx context.Context, now time.Time) error {
	return c.poll(ctx, now)
}

// WarmJoinCache reads the join path's directory of identifiers, so that the
// first join does not wait for it; `admit serve` calls it before it listens.
func (s *Service) WarmJoinCache(ctx context.Context) error {
	return s.joinCache().Warm(ctx, s.now())
}
