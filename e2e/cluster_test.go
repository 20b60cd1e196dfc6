package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The services of the multi-node tests: PostgreSQL ($ADMIT_TEST_POSTGRES)
// and Redis ($ADMIT_TEST_REDIS).
const (
	defaultTestPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultTestRedis    = "redis://127.0.0.1:6379/0"
)

// needService skips the test when the service at url does not accept
// connections, unless CI=true, where it fails.
func needService(t testing.TB, name, env, rawURL string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	c, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no %s at %s (set %s): %v", name, u.Host, env, err)
		}
		t.Skipf("no %s at %s (set %s, or CI=true to fail): %v", name, u.Host, env, err)
	}
	c.Close()
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// freshDatabase creates a database of its own for the test on the test
// PostgreSQL and returns its URL; it is dropped when the test ends.
func freshDatabase(t testing.TB) string {
	t.Helper()
	base := envOr("ADMIT_TEST_POSTGRES", defaultTestPostgres)
	needService(t, "PostgreSQL", "ADMIT_TEST_POSTGRES", base)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", base, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "admit_e2e_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating the test database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("dropping %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

// cluster is several `admit serve` nodes on one PostgreSQL database, with
// one key file and (unless started without) one Redis.
type cluster struct {
	t      testing.TB
	nodes  []*server
	db     string
	store  []string      // the CLI's store flags
	offset time.Duration // of every node's test clock from the wall clock
}

// startCluster starts n nodes on a fresh database; with redis, they share
// per-source limits and the change feed in the test Redis under a prefix of
// the test's own.
func startCluster(t testing.TB, n int, redis bool, flags ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, db: freshDatabase(t)}
	keyFile := filepath.Join(t.TempDir(), "admit.key")
	c.store = []string{"--db", c.db, "--key-file", keyFile}
	args := append([]string{}, c.store...)
	if redis {
		r := envOr("ADMIT_TEST_REDIS", defaultTestRedis)
		needService(t, "Redis", "ADMIT_TEST_REDIS", r)
		var b [6]byte
		rand.Read(b[:])
		args = append(args, "--redis", r, "--redis-prefix", "admit:e2e:"+hex.EncodeToString(b[:])+":")
	}
	args = append(args, flags...)
	// The first node makes the key file and the schema; the others start
	// together.
	c.nodes = make([]*server, n)
	c.nodes[0] = startNode(t, c, args)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.nodes[i] = startNode(t, c, args)
		}()
	}
	wg.Wait()
	for _, s := range c.nodes {
		if s == nil {
			t.FailNow()
		}
	}
	return c
}

func startNode(t testing.TB, c *cluster, args []string) *server {
	s := startServer(t, "", args...)
	s.store = c.store
	return s
}

// node returns the i-th node, round-robin.
func (c *cluster) node(i int) *server { return c.nodes[i%len(c.nodes)] }

// setClock moves every node's test clock to t. The nodes' clocks follow the
// wall clock (one machine) from one offset, so that they agree exactly, as
// NTP-synchronised nodes do closely.
func (c *cluster) setClock(t time.Time) {
	c.t.Helper()
	c.advance(t.Sub(time.Now().Add(c.offset)))
}

func (c *cluster) advance(d time.Duration) {
	c.t.Helper()
	for _, s := range c.nodes {
		select {
		case <-s.done:
			continue // killed
		default:
		}
		s.advance(d)
	}
	c.offset += d
}

// schedule creates a meeting through the node's API, failing t (not the
// node's test) when it cannot.
func (c *cluster) schedule(t testing.TB, s *server, token string, body map[string]any) *meeting {
	t.Helper()
	r, err := s.try("POST", "/api/v1/meetings", token, body)
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	return decodeMeeting(t, r.must(t, 201))
}

