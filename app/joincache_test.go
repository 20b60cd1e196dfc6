package app_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/sqlite"
)

// fakeJoinStore is a JoinStore of meetings in memory with a change log. Only
// the methods JoinCache calls are implemented; the others panic.
type fakeJoinStore struct {
	admit.JoinStore

	mu       sync.Mutex
	meetings map[int64]*admit.JoinData
	version  map[int64]int // bumped by change, put in the Topic of what is read
	loads    int           // calls of FindJoinData and FindJoinDataByPK
	readPKs  []int64       // the pk argument of each of those calls
	dirLoads []int64       // the meetingPK argument of each LoadDirectory
	log      []int64       // meeting PKs; seq is position + 1
	all      bool          // the next MeetingChanges reports all
	err      error         // MeetingChanges fails with it
	polls    int           // calls of MeetingChanges

	// When block is set, FindJoinDataByPK sends on entered once it has
	// read, then waits for block to be closed.
	entered chan struct{}
	block   chan struct{}
}

func newFakeJoinStore(n int) *fakeJoinStore {
	s := &fakeJoinStore{meetings: map[int64]*admit.JoinData{}, version: map[int64]int{}}
	for pk := int64(1); pk <= int64(n); pk++ {
		s.meetings[pk] = &admit.JoinData{Meeting: &admit.Meeting{PK: pk, Number: fakeNumber(pk)}}
	}
	return s
}

func fakeNumber(pk int64) string { return fmt.Sprintf("8123456%04d", pk) }

// LoadDirectory lists the fake's meetings' numbers (one meeting's with pk).
func (s *fakeJoinStore) LoadDirectory(ctx context.Context, pk int64, now time.Time) (*admit.Directory, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirLoads = append(s.dirLoads, pk)
	d := &admit.Directory{}
	for mpk, m := range s.meetings {
		if pk == 0 || mpk == pk {
			d.Meetings = append(d.Meetings, admit.DirMeeting{PK: mpk, Number: m.Meeting.Number})
		}
	}
	return d, nil
}

// read returns a copy of the meeting's data as it is now.
func (s *fakeJoinStore) read(pk int64) (*admit.JoinData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	s.readPKs = append(s.readPKs, pk)
	d := s.meetings[pk]
	if d == nil {
		return nil, &admit.Error{Code: admit.ENOTFOUND, Message: "meeting not found"}
	}
	m := *d.Meeting
	m.Topic = fmt.Sprintf("v%d", s.version[pk])
	return &admit.JoinData{Meeting: &m}, nil
}

func (s *fakeJoinStore) FindJoinDataByPK(ctx context.Context, pk int64) (*admit.JoinData, error) {
	d, err := s.read(pk)
	s.mu.Lock()
	entered, block := s.entered, s.block
	s.mu.Unlock()
	if block != nil {
		entered <- struct{}{}
		<-block
	}
	return d, err
}

func (s *fakeJoinStore) MeetingChanges(ctx context.Context, afterSeq int64) (int64, []int64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	if s.err != nil {
		return 0, nil, false, s.err
	}
	latest := int64(len(s.log))
	if s.all {
		s.all = false
		return latest, nil, true, nil
	}
	return latest, append([]int64(nil), s.log[afterSeq:]...), false, nil
}

// change changes the meeting, writing it to the log when logged.
func (s *fakeJoinStore) change(pk int64, logged bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version[pk]++
	if logged {
		s.log = append(s.log, pk)
	}
}

func (s *fakeJoinStore) loadCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loads
}

// newTestCache returns a cache over a fake store of n meetings that polls
// the change log at every lookup.
func newTestCache(n int) (*app.JoinCache, *fakeJoinStore) {
	s := newFakeJoinStore(n)
	c := app.NewJoinCache(s)
	c.PollInterval = 0
	return c, s
}

// topic looks the meeting up by PK and returns its Topic (its version).
func topic(t *testing.T, c *app.JoinCache, pk int64) string {
	t.Helper()
	d, err := c.ByPK(context.Background(), pk)
	if err != nil {
		t.Fatalf("ByPK(%d): %v", pk, err)
	}
	return d.Meeting.Topic
}

