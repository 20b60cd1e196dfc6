package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

const (
	// maxSources is the number of addresses from 127.0.0.1 to 127.255.255.254.
	maxSources = 1<<24 - 2
	// requestTimeout bounds every request.
	requestTimeout = 30 * time.Second
	// maxRequestsPerWorker bounds a worker's loop besides its deadline.
	maxRequestsPerWorker = 1 << 26
	// maxLatencies bounds the latencies kept per phase (over all workers).
	maxLatencies = 1 << 24
)

// requests describes the requests of a phase: POSTs of JSON bodies to urls
// (taken in turn: the nodes of one service, as a round-robin load balancer
// would), each drawn by body, answered with status want (or, when set, any
// of also).
type requests struct {
	urls []string
	want int
	also []int
	body func(rng *mrand.Rand) []byte
}

// expected reports whether status is an expected answer.
func (r requests) expected(status int) bool {
	return status == r.want || slices.Contains(r.also, status)
}

// generator is the closed-loop load generator: each worker sends a request,
// waits for the whole answer, and sends the next. A worker takes turns over
// HTTP clients whose keep-alive connections are bound to distinct source
// addresses of 127.0.0.0/8 (Linux routes all of it to the loopback
// interface), so that the server sees many sources.
type generator struct {
	workers    [][]*http.Client
	transports []*http.Transport
}

// newGenerator makes concurrency workers over max(concurrency, sources)
// clients, the i-th bound to source i mod sources.
func newGenerator(concurrency, sources int) (*generator, error) {
	return newGeneratorFrom(concurrency, sources, 0)
}

// newGeneratorFrom is newGenerator with every source address shifted by
// offset (less than the spacing of the addresses), so that two generators
// with different offsets never share a source.
func newGeneratorFrom(concurrency, sources, offset int) (*generator, error) {
	g := &generator{workers: make([][]*http.Client, concurrency)}
	for i := range max(concurrency, sources) {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: sourceAddrFrom(i%sources, sources, offset)}, Timeout: 5 * time.Second}
		tr := &http.Transport{
			DialContext:         d.DialContext,
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		}
		g.transports = append(g.transports, tr)
		w := i % concurrency
		g.workers[w] = append(g.workers[w], &http.Client{Transport: tr, Timeout: requestTimeout})
	}
	return g, nil
}

// sourceAddr returns the i-th of n addresses spread evenly over
// 127.0.0.1–127.255.255.254.
func sourceAddr(i, n int) net.IP { return sourceAddrFrom(i, n, 0) }

// sourceAddrFrom is sourceAddr shifted by offset.
func sourceAddrFrom(i, n, offset int) net.IP {
	a := 1 + i*(maxSources/n) + offset
	return net.IPv4(127, byte(a>>16), byte(a>>8), byte(a))
}

// Close closes the generator's idle connections.
func (g *generator) Close() {
	for _, t := range g.transports {
		t.CloseIdleConnections()
	}
}

// run drives reqs with every worker for a warm-up and then for duration, and
// returns what completed during duration. It returns an error only when ctx
// ends.
func (g *generator) run(ctx context.Context, reqs requests, duration time.Duration) (*phaseResult, error) {
	warmup := min(max(duration/10, 200*time.Millisecond), 2*time.Second)
	from := time.Now().Add(warmup)
	end := from.Add(duration)
	rctx, cancel := context.WithDeadline(ctx, end.Add(requestTimeout))
	defer cancel()
	results := make([]workerResult, len(g.workers))
	var wg sync.WaitGroup
	for w, clients := range g.workers {
		wg.Go(func() {
			results[w] = work(rctx, clients, reqs, from, end, uint64(w), max(1<<10, maxLatencies/len(g.workers)))
		})
	}
	wg.Wait()
	g.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return summarize(results, duration), nil
}

// workerResult is what one worker saw during the measured time.
type workerResult struct {
	ok, errs  int64
	statuses  map[int]int64   // expected answers by status
	latencies []time.Duration // of the answers with the expected status
	firstErr  string
}

var jsonContentType = []string{"application/json"}

// work is one worker's closed loop: requests until end (and at most
// maxRequestsPerWorker), counting those that complete from from to end.
func work(ctx context.Context, clients []*http.Client, reqs requests, from, end time.Time, seed uint64, keep int) workerResult {
	r := workerResult{statuses: map[int]int64{}}
	rng := mrand.New(mrand.NewPCG(seed, uint64(time.Now().UnixNano())))
	for i := 0; i < maxRequestsPerWorker && ctx.Err() == nil; i++ {
		t0 := time.Now()
		if !t0.Before(end) {
			break
		}
		status, err := post(ctx, clients[i%len(clients)], reqs.urls[i%len(reqs.urls)], reqs.body(rng))
		t1 := time.Now()
		if t1.Before(from) || t1.After(end) {
			continue
		}
		if err == nil && !reqs.expected(status) {
			err = fmt.Errorf("status %d, want %d", status, reqs.want)
		}
		if err != nil {
			r.errs++
			if r.firstErr == "" {
				r.firstErr = err.Error()
			}
			continue
		}
		r.ok++
		r.statuses[status]++
		if len(r.latencies) < keep {
			r.latencies = append(r.latencies, t1.Sub(t0))
		}
	}
	return r
}

// post sends one request and reads the whole answer, so that the connection
// is kept alive for the next.
func post(ctx context.Context, c *http.Client, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header["Content-Type"] = jsonContentType
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}