// known waits until every node admits a join with creds: a meeting made
// through one node reaches the others' join directories through the change
// log, a few milliseconds later (a join there meanwhile is refused as for an
// unknown meeting, and counts against no budget). It returns how many joins
// each node refused first.
func (c *cluster) known(t testing.TB, creds map[string]any) []int {
	t.Helper()
	tries := make([]int, len(c.nodes))
	deadline := time.Now().Add(20 * time.Second)
	for i, s := range c.nodes {
		for {
			r, err := s.try("POST", "/api/v1/join", "", creds, "X-Forwarded-For", nextSource())
			if err != nil {
				t.Fatalf("node %d: %v", i, err)
			}
			if r.status == 200 && r.str("status") == "admitted" {
				break
			}
			if r.status != 403 || time.Now().After(deadline) {
				t.Fatalf("node %d does not admit the new meeting after %d tries: %d %s", i, tries[i], r.status, r.raw)
			}
			tries[i]++
			time.Sleep(2 * time.Millisecond)
		}
	}
	return tries
}

// clusterHost creates a host through the CLI on the cluster's store.
func (c *cluster) host(email, name string) string {
	c.t.Helper()
	return c.nodes[0].host(email, name)
}

// spread runs n calls of fn from workers goroutines and waits for them.
func spread(n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// TestCluster runs three nodes on one PostgreSQL and one Redis and shows
// that they act as one service.
func TestCluster(t *testing.T) {
	c := startCluster(t, 3, true, "--source-limit", "5")
	tok := c.host("ada@example.com", "Ada")
	// The account's guess budget is set before any join, so that every
	// node reads it fresh.
	const budget = 10
	c.nodes[0].do("PUT", "/api/v1/account/security", tok, map[string]any{"guess_budget": budget}).must(t, 200)
	c.setClock(monday)

	c.run(t, "MaxUsesOnce", func(t *testing.T) { testClusterMaxUsesOnce(t, c, tok) })
	c.run(t, "GuessBudget", func(t *testing.T) { testClusterGuessBudget(t, c, tok, budget) })
	c.run(t, "SourceLimit", func(t *testing.T) { testClusterSourceLimit(t, c) })
	c.run(t, "SourceBurst", func(t *testing.T) { testClusterSourceBurst(t, c) })
	c.run(t, "RegenerateReachesEveryNode", func(t *testing.T) { testClusterRegenerate(t, c, tok) })
	c.run(t, "ConcurrentScheduling", func(t *testing.T) { testClusterScheduling(t, c, tok) })
	c.run(t, "KillNodeMidLoad", func(t *testing.T) { testClusterKill(t, c, tok) })
}

// run runs a subtest with every node's clock at monday.
func (c *cluster) run(t *testing.T, name string, fn func(t *testing.T)) {
	c.setClock(monday)
	t.Run(name, fn)
}

// TestClusterWithoutRedis runs three nodes on PostgreSQL alone: the
// per-source limits fall back to the database and still hold across nodes,
// and a change made through one node reaches the others.
func TestClusterWithoutRedis(t *testing.T) {
	c := startCluster(t, 3, false, "--source-limit", "5")
	tok := c.host("ada@example.com", "Ada")
	c.setClock(monday)
	c.run(t, "SourceLimit", func(t *testing.T) { testClusterSourceLimit(t, c) })
	c.run(t, "SourceBurst", func(t *testing.T) { testClusterSourceBurst(t, c) })
	c.run(t, "RegenerateReachesEveryNode", func(t *testing.T) { testClusterRegenerate(t, c, tok) })
	c.run(t, "MaxUsesOnce", func(t *testing.T) { testClusterMaxUsesOnce(t, c, tok) })
}

// testClusterMaxUsesOnce sends 100 concurrent joins with a max_uses=1
// access code, spread over the nodes: exactly one is admitted.
func testClusterMaxUsesOnce(t *testing.T, c *cluster, tok string) {
	m := c.schedule(t, c.nodes[0], tok, scheduledAt(monday, map[string]any{"security": map[string]any{"max_uses": 1}}))
	code := map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode}
	// Every node knows the meeting (and so its code) before the burst: a
	// join with the meeting ID, which max_uses does not limit.
	c.known(t, map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode})
	var mu sync.Mutex
	statuses := map[string]int{}
	var admitted []string
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := c.node(i).try("POST", "/api/v1/join", "", code, "X-Forwarded-For", nextSource())
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("join %d: %v", i, err)
				return
			}
			key := fmt.Sprintf("%d %s", r.status, r.str("status")+r.str("error"))
			statuses[key]++
			if r.status == 200 {
				admitted = append(admitted, r.str("status"))
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(admitted) != 1 || admitted[0] != "admitted" || statuses["403 invalid_credentials"] != 99 {
		t.Errorf("100 concurrent joins of a max_uses=1 code over %d nodes: %v; want one admitted, 99 refused", len(c.nodes), statuses)
	}
	att := c.node(2).do("GET", "/api/v1/meetings/"+m.ID+"/attendance?occurrence=1", tok, nil).must(t, 200)
	if rows, _ := att.body["participants"].([]any); len(rows) != 1+len(c.nodes) {
		t.Errorf("attendance has %d participants, want %d (one by the code, one by the meeting ID on each node)", len(rows), 1+len(c.nodes))
	}
}