// wantLoads fails the test unless the store was read want times in all.
func wantLoads(t *testing.T, s *fakeJoinStore, want int, after string) {
	t.Helper()
	if got := s.loadCount(); got != want {
		t.Errorf("after %s: %d loads, want %d", after, got, want)
	}
}

func TestJoinCacheHits(t *testing.T) {
	ctx := context.Background()
	c, s := newTestCache(2)
	d, err := c.ByPK(ctx, 1)
	if err != nil || d.Meeting.PK != 1 {
		t.Fatalf("ByPK = %+v, %v", d, err)
	}
	wantLoads(t, s, 1, "the first lookup")
	for range 3 {
		if d2, err := c.ByPK(ctx, 1); err != nil || d2 != d {
			t.Errorf("ByPK = %p, %v; want the cached %p", d2, err, d)
		}
	}
	wantLoads(t, s, 1, "hits")

	// A meeting not found is not cached, and does not disturb the others.
	for range 2 {
		if _, err := c.ByPK(ctx, 99); admit.ErrorCode(err) != admit.ENOTFOUND {
			t.Errorf("ByPK(99) err = %v, want ENOTFOUND", err)
		}
	}
	wantLoads(t, s, 3, "two lookups of an unknown meeting")
	topic(t, c, 1)
	wantLoads(t, s, 3, "a hit after misses")
}

func TestJoinCacheDrop(t *testing.T) {
	c, s := newTestCache(2)
	topic(t, c, 1)
	topic(t, c, 2)
	s.change(1, false) // as the Service does: it writes, then drops
	if got := topic(t, c, 1); got != "v0" {
		t.Errorf("before Drop: topic %q, want the cached v0", got)
	}
	c.Drop(1)
	if got := topic(t, c, 1); got != "v1" {
		t.Errorf("after Drop: topic %q, want v1", got)
	}
	wantLoads(t, s, 3, "Drop(1)")
	topic(t, c, 2)
	wantLoads(t, s, 3, "Drop(1), meeting 2") // the other meeting stays
	c.Drop(42)                               // not cached: nothing happens
	topic(t, c, 1)
	wantLoads(t, s, 3, "Drop of an uncached meeting")
}

func TestJoinCachePolls(t *testing.T) {
	c, s := newTestCache(2)
	c.PollInterval = time.Hour
	topic(t, c, 1) // polls first: lastPoll starts at zero
	topic(t, c, 2)
	s.change(1, true) // by another process: only the log tells
	if got := topic(t, c, 1); got != "v0" {
		t.Errorf("within the poll interval: topic %q, want the cached v0", got)
	}
	wantLoads(t, s, 2, "a logged change within the interval")

	c.PollInterval = 0
	if got := topic(t, c, 1); got != "v1" {
		t.Errorf("after the poll interval: topic %q, want v1", got)
	}
	topic(t, c, 2)
	wantLoads(t, s, 3, "the poll (meeting 2 unchanged)")
	topic(t, c, 1)
	wantLoads(t, s, 3, "a second poll with nothing new")
}

func TestJoinCacheFillRacingDrop(t *testing.T) {
	ctx := context.Background()
	c, s := newTestCache(2)
	block := make(chan struct{})
	s.mu.Lock()
	s.entered, s.block = make(chan struct{}), block
	s.mu.Unlock()
	done := make(chan *admit.JoinData)
	go func() {
		d, err := c.ByPK(ctx, 1)
		if err != nil {
			t.Errorf("ByPK: %v", err)
		}
		done <- d
	}()
	<-s.entered // the fill has read v0
	s.change(1, false)
	c.Drop(1)
	s.mu.Lock()
	s.block = nil // later lookups do not block
	s.mu.Unlock()
	close(block)
	if d := <-done; d.Meeting.Topic != "v0" {
		t.Errorf("racing lookup = %q, want v0 (what it read)", d.Meeting.Topic)
	}
	// The fill read before the drop: it was not cached.
	if got := topic(t, c, 1); got != "v1" {
		t.Errorf("after the racing fill: topic %q, want v1", got)
	}
	wantLoads(t, s, 2, "a lookup after the racing fill")
}

