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
	"strconv"
	"strings"
	"syscall"
	"time"
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
	nodes       int    // admit nodes on the store
	redis       string // Redis URL for the nodes' limits and feed, "" for none
	confirm     bool   // ConfirmJoins on PostgreSQL, as admit serve sets it
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
	fs.IntVar(&c.nodes, "nodes", 1, "admit nodes serving the store, the load spread over them round-robin (above 1 needs --db)")
	fs.StringVar(&c.redis, "redis", "", "Redis URL (redis://…): the nodes keep per-source limits and the change feed there, as admit serve --redis does")
	fs.BoolVar(&c.confirm, "confirm-joins", true, "on PostgreSQL, confirm each join on fresh data as admit serve does (false: measure without, to see its cost)")
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
	case c.nodes < 1 || c.nodes > 16:
		return nil, errors.New("--nodes must be from 1 to 16")
	case c.nodes > 1 && c.db == "":
		return nil, errors.New("--nodes above 1 needs --db postgres://…: the embedded store is served by one process")
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

	rep := &report{Command: strings.Join(append([]string{"admit-bench"}, args...), " "), Machine: describeMachine(), Duration: c.duration.String(), Concurrency: c.concurrency, Sources: c.sources}
	for _, n := range c.meetings {
		st, err := openStore(ctx, c.cache, c.db, n, m.Stderr, c.cpuprofile)
		if err != nil {
			return err
		}
		res, err := m.measureStore(ctx, c, gen, bare, st)
		st.Close()
		if err != nil {
			return err
		}
		rep.Stores = append(rep.Stores, res)
	}
	rep.judge()
	if c.json {
		return rep.writeJSON(m.Stdout)
	}
	rep.writeTable(m.Stdout)
	return nil
}

// measureStore runs the phases against one store: the bare handler right
// before each of admit's phases, so that every ratio has a baseline from the
// same minute.
func (m *Main) measureStore(ctx context.Context, c *config, gen *generator, bare *server, st *store) (*storeResult, error) {
	admit, err := startAdmit(ctx, st, c.nodes, c.redis, c.confirm)
	if err != nil {
		return nil, err
	}
	defer admit.Close()
	res := &storeResult{Meetings: st.meetings, SeedSeconds: st.seedSeconds, Sample: len(st.sample), Store: "sqlite", Nodes: c.nodes, Limits: "memory"}
	if c.db != "" {
		res.Store, res.Limits = "postgres", "postgres"
	}
	if c.redis != "" {
		res.Limits = "redis"
	}
	res.Confirm = c.db != "" && c.confirm
	for _, ph := range []struct {
		name string
		reqs requests
	}{
		{phaseValid, st.validJoins(admit.urls)},
		{phaseFailed, st.failedJoins(admit.urls)},
	} {
		fmt.Fprintf(m.Stderr, "admit-bench: %d meetings: bare handler, %s\n", st.meetings, c.duration)
		base, err := gen.run(ctx, bare.bareRequests(), c.duration)
		if err != nil {
			return nil, err
		}
		base.Name = phaseBare
		base.compare(base)
		fmt.Fprintf(m.Stderr, "admit-bench: %d meetings: %s joins, %s\n", st.meetings, ph.name, c.duration)
		stop, err := startProfile(c.cpuprofile, st.meetings, ph.name)
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
	return res, nil
}
