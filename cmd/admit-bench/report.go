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
	phaseFloor  = "floor"
	phaseValid  = "valid"
	phaseFailed = "failed"
)

// Targets of the issue (16), as ratios.
const (
	failedTarget = 0.70 // failed joins: at least 70% of the bare handler's rate
	validTarget  = 0.60 // valid joins: at least 60% of the floor's rate
	attackTarget = 2.0  // valid joins' p99 under attack: at most twice their quiet p99
	nodesTarget  = 0.60 // k nodes: at least 0.6·k times the valid-join rate of 1 node (1.8× at 3)
	bareTarget   = 0.90 // the bare handler beside the largest store: at least 90% of its rate beside the smallest
)

// phaseResult is the figures of one phase.
type phaseResult struct {
	Name string `json:"phase"`
	// Requests counts the answers with the expected status completed during
	// the measured time; Errors the others (and transport errors).
	Requests int64 `json:"requests"`
	// Statuses counts the expected answers by HTTP status (a phase may
	// expect more than one, as the attack's 403 and 429).
	Statuses   map[int]int64 `json:"statuses,omitempty"`
	Errors     int64         `json:"errors"`
	FirstError string        `json:"first_error,omitempty"`
	RPS        float64       `json:"requests_per_second"`
	P50        float64       `json:"p50_ms"`
	P99        float64       `json:"p99_ms"`
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
		for k, v := range r.statuses {
			if p.Statuses == nil {
				p.Statuses = map[int]int64{}
			}
			p.Statuses[k] += v
		}
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
	// HeapBytes is the process's heap in use after a collection, with the
	// store open and its nodes' join caches warmed (first node count only).
	HeapBytes uint64        `json:"heap_bytes,omitempty"`
	Attack    *attackResult `json:"attack,omitempty"`
}

