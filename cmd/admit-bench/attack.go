package main

import (
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"

	"github.com/admit-project/admit"
)

// attackResult is the attack phase: valid joins measured alone (quiet),
// then again while a war-dial runs (loud), on nodes with the default
// per-source limits.
type attackResult struct {
	Sources     int          `json:"sources"`     // the war-dial's source addresses
	Concurrency int          `json:"concurrency"` // its closed-loop workers
	Quiet       *phaseResult `json:"quiet"`       // valid joins alone
	Loud        *phaseResult `json:"loud"`        // valid joins under the war-dial
	Dial        *phaseResult `json:"dial"`        // the war-dial's answers (403 evaluated, 429 limited)
	// P99Ratio is Loud's p99 over Quiet's.
	P99Ratio float64 `json:"p99_ratio"`
}

// measureAttack starts one node (k nodes would split the dial as they split
// the joins) with admit's default per-source limits and measures valid
// joins from attackValid addresses, first alone and then while attackers on
// attackSources other addresses dial random meeting IDs with random
// passcodes as fast as they are answered. Every attempt the limits allow is
// evaluated (403); the rest are answered 429. So the dial is at least the
// highest rate the limits allow, plus the limiter's refusals on top.
func (m *Main) measureAttack(ctx context.Context, c *config, st *store, dsn string) (*attackResult, error) {
	ns, err := startAdmit(ctx, st, nodeOptions{count: 1, redis: c.redis, confirm: c.confirm, policy: admit.DefaultSourcePolicy(), dsn: dsn, behind: c.behind})
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	valid, err := newGeneratorFrom(c.attackValid, c.attackValid, 0)
	if err != nil {
		return nil, err
	}
	defer valid.Close()
	// Offset 7: never one of the valid joins' addresses (their spacing is
	// at least 16k), so the dial's refusals do not limit them.
	dial, err := newGeneratorFrom(c.attackConcurrency, c.attackSources, 7)
	if err != nil {
		return nil, err
	}
	defer dial.Close()
	res := &attackResult{Sources: c.attackSources, Concurrency: c.attackConcurrency}
	fmt.Fprintf(m.Stderr, "admit-bench: %d meetings: valid joins without attack, %s\n", st.meetings, c.duration)
	if res.Quiet, err = valid.run(ctx, st.validJoins(ns.urls), c.duration); err != nil {
		return nil, err
	}
	res.Quiet.Name = "valid_quiet"
	fmt.Fprintf(m.Stderr, "admit-bench: %d meetings: valid joins under a war-dial from %d sources, %s\n", st.meetings, c.attackSources, c.duration)
	done := make(chan error, 1)
	go func() {
		var err error
		res.Dial, err = dial.run(ctx, warDial(ns.urls), c.duration)
		done <- err
	}()
	res.Loud, err = valid.run(ctx, st.validJoins(ns.urls), c.duration)
	if derr := <-done; err == nil {
		err = derr
	}
	if err != nil {
		return nil, err
	}
	res.Loud.Name, res.Dial.Name = "valid_attacked", "war_dial"
	res.Loud.compare(res.Quiet)
	res.Dial.compare(res.Quiet)
	res.P99Ratio = ratio(res.Loud.P99, res.Quiet.P99)
	return res, nil
}

// warDial are guesses at random 11-digit meeting IDs with random 8-digit
// passcodes, refused 403 (evaluated) or 429 (the source's limit).
func warDial(urls []string) requests {
	return requests{urls: joinURLs(urls), want: http.StatusForbidden, also: []int{http.StatusTooManyRequests},
		body: func(rng *mrand.Rand) []byte {
			b, _ := json.Marshal(map[string]string{
				"meeting_id": fmt.Sprintf("%d", 10_000_000_000+rng.Int64N(90_000_000_000)),
				"passcode":   fmt.Sprintf("%08d", rng.IntN(100_000_000)),
				"name":       "Dialer",
			})
			return b
		}}
}

// pgHostPort returns the host:port of a postgres:// URL (5432 by default).
func pgHostPort(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "127.0.0.1:5432"
	}
	if u.Port() == "" {
		return u.Hostname() + ":5432"
	}
	return u.Host
}

// viaProxy returns dsn with its host:port replaced by addr.
func viaProxy(dsn, addr string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Host = addr
	return u.String()
}
