package metrics_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/admit-project/admit/metrics"
)

// TestJoinsByChannelAndOutcome drives the middleware with join requests of
// both channels answered with each status, and reads the counters back.
func TestJoinsByChannelAndOutcome(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	status := 200
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"POST", "/api/v1/join", 200}, {"POST", "/api/v1/join", 403}, {"POST", "/api/v1/join", 403},
		{"POST", "/api/v1/join", 429}, {"POST", "/api/v1/join", 503}, {"POST", "/j/81234567890", 303},
		{"POST", "/code", 429}, {"GET", "/j/81234567890", 200}, {"POST", "/api/v1/meetings", 201},
	} {
		status = tt.status
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.path, nil))
	}
	want := `
# HELP admit_joins_total Join attempts answered, by channel (api, web) and outcome (admitted, refused, rate_limited, invalid, unavailable, error).
# TYPE admit_joins_total counter
admit_joins_total{channel="api",outcome="admitted"} 1
admit_joins_total{channel="api",outcome="rate_limited"} 1
admit_joins_total{channel="api",outcome="refused"} 2
admit_joins_total{channel="api",outcome="unavailable"} 1
admit_joins_total{channel="web",outcome="admitted"} 1
admit_joins_total{channel="web",outcome="rate_limited"} 1
# HELP admit_limiter_refusals_total Join attempts refused by the per-source limiter (429), by channel.
# TYPE admit_limiter_refusals_total counter
admit_limiter_refusals_total{channel="api"} 1
admit_limiter_refusals_total{channel="web"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "admit_joins_total", "admit_limiter_refusals_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "admit_join_duration_seconds"); n != 6 {
		t.Errorf("%d join latency series, want 6", n)
	}
}

// TestStoreObserver records group commits, one failed for an unreachable
// server, and the backlog gauge.
func TestStoreObserver(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	o := m.Store("sqlite")
	o.ObserveWriteGroup(8, time.Millisecond, 3*time.Millisecond, nil)
	o.ObserveWriteGroup(2, time.Millisecond, time.Millisecond, syscall.ECONNREFUSED)
	o.ObserveWriteGroup(1, 0, time.Millisecond, errors.New("disk full"))
	m.GuessBudgetSpent()
	if err := m.WriteBacklog("sqlite", func() int { return 7 }); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP admit_store_errors_total Failed group commits, by store and kind (unavailable: out of reach; error: any other).
# TYPE admit_store_errors_total counter
admit_store_errors_total{kind="error",store="sqlite"} 1
admit_store_errors_total{kind="unavailable",store="sqlite"} 1
# HELP admit_store_write_backlog Writes waiting in the store's queue for a group commit.
# TYPE admit_store_write_backlog gauge
admit_store_write_backlog{store="sqlite"} 7
# HELP admit_guess_budgets_spent_total Meetings whose guess budget a failed guess spent.
# TYPE admit_guess_budgets_spent_total counter
admit_guess_budgets_spent_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "admit_store_errors_total", "admit_store_write_backlog", "admit_guess_budgets_spent_total"); err != nil {
		t.Error(err)
	}
	mf, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range mf {
		if f.GetName() == "admit_store_write_group_size" {
			if h := f.GetMetric()[0].GetHistogram(); h.GetSampleCount() != 3 || h.GetSampleSum() != 11 {
				t.Errorf("group sizes: %d samples summing %v, want 3 summing 11", h.GetSampleCount(), h.GetSampleSum())
			}
		}
	}
}

// TestAdminHandler serves the metrics and pprof's index, and nothing else.
func TestAdminHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := metrics.New(reg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(metrics.AdminHandler(reg))
	defer srv.Close()
	for _, tt := range []struct {
		path, want string
		status     int
	}{{"/metrics", "admit_guess_budgets_spent_total 0", 200}, {"/debug/pprof/", "goroutine", 200}, {"/api/v1/join", "", 404}} {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
			t.Errorf("GET %s: %d, body has %q: %v; want %d", tt.path, resp.StatusCode, tt.want, strings.Contains(string(b), tt.want), tt.status)
		}
	}
}