func TestJoinCacheFillRacingPoll(t *testing.T) {
	ctx := context.Background()
	c, s := newTestCache(2)
	topic(t, c, 2)
	block := make(chan struct{})
	s.mu.Lock()
	s.entered, s.block = make(chan struct{}), block
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := c.ByPK(ctx, 1); err != nil {
			t.Errorf("ByPK: %v", err)
		}
	}()
	<-s.entered
	s.mu.Lock()
	s.block = nil
	s.mu.Unlock()
	// Another process changes the meeting; another lookup polls and reads
	// the change while the fill is under way.
	s.change(1, true)
	topic(t, c, 2)
	close(block)
	<-done
	if got := topic(t, c, 1); got != "v1" {
		t.Errorf("after a fill that raced with a poll: topic %q, want v1", got)
	}
}

func TestJoinCacheDropsAll(t *testing.T) {
	ctx := context.Background()
	c, s := newTestCache(3)
	for pk := int64(1); pk <= 3; pk++ {
		topic(t, c, pk)
	}
	s.mu.Lock()
	s.all = true
	s.mu.Unlock()
	for pk := int64(1); pk <= 3; pk++ {
		topic(t, c, pk)
	}
	wantLoads(t, s, 6, "all")

	// Without the log nothing cached can be trusted: the lookup fails and
	// everything is dropped.
	s.mu.Lock()
	s.err = errors.New("disk on fire")
	s.mu.Unlock()
	if _, err := c.ByPK(ctx, 1); err == nil || err.Error() != "disk on fire" {
		t.Errorf("ByPK while the log fails: err = %v, want it", err)
	}
	s.mu.Lock()
	s.err = nil
	s.mu.Unlock()
	for pk := int64(1); pk <= 3; pk++ {
		topic(t, c, pk)
	}
	wantLoads(t, s, 9, "an error of MeetingChanges")
}

func TestJoinCacheMaxEntries(t *testing.T) {
	const n, max = 100, 16
	c, s := newTestCache(n)
	c.PollInterval = time.Hour
	c.MaxEntries = max
	for pk := int64(1); pk <= n; pk++ {
		topic(t, c, pk)
		topic(t, c, pk) // the latest filled is cached
	}
	wantLoads(t, s, n, "filling")
	// Every hit of a second pass was cached when it began.
	for pk := int64(1); pk <= n; pk++ {
		topic(t, c, pk)
	}
	if hits := 2*n - s.loadCount(); hits > max {
		t.Errorf("%d hits of %d meetings after filling a cache of %d entries", hits, n, max)
	}
}

