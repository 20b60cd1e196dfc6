// Command admit-bench is admit's load benchmark. In one process it serves a
// bare net/http handler and admit's real API (the http package over a
// Service on the sqlite store, wired as cmd/admit wires them), drives both
// from a closed-loop load generator over loopback keep-alive connections, and
// reports, for each store size, the requests per second and p50/p99 latency
// of valid joins and failed joins, each as a ratio to the bare handler
// measured just before it.
//
//	go run ./cmd/admit-bench [--duration 10s] [--meetings 10000,1000000]
//	    [--concurrency 64] [--sources 256] [--cache DIR] [--json]
//	    [--cpuprofile FILE] [--db postgres://… [--nodes N] [--redis redis://…]]
//
// With --db the store is PostgreSQL (a schema admit_bench_N per store size
// in that database), served by --nodes in-process nodes, each with its own
// service, join cache and connections, the load spread over them in turn.
//
// Seeded stores are kept under --cache and reused by later runs; seeding a
// million meetings is the slow part of a first run. The benchmark talks to
// loopback addresses only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/admit-project/admit/faulttest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr}
	if err := m.Run(ctx, os.Args[1:]); errors.Is(err, errUsage) {
		os.Exit(2)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "admit-bench:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// Main is the program, with its streams, so that a test can run it.
type Main struct {
	Stdout io.Writer // the report
	Stderr io.Writer // progress
}

// config is what the flags set.
type config struct {
	duration    time.Duration // measured time of each phase
	meetings    []int         // store sizes, in order
	concurrency int           // closed-loop workers
	sources     int           // distinct 127/8 source addresses
	cache       string        // directory of seeded stores
	json        bool
	cpuprofile  string // profile file of the join phases, "" for none
	db          string // PostgreSQL URL, "" for SQLite
	nodes       []int  // admit nodes on the store, one measurement per count
	redis       string // Redis URL for the nodes' limits and feed, "" for none
	confirm     bool   // ConfirmJoins on PostgreSQL, as admit serve sets it
	floor       bool   // measure the floor phase
	behind      bool   // app.Service.RefusalsBehind
	attack      bool   // measure valid joins under a war-dial
	// attackSources and attackConcurrency shape the war-dial;
	// attackValid is the number of valid-join workers measured against it.
	attackSources, attackConcurrency, attackValid int
	pgDelay                                       time.Duration // Toxiproxy latency each way between nodes and PostgreSQL
}

// parseFlags reads the command line.
func (m *Main) parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("admit-bench", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	c := &config{}
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time of each phase (after a short warm-up)")
	meetings := fs.String("meetings", "10000,1000000", "store sizes to measure, comma-separated (10k and 1M are accepted)")
	fs.IntVar(&c.concurrency, "concurrency", 64, "closed-loop workers, each waiting for its answer before its next request")
	fs.IntVar(&c.sources, "sources", 256, "distinct 127.0.0.0/8 source addresses the workers' connections are bound to")
	fs.StringVar(&c.cache, "cache", filepath.Join(os.TempDir(), "admit-bench-cache"), "directory of seeded stores, reused between runs")
	fs.BoolVar(&c.json, "json", false, "print the figures as one JSON document")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write CPU profiles of each join phase (and of seeding) to FILE-MEETINGS-PHASE.pprof")
	fs.StringVar(&c.db, "db", "", "PostgreSQL URL (postgres://…): measure the PostgreSQL store, in schemas admit_bench_N of that database, instead of SQLite")
	nodeCounts := fs.String("nodes", "1", "admit nodes serving the store, the load spread over them round-robin; a list (1,2,3) measures each count (above 1 needs --db)")
	fs.StringVar(&c.redis, "redis", "", "Redis URL (redis://…): the nodes keep per-source limits and the change feed there, as admit serve --redis does")
	fs.BoolVar(&c.confirm, "confirm-joins", true, "on PostgreSQL, confirm each join on fresh data as admit serve does (false: measure without, to see its cost)")
	fs.BoolVar(&c.behind, "refusals-behind", false, "answer refused joins before their record is durable, as admit serve --refusals-behind")
	fs.BoolVar(&c.floor, "floor", true, "measure the floor: the same HTTP server writing one participant-sized row per request through the store's durable write path")
	fs.BoolVar(&c.attack, "attack", true, "measure valid joins' p99 with and without a war-dial from --attack-sources addresses under the default per-source limits")
	fs.IntVar(&c.attackSources, "attack-sources", 1000, "source addresses of the war-dial")
	fs.IntVar(&c.attackConcurrency, "attack-concurrency", 64, "closed-loop workers of the war-dial (each sends its next guess as soon as it is answered, 403 or 429)")
	fs.IntVar(&c.attackValid, "attack-valid", 16, "closed-loop workers sending valid joins during the attack phase (each from its own address)")
	fs.DurationVar(&c.pgDelay, "pg-delay", 0, "put a Toxiproxy between the nodes and PostgreSQL adding this latency each way (whole milliseconds; needs --db and toxiproxy-server)")
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(m.Stderr, "admit-bench: unexpected argument %q\n", fs.Arg(0))
		return nil, errUsage
	}
	var err error
	if c.meetings, err = parseCounts(*meetings); err != nil {
		return nil, err
	}
	for f := range strings.SplitSeq(*nodeCounts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 16 {
			return nil, errors.New("--nodes must be counts from 1 to 16, comma-separated")
		}
		if n > 1 && c.db == "" {
			return nil, errors.New("--nodes above 1 needs --db postgres://…: the embedded store is served by one process")
		}
		c.nodes = append(c.nodes, n)
	}
	switch {
	case c.duration < 100*time.Millisecond || c.duration > time.Hour:
		return nil, errors.New("--duration must be from 100ms to 1h")
	case c.concurrency < 1 || c.concurrency > 4096:
		return nil, errors.New("--concurrency must be from 1 to 4096")
	case c.sources < 1 || c.sources > maxSources:
		return nil, fmt.Errorf("--sources must be from 1 to %d", maxSources)
	case c.cache == "":
		return nil, errors.New("--cache may not be empty")
	case c.db != "" && !strings.HasPrefix(c.db, "postgres://") && !strings.HasPrefix(c.db, "postgresql://"):
		return nil, errors.New("--db must be a postgres:// URL")
	case c.pgDelay < 0 || c.pgDelay > time.Second:
		return nil, errors.New("--pg-delay must be from 0 to 1s")
	case c.pgDelay > 0 && c.db == "":
		return nil, errors.New("--pg-delay needs --db postgres://…")
	case c.attackSources < 1 || c.attackSources > maxSources/16 || c.attackConcurrency < 1 || c.attackConcurrency > 4096 || c.attackValid < 1 || c.attackValid > 4096:
		return nil, errors.New("--attack-sources, --attack-concurrency and --attack-valid must be from 1 to 4096 (sources up to 1M)")
	case c.redis != "" && !strings.HasPrefix(c.redis, "redis://"):
		return nil, errors.New("--redis must be a redis:// URL")
	}
	return c, nil
}