// testClusterGuessBudget spreads wrong-passcode guesses at one meeting over
// the nodes, from as many sources: exactly the budget's failures spend it,
// on every node at once; after that passcode joins wait on every node.
func testClusterGuessBudget(t *testing.T, c *cluster, tok string, budget int) {
	m := c.schedule(t, c.nodes[0], tok, scheduledAt(monday, nil))
	creds := map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}
	t.Logf("joins refused before each node knew the new meeting: %v", c.known(t, creds))
	guess := func(i int) {
		r, err := c.node(i).try("POST", "/api/v1/join", "", map[string]any{"meeting_id": m.MeetingID, "passcode": fmt.Sprintf("Wrong%05d", i)}, "X-Forwarded-For", nextSource())
		if err != nil {
			t.Errorf("guess %d: %v", i, err)
		} else if r.status != 403 || r.str("error") != "invalid_credentials" {
			t.Errorf("guess %d: %d %s; want refused", i, r.status, r.raw)
		}
	}
	spread(budget-1, budget-1, guess)
	for i := range c.nodes {
		wantAdmitted(t, c.node(i).join(creds), fmt.Sprintf("node %d with %d of %d failures", i, budget-1, budget))
	}
	roster := c.node(1).do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if b, _ := roster.body["budget"].(map[string]any); b["failures"] != float64(budget-1) || b["spent"] != false {
		t.Fatalf("budget after %d guesses over the nodes: %v", budget-1, b)
	}
	guess(budget) // the last one, on another node
	for i := range c.nodes {
		r := c.node(i).join(creds).must(t, 200)
		if r.str("status") != "waiting" {
			t.Errorf("node %d: a passcode join after the budget was spent: %s; want waiting", i, r.raw)
		}
	}
	roster = c.node(2).do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if b, _ := roster.body["budget"].(map[string]any); b["failures"] != float64(budget) || b["spent"] != true {
		t.Errorf("budget after %d guesses over the nodes: %v; want exactly %d failures, spent", budget, b, budget)
	}
	audit := c.node(0).do("GET", "/api/v1/audit?limit=1000", tok, nil).must(t, 200)
	if n := strings.Count(string(audit.raw), `"budget.spent"`); n != 1 {
		t.Errorf("%d budget.spent events over the nodes; want 1", n)
	}
}