// TestJoinCacheTwoServices runs two Services on one database file, as the
// server and the CLI do: a passcode regenerated through the CLI stops
// working at the server within the poll interval.
func TestJoinCacheTwoServices(t *testing.T) {
	ctx := context.Background()
	server, host, _ := mustService(t, rand.Reader)
	cli := serviceOn(t, server.Store.(*sqlite.DB).Path(), rand.Reader)
	v, err := server.CreateMeeting(ctx, host, &admit.MeetingInput{Start: ptr(t0.Add(5 * time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	join := func(svc *app.Service, passcode string) error {
		_, err := svc.Join(ctx, &admit.JoinRequest{MeetingID: v.MeetingID, Passcode: passcode, Source: "192.0.2.1"})
		return err
	}
	if err := join(server, v.Passcode); err != nil {
		t.Fatalf("join before the change: %v", err)
	}
	r, err := cli.Regenerate(ctx, &admit.Actor{User: host.User, Source: "cli"}, v.ID, "passcode", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Passcode == v.Passcode {
		t.Fatalf("Regenerate kept the passcode")
	}
	time.Sleep(app.DefaultCachePoll)
	if err := join(server, v.Passcode); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("server join with the old passcode a poll interval on: err = %v, want EREFUSED", err)
	}
	if err := join(server, r.Passcode); err != nil {
		t.Errorf("server join with the new passcode: %v", err)
	}

	// And the other way round: the CLI caches too.
	if err := join(cli, r.Passcode); err != nil {
		t.Fatalf("CLI join: %v", err)
	}
	if err := server.DeleteMeeting(ctx, host, v.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(app.DefaultCachePoll)
	if err := join(cli, r.Passcode); admit.ErrorCode(err) != admit.EREFUSED {
		t.Errorf("CLI join of a meeting the server deleted: err = %v, want EREFUSED", err)
	}
}

// TestJoinCacheBulkChanges changes more meetings than a poll reads one by
// one (as nodes scheduling a thousand meetings at once do): the poll reads
// the directory once, whole, and every changed meeting is read again.
func TestJoinCacheBulkChanges(t *testing.T) {
	n := app.MaxPolledMeetings + 10
	c, s := newTestCache(n)
	topic(t, c, 1)
	topic(t, c, 2)
	s.mu.Lock()
	s.dirLoads = nil
	s.mu.Unlock()
	for pk := int64(1); pk <= int64(n); pk++ {
		s.change(pk, true)
	}
	if got := topic(t, c, 1); got != "v1" {
		t.Errorf("after a bulk change: topic %q, want v1", got)
	}
	if got := topic(t, c, 2); got != "v1" {
		t.Errorf("after a bulk change: topic %q, want v1", got)
	}
	loads := func() []int64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		l := s.dirLoads
		s.dirLoads = nil
		return l
	}
	if l := loads(); len(l) != 1 || l[0] != 0 {
		t.Errorf("%d changed meetings were read with LoadDirectory(%v), want one read of the whole directory", n, l)
	}
	s.change(3, true)
	s.change(4, true)
	topic(t, c, 3)
	if l := loads(); len(l) != 2 || l[0] != 3 || l[1] != 4 {
		t.Errorf("two changed meetings were read with LoadDirectory(%v), want one each", l)
	}
}

// TestJoinCacheUnknownCostsAsKnown checks that an identifier the directory
// does not know costs the store what a real one drawn at random costs: a
// read of a real meeting's join data when that meeting is cold, none when it
// is cached, none on the identifier's second lookup, and the same again
// after the cache is dropped.
func TestJoinCacheUnknownCostsAsKnown(t *testing.T) {
	ctx := context.Background()
	c, s := newTestCache(1)
	c.PollInterval = time.Hour
	if err := c.Warm(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	lookup := func(key string) {
		t.Helper()
		if _, err := c.Unknown(ctx, key); err != nil {
			t.Fatalf("Unknown(%q): %v", key, err)
		}
	}
	lookup("n99999999999")
	wantLoads(t, s, 1, "an unknown identifier's first lookup on a cold cache")
	s.mu.Lock()
	read := s.readPKs[len(s.readPKs)-1]
	s.mu.Unlock()
	if read != 1 {
		t.Errorf("Unknown read meeting %d; want the real meeting 1", read)
	}
	lookup("n99999999999")
	wantLoads(t, s, 1, "its second lookup")
	topic(t, c, 1)
	wantLoads(t, s, 1, "the real meeting's lookup: warmed by the unknown one, as a real probe warms it")
	lookup("cINDEX")
	lookup("tINDEX")
	wantLoads(t, s, 1, "other unknown identifiers' first lookups on a warm cache")
	// A change that drops everything makes both kinds cold again.
	s.change(1, true)
	s.all = true
	c.PollInterval = 0
	before := s.loadCount()
	if err := c.Warm(ctx, time.Now()); err != nil { // the poll a join's directory lookup makes
		t.Fatal(err)
	}
	lookup("n99999999999")
	wantLoads(t, s, before+1, "an unknown identifier after a full reload")
	topic(t, c, 1)
	wantLoads(t, s, before+1, "the real one after it")
}

// TestJoinCacheStandInIgnoresProbedMeetings: a meeting only real lookups
// cached (refused probes, say) counts as cold for an unknown identifier's
// stand-in, which reads it (once: its read counts for the next stand-ins);
// a meeting a join with valid credentials used (Keep), or one refreshed
// after a write of this service, counts as cached.
func TestJoinCacheStandInIgnoresProbedMeetings(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"probed", "kept", "refreshed"} {
		c, s := newTestCache(1)
		c.PollInterval = time.Hour
		if err := c.Warm(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
		switch how {
		case "probed":
			topic(t, c, 1)
		case "kept":
			topic(t, c, 1)
			c.Keep(1)
		case "refreshed":
			if err := c.Refresh(ctx, 1, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		before := s.loadCount()
		if _, err := c.Unknown(ctx, "n99999999999"); err != nil {
			t.Fatal(err)
		}
		want := 0
		if how == "probed" {
			want = 1
		}
		if got := s.loadCount() - before; got != want {
			t.Errorf("%s meeting: the stand-in read it %d times, want %d", how, got, want)
		}
		if _, err := c.Unknown(ctx, "n88888888888"); err != nil {
			t.Fatal(err)
		}
		if got := s.loadCount() - before; got != want {
			t.Errorf("%s meeting: a second stand-in read it again (%d reads in all, want %d)", how, got, want)
		}
	}
}

// TestJoinCacheProbesReadAlike probes, as an attacker after a restart
// would, every real meeting once and as many unknown identifiers once, in
// a random order, while joins with valid credentials keep a random half of
// the meetings cached: the unknown identifiers must read the store as often
// as the real ones (issue 18). Before the stand-ins ignored what probes
// cached, the attacker's own real probes warmed the meetings stand-ins drew
// later, and unknown identifiers read the store far less often.
func TestJoinCacheProbesReadAlike(t *testing.T) {
	ctx := context.Background()
	const n = 2000
	c, s := newTestCache(n)
	c.PollInterval = time.Hour
	c.MaxEntries = 4 * n
	if err := c.Warm(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	r := mrand.New(mrand.NewPCG(1, 2))
	for _, i := range r.Perm(n)[:n/2] {
		pk := int64(i + 1)
		topic(t, c, pk)
		c.Keep(pk)
	}
	type probe struct {
		pk  int64 // 0 for an unknown identifier
		key string
	}
	probes := make([]probe, 0, 2*n)
	for i := 0; i < n; i++ {
		probes = append(probes, probe{pk: int64(i + 1)}, probe{key: fmt.Sprintf("n9%010d", i)})
	}
	r.Shuffle(len(probes), func(i, j int) { probes[i], probes[j] = probes[j], probes[i] })
	var realReads, unknownReads int
	for _, p := range probes {
		before := s.loadCount()
		if p.pk != 0 {
			topic(t, c, p.pk)
			realReads += s.loadCount() - before
		} else {
			if _, err := c.Unknown(ctx, p.key); err != nil {
				t.Fatal(err)
			}
			unknownReads += s.loadCount() - before
		}
	}
	t.Logf("first probes read the store: %d of %d real, %d of %d unknown", realReads, n, unknownReads, n)
	// Each count is a sum of n reads of probability at most 1/2 (sd under
	// sqrt(n/4)); allow 4.5 sd of their difference.
	if d := math.Abs(float64(unknownReads - realReads)); d > 4.5*math.Sqrt(n/2) {
		t.Errorf("unknown identifiers read the store %d times, real ones %d: a first probe tells them apart", unknownReads, realReads)
	}
}

// TestJoinCacheUnknownDrawsAtRandom checks that the meetings unknown
// identifiers stand in for spread over the directory's meetings, as the
// first lookups of real identifiers probed at random do.
func TestJoinCacheUnknownDrawsAtRandom(t *testing.T) {
	ctx := context.Background()
	const n, probes = 8, 4000
	c, s := newTestCache(n)
	c.PollInterval = time.Hour
	c.MaxEntries = 10 * probes
	if err := c.Warm(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < probes; i++ {
		for pk := int64(1); pk <= n; pk++ {
			c.Drop(pk) // every meeting cold, so that each draw reads
		}
		if _, err := c.Unknown(ctx, fmt.Sprintf("n%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	count := map[int64]int{}
	s.mu.Lock()
	for _, pk := range s.readPKs {
		count[pk]++
	}
	s.mu.Unlock()
	if len(count) != n {
		t.Fatalf("the draws touched %d of %d meetings: %v", len(count), n, count)
	}
	// Chi-square with n-1 = 7 degrees of freedom; 24.3 is its 0.999 quantile.
	want := float64(probes) / n
	chi := 0.0
	for _, k := range count {
		d := float64(k) - want
		chi += d * d / want
	}
	if chi > 24.3 {
		t.Errorf("draws not uniform over the meetings: chi-square %.1f > 24.3 (%v)", chi, count)
	}
}

// TestJoinCacheEvictsBothKindsAlike fills a small cache with known and
// unknown identifiers and checks that the bound holds for both together and
// that eviction keeps their proportion, so that an eviction does not reopen
// a timing difference between them.
func TestJoinCacheEvictsBothKindsAlike(t *testing.T) {
	ctx := context.Background()
	const n, max = 400, 64
	c, _ := newTestCache(n)
	c.PollInterval = time.Hour
	c.MaxEntries = max
	if err := c.Warm(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	for pk := int64(1); pk <= n; pk++ {
		topic(t, c, pk)
		if _, err := c.Unknown(ctx, fmt.Sprintf("n%d", pk)); err != nil {
			t.Fatal(err)
		}
		known, unknown := c.Entries()
		if known+unknown > max {
			t.Fatalf("after %d of each: %d known and %d unknown entries, more than MaxEntries %d", pk, known, unknown, max)
		}
		if pk > max && (unknown == 0 || known > 3*unknown+4 || unknown > known+4) {
			t.Fatalf("after %d of each: %d known and %d unknown entries: eviction favours one kind", pk, known, unknown)
		}
	}
}

// TestJoinCacheLookup: Lookup answers as Number and ByPK for a meeting
// number the directory knows, as Unknown for one it does not (the stand-in
// read, its account returned, the second lookup reading nothing), with
// Known and no data for a meeting gone since; and it reads the change log
// once per lookup.
func TestJoinCacheLookup(t *testing.T) {
	ctx := context.Background()
	c, s := newTestCache(2)
	s.meetings[1].Meeting.AccountID = 7
	s.meetings[2].Meeting.AccountID = 7
	polls := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.polls
	}
	f, err := c.Lookup(ctx, app.LookupNumber, fakeNumber(1), time.Now())
	if err != nil || !f.Known || f.Data == nil || f.Data.Meeting.PK != 1 || f.StandIn != 0 {
		t.Fatalf("Lookup of meeting 1's number: %+v, %v; want its data", f, err)
	}
	wantLoads(t, s, 1, "a known number's first lookup")
	if f, err = c.Lookup(ctx, app.LookupNumber, fakeNumber(1), time.Now()); err != nil || f.Data == nil {
		t.Fatalf("second Lookup: %+v, %v", f, err)
	}
	wantLoads(t, s, 1, "its second lookup (cached)")

	f, err = c.Lookup(ctx, app.LookupNumber, "99999999999", time.Now())
	if err != nil || f.Known || f.Data != nil {
		t.Fatalf("Lookup of an unknown number: %+v, %v; want unknown, no data", f, err)
	}
	if got := s.loadCount(); got != 2 || f.StandIn != 7 {
		t.Errorf("an unknown number's first lookup: %d loads, stand-in account %d; want a stand-in read (2 loads) of account 7", got, f.StandIn)
	}
	f, err = c.Lookup(ctx, app.LookupNumber, "99999999999", time.Now())
	if err != nil || f.StandIn != 0 {
		t.Fatalf("its second lookup: %+v, %v; want no stand-in", f, err)
	}
	wantLoads(t, s, 2, "an unknown number's second lookup")
	if _, err := c.Lookup(ctx, app.LookupToken, "INDEX", time.Now()); err != nil {
		t.Fatal(err)
	}

	// Meeting 2 is deleted, dropped from the cache as this service's delete
	// does, the log not telling yet: its number is known, its data gone.
	s.mu.Lock()
	delete(s.meetings, 2)
	s.mu.Unlock()
	c.Drop(2)
	f, err = c.Lookup(ctx, app.LookupNumber, fakeNumber(2), time.Now())
	if err != nil || !f.Known || f.Data != nil {
		t.Fatalf("Lookup of a deleted meeting's number: %+v, %v; want known, no data", f, err)
	}

	// One read of the change log per lookup (PollInterval 0), where Number
	// and ByPK read it once each.
	for _, key := range []string{fakeNumber(1), "99999999999", "88888888888"} {
		before := polls()
		if _, err := c.Lookup(ctx, app.LookupNumber, key, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got := polls() - before; got != 1 {
			t.Errorf("Lookup(%s) read the change log %d times, want 1", key, got)
		}
	}
}