// bareRPS is the mean rate of the store's bare phases.
func (s *storeResult) bareRPS() float64 {
	var sum float64
	var n int
	for _, p := range s.Phases {
		if p.Name == phaseBare {
			sum += p.RPS
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
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
	PGDelay     string         `json:"pg_delay"` // Toxiproxy latency each way between nodes and PostgreSQL
	Stores      []*storeResult `json:"stores"`
	Targets     []*target      `json:"targets"`
}

// judge checks the targets: failed joins against the bare handler
// and valid joins against the floor (each phase as a ratio to the bare
// handler of its own minute, which takes out most of the machine's drift),
// valid joins' p99 under attack, the valid-join rate of the most nodes
// against one node, and the bare handler's rate beside the largest store
// against the smallest.
func (r *report) judge() {
	r.Targets = nil
	bySize := map[int][]*storeResult{}
	var sizes []int
	for _, s := range r.Stores {
		if len(bySize[s.Meetings]) == 0 {
			sizes = append(sizes, s.Meetings)
		}
		bySize[s.Meetings] = append(bySize[s.Meetings], s)
	}
	for _, n := range sizes {
		runs := bySize[n]
		s := runs[0]
		if p := s.phase(phaseFailed); p != nil {
			r.Targets = append(r.Targets, &target{Name: "failed_rate_vs_bare", Meetings: n, Value: p.RPSRatio, Bound: failedTarget, Met: p.RPSRatio >= failedTarget && p.Errors == 0})
		}
		if p, f := s.phase(phaseValid), s.phase(phaseFloor); p != nil && f != nil {
			v := ratio(p.RPSRatio, f.RPSRatio)
			r.Targets = append(r.Targets, &target{Name: "valid_rate_vs_floor", Meetings: n, Value: v, Bound: validTarget, Met: v >= validTarget && p.Errors == 0 && f.Errors == 0})
		}
		if a := s.Attack; a != nil {
			r.Targets = append(r.Targets, &target{Name: "attack_p99_vs_quiet", Meetings: n, Value: a.P99Ratio, Bound: attackTarget,
				Met: a.P99Ratio <= attackTarget && a.Quiet.Errors == 0 && a.Loud.Errors == 0 && a.Dial.Errors == 0})
		}
		if last := runs[len(runs)-1]; last.Nodes > s.Nodes {
			a, b := s.phase(phaseValid), last.phase(phaseValid)
			if a != nil && b != nil {
				v := ratio(b.RPSRatio, a.RPSRatio)
				bound := nodesTarget * float64(last.Nodes) / float64(s.Nodes)
				r.Targets = append(r.Targets, &target{Name: fmt.Sprintf("valid_rate_%dnodes_vs_%d", last.Nodes, s.Nodes), Meetings: n, Value: v, Bound: bound, Met: v >= bound && b.Errors == 0})
			}
		}
	}
	if len(sizes) < 2 {
		return
	}
	small, large := bySize[sizes[0]][0], bySize[sizes[len(sizes)-1]][0]
	v := ratio(large.bareRPS(), small.bareRPS())
	r.Targets = append(r.Targets, &target{Name: "bare_rate_large_vs_small", Meetings: large.Meetings, Value: v, Bound: bareTarget, Met: v >= bareTarget})
}

// describe says a target in words.
func (t *target) describe() string {
	switch t.Name {
	case "failed_rate_vs_bare":
		return fmt.Sprintf("failed joins, %d meetings: rate ≥ %.0f%% of bare", t.Meetings, t.Bound*100)
	case "valid_rate_vs_floor":
		return fmt.Sprintf("valid joins, %d meetings: rate ≥ %.0f%% of the floor", t.Meetings, t.Bound*100)
	case "attack_p99_vs_quiet":
		return fmt.Sprintf("valid joins under attack, %d meetings: p99 ≤ %.1f× quiet", t.Meetings, t.Bound)
	case "bare_rate_large_vs_small":
		return fmt.Sprintf("bare handler beside %d meetings: rate ≥ %.2f× beside the smallest", t.Meetings, t.Bound)
	}
	return fmt.Sprintf("valid joins, %d meetings, %s: rate ≥ %.2f×", t.Meetings, strings.TrimPrefix(t.Name, "valid_rate_"), t.Bound)
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *report) writeTable(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "%s\n%d CPUs (%s), GOMAXPROCS %d, %s %s/%s; %d workers, %d source addresses, %s per phase; load average %s\n\n",
		r.Command, m.CPUs, m.CPUModel, m.GOMAXPROCS, m.Go, m.OS, m.Arch, r.Concurrency, r.Sources, r.Duration, m.Load)
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
		if s.HeapBytes > 0 {
			fmt.Fprintf(w, "%s, %d meetings: heap in use %.0f MiB, bare handler mean %.0f req/s\n", s.Store, s.Meetings, float64(s.HeapBytes)/(1<<20), s.bareRPS())
		}
		if a := s.Attack; a != nil {
			fmt.Fprintf(w, "%s, %d meetings, attack: valid joins %.0f/s p50 %.3f p99 %.3f ms alone; %.0f/s p50 %.3f p99 %.3f ms under a war-dial of %.0f guesses/s (%d answered 403, %d answered 429) from %d sources; p99 ratio %.2f\n",
				s.Store, s.Meetings, a.Quiet.RPS, a.Quiet.P50, a.Quiet.P99, a.Loud.RPS, a.Loud.P50, a.Loud.P99, a.Dial.RPS, a.Dial.Statuses[403], a.Dial.Statuses[429], a.Sources, a.P99Ratio)
			for _, p := range []*phaseResult{a.Quiet, a.Loud, a.Dial} {
				if p.Errors > 0 {
					fmt.Fprintf(w, "  %s: %d errors, the first: %s\n", p.Name, p.Errors, p.FirstError)
				}
			}
		}
	}
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
	Load       string `json:"load_average"` // /proc/loadavg's 1, 5 and 15 minute averages at the end
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPUModel: "unknown",
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, Load: loadAverage()}
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

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