// parseCounts parses "10000,1M" (suffixes k and M multiply by 1e3 and 1e6).
func parseCounts(s string) ([]int, error) {
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		mul := 1
		switch {
		case strings.HasSuffix(f, "k"):
			f, mul = strings.TrimSuffix(f, "k"), 1000
		case strings.HasSuffix(f, "M"):
			f, mul = strings.TrimSuffix(f, "M"), 1000000
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 100000000/mul {
			return nil, fmt.Errorf("--meetings: %q is not a count from 1 to 100M", f)
		}
		ns = append(ns, n*mul)
	}
	return ns, nil
}

// Run runs the benchmark: for each store size it opens (seeding when needed)
// the cached store, measures the bare handler and admit's join endpoint, and
// finally prints the report.
func (m *Main) Run(ctx context.Context, args []string) error {
	c, err := m.parseFlags(args)
	if err != nil {
		return err
	}
	bare, err := startBare()
	if err != nil {
		return err
	}
	defer bare.Close()
	gen, err := newGenerator(c.concurrency, c.sources)
	if err != nil {
		return err
	}
	defer gen.Close()

	rep := &report{Command: strings.Join(append([]string{"admit-bench"}, args...), " "), Machine: describeMachine(), Duration: c.duration.String(), Concurrency: c.concurrency, Sources: c.sources, PGDelay: c.pgDelay.String()}
	var proxy *faulttest.Proxy
	if c.pgDelay > 0 {
		tp, err := faulttest.LaunchToxiproxy()
		if err != nil {
			return fmt.Errorf("--pg-delay: %w", err)
		}
		defer tp.Close()
		if proxy, err = tp.NewProxy(ctx, "postgres", pgHostPort(c.db)); err != nil {
			return err
		}
		if err := proxy.Latency(ctx, c.pgDelay); err != nil {
			return err
		}
	}
	for _, n := range c.meetings {
		st, err := openStore(ctx, c.cache, c.db, n, m.Stderr, c.cpuprofile)
		if err != nil {
			return err
		}
		dsn := ""
		if proxy != nil {
			dsn = viaProxy(st.dsn, proxy.Listen)
		}
		for j, k := range c.nodes {
			res, err := m.measureStore(ctx, c, gen, bare, st, k, dsn, j == 0)
			if err != nil {
				st.Close()
				return err
			}
			rep.Stores = append(rep.Stores, res)
		}
		st.Close()
	}
	rep.Machine.Load = loadAverage() // at the end, over the run
	rep.judge()
	if c.json {
		return rep.writeJSON(m.Stdout)
	}
	rep.writeTable(m.Stdout)
	return nil
}

