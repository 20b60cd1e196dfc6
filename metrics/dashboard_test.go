package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/admit-project/admit/metrics"
)

// TestDashboardNamesExist checks that every admit_ metric the example
// Grafana dashboard (docs/grafana-admit.json) queries is one this package
// registers, so that the dashboard does not rot when a name changes.
func TestDashboardNamesExist(t *testing.T) {
	b, err := os.ReadFile("../docs/grafana-admit.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash map[string]any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("docs/grafana-admit.json: %v", err)
	}
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	// Give every vector a child, so that Gather lists it.
	m.Store("sqlite").ObserveWriteGroup(1, time.Millisecond, time.Millisecond, os.ErrClosed)
	m.GuessBudgetSpent()
	if err := m.WriteBacklog("sqlite", func() int { return 0 }); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{
		// Vectors with no child yet are not gathered; these are counted by
		// the middleware (see TestJoinsByChannelAndOutcome).
		"admit_joins_total": true, "admit_join_duration_seconds": true, "admit_limiter_refusals_total": true, "admit_http_answers_total": true,
	}
	for _, mf := range mfs {
		known[mf.GetName()] = true
	}
	names := regexp.MustCompile(`admit_[a-z_]+`).FindAllString(string(b), -1)
	if len(names) == 0 {
		t.Fatal("the dashboard queries no admit_ metric")
	}
	for _, n := range names {
		base := n
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if strings.HasSuffix(n, suf) && known[strings.TrimSuffix(n, suf)] {
				base = strings.TrimSuffix(n, suf)
			}
		}
		if !known[base] {
			t.Errorf("the dashboard queries %s, which package metrics does not register", n)
		}
	}
}
