package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Phases of a store's measurement.
const (
	phaseBare   = "bare"
	phaseValid  = "valid"
	phaseFailed = "failed"
)

// Targets of the issue, as ratios.
const (
	failedTarget = 0.50 // failed joins: at least half the bare handler's rate
	validTarget  = 0.30 // valid joins: at least 30% of it
	scaleTarget  = 0.20 // the largest store's figures at most 20% worse than the smallest's
)

// phaseResult is the figures of one phase.
type phaseResult struct {
	Name string `json:"phase"`
	// Requests counts the answers with the expected status completed during
	// the measured time; Errors the others (and transport errors).
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	RPS        float64 `json:"requests_per_second"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	// Ratios to the bare handler measured just before this phase.
	RPSRatio float64 `json:"rps_ratio"`
	P50Ratio float64 `json:"p50_ratio"`
	P99Ratio float64 `json:"p99_ratio"`
}

// summarize merges the workers' results of a phase measured for duration.
func summarize(rs []workerResult, duration time.Duration) *phaseResult {
	p := &phaseResult{}
	var lat []time.Duration
	for _, r := range rs {
		p.Requests += r.ok
		p.Errors += r.errs
		if p.FirstError == "" {
			p.FirstError = r.firstErr
		}
		lat = append(lat, r.latencies...)
	}
	slices.Sort(lat)
	p.RPS = float64(p.Requests) / duration.Seconds()
	p.P50, p.P99 = millis(quantile(lat, 0.50)), millis(quantile(lat, 0.99))
	return p
}

// quantile returns the q-quantile of sorted (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func millis(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// compare sets p's ratios to base.
func (p *phaseResult) compare(base *phaseResult) {
	p.RPSRatio, p.P50Ratio, p.P99Ratio = ratio(p.RPS, base.RPS), ratio(p.P50, base.P50), ratio(p.P99, base.P99)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1000) / 1000
}

// storeResult is the figures of one store size.
type storeResult struct {
	Meetings    int            `json:"meetings"`
	SeedSeconds float64        `json:"seed_seconds"`  // time it took to seed (possibly in an earlier run)
	Sample      int            `json:"sample"`        // meetings whose credentials the joins use
	Store       string         `json:"store"`         // sqlite or postgres
	Nodes       int            `json:"nodes"`         // admit nodes serving it
	Limits      string         `json:"limits"`        // where per-source limits live: memory, postgres or redis
	Confirm     bool           `json:"confirm_joins"` // joins confirmed on fresh data (app.Service.ConfirmJoins)
	Phases      []*phaseResult `json:"phases"`
}

func (s *storeResult) phase(name string) *phaseResult {
	var last *phaseResult
	for _, p := range s.Phases {
		if p.Name == name {
			last = p
		}
	}
	return last
}

// target is one of the targets, judged on the figures.
type target struct {
	Name     string  `json:"name"`
	Meetings int     `json:"meetings,omitempty"`
	Value    float64 `json:"value"`
	Bound    float64 `json:"bound"`
	Met      bool    `json:"met"`
}

// report is the benchmark's output.
type report struct {
	Command     string         `json:"command"`
	Machine     machine        `json:"machine"`
	Duration    string         `json:"duration"` // measured time of each phase
	Concurrency int            `json:"concurrency"`
	Sources     int            `json:"sources"`
	Stores      []*storeResult `json:"stores"`
	Targets     []*target      `json:"targets"`
}

// judge checks the targets: the rate ratios of each store, and the ratios of
// the largest store against those of the smallest (comparing each to the
// bare handler of its own minute takes out most of the machine's drift). A
// larger store doing better than the smallest meets the scale target.
func (r *report) judge() {
	r.Targets = nil
	for _, s := range r.Stores {
		if p := s.phase(phaseFailed); p != nil {
			r.Targets = append(r.Targets, &target{Name: "failed_rate_vs_bare", Meetings: s.Meetings, Value: p.RPSRatio, Bound: failedTarget, Met: p.RPSRatio >= failedTarget && p.Errors == 0})
		}
		if p := s.phase(phaseValid); p != nil {
			r.Targets = append(r.Targets, &target{Name: "valid_rate_vs_bare", Meetings: s.Meetings, Value: p.RPSRatio, Bound: validTarget, Met: p.RPSRatio >= validTarget && p.Errors == 0})
		}
	}
	if len(r.Stores) < 2 {
		return
	}
	small, large := r.Stores[0], r.Stores[len(r.Stores)-1]
	for _, name := range []string{phaseValid, phaseFailed} {
		a, b := small.phase(name), large.phase(name)
		if a == nil || b == nil {
			continue
		}
		rate := ratio(b.RPSRatio, a.RPSRatio)
		r.Targets = append(r.Targets, &target{Name: name + "_rate_large_vs_small", Meetings: large.Meetings, Value: rate, Bound: 1 - scaleTarget, Met: rate >= 1-scaleTarget})
		for _, q := range []struct {
			name string
			a, b float64
		}{{"p50", a.P50Ratio, b.P50Ratio}, {"p99", a.P99Ratio, b.P99Ratio}} {
			v := ratio(q.b, q.a)
			r.Targets = append(r.Targets, &target{Name: name + "_" + q.name + "_large_vs_small", Meetings: large.Meetings, Value: v, Bound: 1 + scaleTarget, Met: v <= 1+scaleTarget})
		}
	}
}

// describe says a target in words.
func (t *target) describe() string {
	switch t.Name {
	case "failed_rate_vs_bare":
		return fmt.Sprintf("failed joins, %d meetings: rate ≥ %.0f%% of bare", t.Meetings, t.Bound*100)
	case "valid_rate_vs_bare":
		return fmt.Sprintf("valid joins, %d meetings: rate ≥ %.0f%% of bare", t.Meetings, t.Bound*100)
	}
	phase, rest, _ := strings.Cut(t.Name, "_")
	fig, _, _ := strings.Cut(rest, "_")
	if fig == "rate" {
		return fmt.Sprintf("%s joins, %d vs smallest store: rate/bare ≥ %.2f×", phase, t.Meetings, t.Bound)
	}
	return fmt.Sprintf("%s joins, %d vs smallest store: %s/bare ≤ %.2f×", phase, t.Meetings, fig, t.Bound)
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *report) writeTable(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "%s\n%d CPUs (%s), GOMAXPROCS %d, %s %s/%s; %d workers, %d source addresses, %s per phase\n\n",
		r.Command, m.CPUs, m.CPUModel, m.GOMAXPROCS, m.Go, m.OS, m.Arch, r.Concurrency, r.Sources, r.Duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tnodes\tlimits\tmeetings\tphase\treq/s\tp50 ms\tp99 ms\terrors\trate/bare\tp50/bare\tp99/bare\t")
	for _, s := range r.Stores {
		for _, p := range s.Phases {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%.0f\t%.3f\t%.3f\t%d\t%.2f\t%.2f\t%.2f\t\n",
				s.Store, s.Nodes, s.Limits, s.Meetings, p.Name, p.RPS, p.P50, p.P99, p.Errors, p.RPSRatio, p.P50Ratio, p.P99Ratio)
		}
	}
	tw.Flush()
	for _, s := range r.Stores {
		for _, p := range s.Phases {
			if p.Errors > 0 {
				fmt.Fprintf(w, "%d meetings, %s: %d errors, the first: %s\n", s.Meetings, p.Name, p.Errors, p.FirstError)
			}
		}
	}
	if len(r.Targets) > 0 {
		fmt.Fprintln(w, "\ntargets:")
	}
	for _, t := range r.Targets {
		verdict := "met"
		if !t.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "  %-62s %6.2f  %s\n", t.describe(), t.Value, verdict)
	}
}

// machine describes where the benchmark ran.
type machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model"`
	Go         string `json:"go"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPUModel: "unknown",
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}