// testClusterSourceLimit spreads one source's tries at different meeting
// IDs over the nodes (--source-limit 5: five an hour, delays after two):
// the delays and the hourly limit hold as on one node, and its retries of
// an identifier it tried are not held by them.
func testClusterSourceLimit(t *testing.T, c *cluster) {
	attacker := nextSource()
	unknown := func(i int) map[string]any {
		return map[string]any{"meeting_id": strconv.Itoa(98765432100 + i), "passcode": "Guess12345"}
	}
	for i := range 3 {
		wantRefused(t, c.node(i).joinFrom(attacker, unknown(i)), fmt.Sprintf("meeting ID %d on node %d", i+1, i%3))
	}
	for i := range c.nodes {
		r := c.node(i).joinFrom(attacker, unknown(3))
		if r.status != 429 || r.header.Get("Retry-After") != "1" || r.str("error") != "rate_limited" {
			t.Fatalf("node %d, fourth meeting ID at once: %d Retry-After %q %s; want 429 with Retry-After 1", i, r.status, r.header.Get("Retry-After"), r.raw)
		}
	}
	wantRefused(t, c.node(1).joinFrom(nextSource(), unknown(3)), "another source")
	wantRefused(t, c.node(0).joinFrom(attacker, unknown(0)), "a meeting ID tried before, on the node it was tried on")
	c.advance(time.Second)
	wantRefused(t, c.node(2).joinFrom(attacker, unknown(3)), "meeting ID 4, after the delay")
	c.advance(2 * time.Second)
	wantRefused(t, c.node(0).joinFrom(attacker, unknown(4)), "meeting ID 5, after the delay")
	c.advance(time.Minute)
	for i := range c.nodes {
		r := c.node(i).joinFrom(attacker, unknown(5+i))
		if retry, _ := strconv.Atoi(r.header.Get("Retry-After")); r.status != 429 || retry < 3500 || retry > 3600 {
			t.Errorf("node %d, sixth meeting ID within the hour: %d Retry-After %q %s; want 429 until the hour is over", i, r.status, r.header.Get("Retry-After"), r.raw)
		}
	}
	c.advance(time.Hour)
	wantRefused(t, c.node(0).joinFrom(attacker, unknown(9)), "an hour later")
}

// testClusterSourceBurst sends 90 concurrent joins at different meeting
// IDs from one source, spread over the nodes: no more are evaluated than
// one node would let through (two free, then one at a time), the rest get
// 429.
func testClusterSourceBurst(t *testing.T, c *cluster) {
	attacker := nextSource()
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 90; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			unknown := map[string]any{"meeting_id": strconv.Itoa(98765432000 + i), "passcode": "Guess12345"}
			r, err := c.node(i).try("POST", "/api/v1/join", "", unknown, "X-Forwarded-For", attacker)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("attempt %d: %v", i, err)
				return
			}
			statuses[r.status]++
		}()
	}
	close(start)
	wg.Wait()
	if statuses[403] < 1 || statuses[403] > 3 || statuses[403]+statuses[429] != 90 {
		t.Errorf("a burst of 90 from one source over %d nodes: %v; want 1 to 3 evaluated (403), the rest 429", len(c.nodes), statuses)
	}
}

// testClusterRegenerate regenerates an access code through one node: the
// old code is refused at another node at once, though that node had the
// meeting cached.
func testClusterRegenerate(t *testing.T, c *cluster, tok string) {
	a, b := c.nodes[0], c.nodes[1]
	m := c.schedule(t, a, tok, scheduledAt(monday, nil))
	old := map[string]any{"access_code": m.Occurrences[0].AccessCode, "passcode": m.Passcode}
	c.known(t, old)
	for range 3 {
		wantAdmitted(t, b.join(old), "node B before the change")
	}
	for i := 0; i < 20; i++ {
		m2 := decodeMeeting(t, a.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "access_code", "occurrence": 1}).must(t, 200))
		wantRefused(t, b.join(old), fmt.Sprintf("regeneration %d: the replaced code at node B right after node A answered", i+1))
		// The new code reaches B's directory with the change's
		// notification, milliseconds later.
		now := map[string]any{"access_code": m2.Occurrences[0].AccessCode, "passcode": m.Passcode}
		c.known(t, now)
		old = now
	}
}