// measureStore runs the phases against one store on k nodes: the bare
// handler right before each of admit's phases, so that every ratio has a
// baseline from the same minute. With first, it also reports the process's
// heap and measures the floor and the attack.
func (m *Main) measureStore(ctx context.Context, c *config, gen *generator, bare *server, st *store, k int, dsn string, first bool) (*storeResult, error) {
	ns, err := startAdmit(ctx, st, nodeOptions{count: k, redis: c.redis, confirm: c.confirm, policy: benchPolicy(), dsn: dsn, behind: c.behind})
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	res := &storeResult{Meetings: st.meetings, SeedSeconds: st.seedSeconds, Sample: len(st.sample), Store: "sqlite", Nodes: k, Limits: "memory"}
	if c.db != "" {
		res.Store, res.Limits = "postgres", "postgres"
	}
	if c.redis != "" {
		res.Limits = "redis"
	}
	res.Confirm = c.db != "" && c.confirm
	if first {
		res.HeapBytes = heapInUse()
		fmt.Fprintf(m.Stderr, "admit-bench: %d meetings: heap in use %d MiB\n", st.meetings, res.HeapBytes>>20)
	}
	type phase struct {
		name string
		reqs requests
	}
	var phases []phase
	if first && c.floor {
		fl, w, err := startFloor(ctx, st, ns)
		if err != nil {
			return nil, err
		}
		defer w.Close()
		defer fl.Close()
		phases = append(phases, phase{phaseFloor, st.validJoins([]string{fl.url})})
	}
	phases = append(phases, phase{phaseValid, st.validJoins(ns.urls)}, phase{phaseFailed, st.failedJoins(ns.urls)})
	for _, ph := range phases {
		fmt.Fprintf(m.Stderr, "admit-bench: %d meetings, %d nodes: bare handler, %s\n", st.meetings, k, c.duration)
		base, err := gen.run(ctx, bare.bareRequests(), c.duration)
		if err != nil {
			return nil, err
		}
		base.Name = phaseBare
		base.compare(base)
		fmt.Fprintf(m.Stderr, "admit-bench: %d meetings, %d nodes: %s, %s\n", st.meetings, k, ph.name, c.duration)
		stop, err := startProfile(c.cpuprofile, st.meetings, fmt.Sprintf("%s-%dnodes", ph.name, k))
		if err != nil {
			return nil, err
		}
		r, err := gen.run(ctx, ph.reqs, c.duration)
		if err := errors.Join(err, stop()); err != nil {
			return nil, err
		}
		r.Name = ph.name
		r.compare(base)
		res.Phases = append(res.Phases, base, r)
	}
	if first && c.attack {
		ns.Close()
		if res.Attack, err = m.measureAttack(ctx, c, st, dsn); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// heapInUse returns the process's heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
