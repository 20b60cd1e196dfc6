package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/admit-project/admit/faulttest"
)

// TestRun runs the whole benchmark on two tiny stores and checks that every
// phase was answered as expected, and that a second run reuses the stores.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds stores and runs load for a few seconds")
	}
	cache := t.TempDir()
	args := []string{"--meetings", "300,600", "--duration", "1500ms", "--concurrency", "8", "--sources", "16", "--cache", cache, "--json", "--attack-sources", "40", "--attack-concurrency", "8", "--attack-valid", "4"}
	for run := range 2 {
		var stdout, stderr bytes.Buffer
		m := &Main{Stdout: &stdout, Stderr: &stderr}
		if err := m.Run(context.Background(), args); err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, stderr.String())
		}
		if got := bytes.Contains(stderr.Bytes(), []byte("seeding")); got != (run == 0) {
			t.Errorf("run %d: seeding reported: %v, want %v", run, got, run == 0)
		}
		var rep report
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, stdout.String())
		}
		if len(rep.Stores) != 2 {
			t.Fatalf("run %d: %d stores, want 2", run, len(rep.Stores))
		}
		for _, s := range rep.Stores {
			if s.Sample != s.Meetings {
				t.Errorf("%d meetings: sample of %d, want all", s.Meetings, s.Sample)
			}
			if len(s.Phases) != 6 {
				t.Errorf("%d meetings: %d phases, want 6 (bare, floor, bare, valid, bare, failed)", s.Meetings, len(s.Phases))
			}
			if s.HeapBytes == 0 {
				t.Errorf("%d meetings: no heap reported", s.Meetings)
			}
			if a := s.Attack; a == nil {
				t.Errorf("%d meetings: no attack phase", s.Meetings)
			} else {
				for _, p := range []*phaseResult{a.Quiet, a.Loud, a.Dial} {
					if p.Requests == 0 || p.Errors != 0 {
						t.Errorf("%d meetings, attack, %s: %d requests, %d errors (first: %s)", s.Meetings, p.Name, p.Requests, p.Errors, p.FirstError)
					}
				}
				if a.Dial.Statuses[403]+a.Dial.Statuses[429] != a.Dial.Requests {
					t.Errorf("%d meetings: the war-dial was answered %v, want 403 and 429 only", s.Meetings, a.Dial.Statuses)
				}
			}
			for _, p := range s.Phases {
				if p.Requests == 0 || p.Errors != 0 {
					t.Errorf("%d meetings, %s: %d requests, %d errors (first: %s)", s.Meetings, p.Name, p.Requests, p.Errors, p.FirstError)
				}
			}
		}
		if len(rep.Targets) != 7 {
			t.Errorf("%d targets judged, want 7 (failed, valid and attack per store; bare 600 vs 300)", len(rep.Targets))
		}
	}
}

var parseCountsTests = []struct {
	in   string
	want []int
	ok   bool
}{
	{"10000,1000000", []int{10000, 1000000}, true},
	{"10k, 1M", []int{10000, 1000000}, true},
	{"5", []int{5}, true},
	{"0", nil, false},
	{"x", nil, false},
	{"10000,", nil, false},
	{"200M", nil, false},
}

func TestParseCounts(t *testing.T) {
	for _, tt := range parseCountsTests {
		got, err := parseCounts(tt.in)
		if (err == nil) != tt.ok || tt.ok && !equalInts(got, tt.want) {
			t.Errorf("parseCounts(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var badFlagTests = [][]string{
	{"--nodes", "2"},
	{"--nodes", "1,2"},
	{"--pg-delay", "1ms"},
	{"--db", "postgres://127.0.0.1/x", "--nodes", "1,x"},
	{"--nodes", "0", "--db", "postgres://127.0.0.1/x"},
	{"--db", "mysql://x"},
	{"--db", "postgres://127.0.0.1/x", "--redis", "http://x"},
}

// TestFlagsRefused checks that combinations the benchmark cannot run are
// refused before anything starts.
func TestFlagsRefused(t *testing.T) {
	for _, args := range badFlagTests {
		var stderr bytes.Buffer
		m := &Main{Stdout: &stderr, Stderr: &stderr}
		if _, err := m.parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

// TestRunPostgresNodes runs the benchmark on a tiny PostgreSQL store
// served by two nodes (ADMIT_TEST_POSTGRES, default the local test
// database; skipped without one unless CI=true).
func TestRunPostgresNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a store and runs load for a few seconds")
	}
	dsn := os.Getenv("ADMIT_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no PostgreSQL at ADMIT_TEST_POSTGRES: %v", err)
		}
		t.Skipf("no PostgreSQL (set ADMIT_TEST_POSTGRES, or CI=true to fail): %v", err)
	}
	conn.Close(ctx)
	t.Cleanup(func() { // the store's schema (see pgSchema)
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			conn.Exec(ctx, "DROP SCHEMA IF EXISTS admit_bench_120 CASCADE")
			conn.Close(ctx)
		}
	})
	var stdout, stderr bytes.Buffer
	m := &Main{Stdout: &stdout, Stderr: &stderr}
	args := []string{"--db", dsn, "--nodes", "2", "--meetings", "120", "--duration", "1500ms", "--concurrency", "4", "--sources", "8", "--cache", t.TempDir(), "--json"}
	if err := m.Run(ctx, args); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Stores) != 1 || rep.Stores[0].Store != "postgres" || rep.Stores[0].Nodes != 2 || rep.Stores[0].Limits != "postgres" {
		t.Fatalf("stores %+v; want one postgres store on 2 nodes with limits in postgres", rep.Stores)
	}
	for _, p := range rep.Stores[0].Phases {
		if p.Requests == 0 || p.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors (first: %s)", p.Name, p.Requests, p.Errors, p.FirstError)
		}
	}
}

// TestRunPostgresDelayNodes runs the benchmark on a private PostgreSQL
// cluster behind a Toxiproxy adding 1 ms each way, on 1 and then 2 nodes,
// and checks that every phase was answered as expected and the nodes'
// target judged.
func TestRunPostgresDelayNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and Toxiproxy, seeds a store and runs load")
	}
	faulttest.StartToxiproxy(t) // skips (or fails on CI) when toxiproxy-server is missing
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	var stdout, stderr bytes.Buffer
	m := &Main{Stdout: &stdout, Stderr: &stderr}
	args := []string{"--db", pg.URL("pool_max_conns=8"), "--nodes", "1,2", "--pg-delay", "1ms", "--meetings", "60", "--duration", "1500ms",
		"--concurrency", "4", "--sources", "8", "--attack-sources", "20", "--attack-concurrency", "4", "--attack-valid", "2", "--cache", t.TempDir(), "--json"}
	if err := m.Run(context.Background(), args); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.PGDelay != "1ms" || len(rep.Stores) != 2 || rep.Stores[0].Nodes != 1 || rep.Stores[1].Nodes != 2 {
		t.Fatalf("pg_delay %s, stores %+v; want 1ms, one store measured on 1 and on 2 nodes", rep.PGDelay, rep.Stores)
	}
	for _, s := range rep.Stores {
		for _, p := range s.Phases {
			if p.Requests == 0 || p.Errors != 0 {
				t.Errorf("%d nodes, %s: %d requests, %d errors (first: %s)", s.Nodes, p.Name, p.Requests, p.Errors, p.FirstError)
			}
		}
	}
	var judged bool
	for _, tg := range rep.Targets {
		judged = judged || tg.Name == "valid_rate_2nodes_vs_1"
	}
	if !judged {
		t.Errorf("targets %+v; want valid_rate_2nodes_vs_1 among them", rep.Targets)
	}
}