// testClusterScheduling schedules 1,000 meetings concurrently over the
// nodes: every meeting ID and every access code (all in one window) is
// issued once.
func testClusterScheduling(t *testing.T, c *cluster, tok string) {
	const n = 1000
	var mu sync.Mutex
	ids, codes := map[string]bool{}, map[string]bool{}
	spread(n, 24, func(i int) {
		r, err := c.node(i).try("POST", "/api/v1/meetings", tok, scheduledAt(monday.Add(time.Hour), nil))
		if err != nil || r.status != 201 {
			t.Errorf("schedule %d on node %d: %v %v", i, i%3, err, r)
			return
		}
		m := decodeMeeting(t, r)
		mu.Lock()
		defer mu.Unlock()
		if ids[m.MeetingID] {
			t.Errorf("meeting ID %s issued twice", m.MeetingID)
		}
		if codes[m.Occurrences[0].AccessCode] {
			t.Errorf("access code %s issued twice for overlapping windows", m.Occurrences[0].AccessCode)
		}
		ids[m.MeetingID], codes[m.Occurrences[0].AccessCode] = true, true
	})
	if len(ids) != n || len(codes) != n {
		t.Errorf("%d meetings with %d codes made, want %d", len(ids), len(codes), n)
	}
}

// testClusterKill joins through all nodes and kills one with SIGKILL in
// the middle: every join that was answered 200 admitted is in the
// attendance afterwards.
func testClusterKill(t *testing.T, c *cluster, tok string) {
	m := c.schedule(t, c.nodes[0], tok, scheduledAt(monday, nil))
	creds := map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}
	t.Logf("joins refused before each node knew the new meeting: %v", c.known(t, creds))
	const joins, workers = 600, 12
	victim := c.nodes[2]
	var mu sync.Mutex
	var acked []string
	lost := 0
	var killOnce sync.Once
	spread(joins, workers, func(i int) {
		if i == joins/3 {
			killOnce.Do(func() { go victim.kill() })
		}
		r, err := c.node(i).try("POST", "/api/v1/join", "", creds, "X-Forwarded-For", nextSource())
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			lost++ // the victim's: no answer, nothing acknowledged
		case r.status == 200 && r.str("status") == "admitted":
			p, _ := r.body["participant"].(map[string]any)
			id, _ := p["id"].(string)
			acked = append(acked, id)
		default:
			if c.node(i) != victim {
				t.Errorf("join %d on a live node: %d %s", i, r.status, r.raw)
			}
		}
	})
	<-victim.done
	if lost == 0 {
		t.Errorf("no join lost its answer: the node was not killed mid-load")
	}
	att := c.nodes[0].do("GET", "/api/v1/meetings/"+m.ID+"/attendance?occurrence=1", tok, nil).must(t, 200)
	rows, _ := att.body["participants"].([]any)
	// The attendance names participants by handle; a participant's bearer
	// ID finds their own record.
	missing := 0
	for _, id := range acked {
		if st := c.nodes[1].do("GET", "/api/v1/participants/"+id, "", nil); st.status != 200 {
			missing++
		}
	}
	if len(rows) < len(acked) {
		t.Errorf("%d attendance rows for %d acknowledged admissions", len(rows), len(acked))
	}
	t.Logf("%d joins acknowledged, %d without an answer (the killed node), %d in the attendance", len(acked), lost, len(rows))
	if missing > 0 || len(acked) < joins/2 {
		t.Errorf("%d of %d acknowledged admissions missing from the attendance (%d rows)", missing, len(acked), len(rows))
	}
	for _, id := range acked[:min(10, len(acked))] {
		if st := c.nodes[1].do("GET", "/api/v1/participants/"+id, "", nil); st.str("status") != "admitted" {
			t.Errorf("participant %s after the kill: %s", id, st.raw)
		}
	}
}
