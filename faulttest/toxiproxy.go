package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Toxiproxy is a private toxiproxy-server and a client of its REST API.
type Toxiproxy struct {
	// API is the REST API's base URL, "http://127.0.0.1:PORT".
	API  string
	proc *process
	hc   *http.Client
}

// LaunchToxiproxy starts a toxiproxy-server on its own loopback port. Its
// error wraps ErrMissing when toxiproxy-server is not installed. The caller
// must Close it.
func LaunchToxiproxy() (*Toxiproxy, error) {
	path, err := ToolBinary("toxiproxy-server")
	if err != nil {
		return nil, err
	}
	for range 3 { // another process may take the free port first
		var port int
		if port, err = freePort(); err != nil {
			return nil, err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		var p *process
		if p, err = startProcess(path, []string{"-host", "127.0.0.1", "-port", strconv.Itoa(port)}, addr); err == nil {
			return &Toxiproxy{API: "http://" + addr, proc: p, hc: &http.Client{Timeout: 10 * time.Second}}, nil
		}
	}
	return nil, fmt.Errorf("faulttest: toxiproxy-server: %w", err)
}

// Close stops the server, and with it every proxy.
func (t *Toxiproxy) Close() error { return t.proc.stop(syscall.SIGTERM) }

// Proxy is one proxied link: clients connect to Listen, the proxy connects
// to its upstream.
type Proxy struct {
	// Name is the proxy's name in the API.
	Name string
	// Listen is the address clients connect to, "127.0.0.1:PORT".
	Listen string
	t      *Toxiproxy
}

// call sends a JSON request to the API and decodes a JSON answer into out
// (when not nil).
func (t *Toxiproxy) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.API+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("faulttest: toxiproxy %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("faulttest: toxiproxy %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// NewProxy makes a proxy named name to upstream ("host:port") listening on
// a free loopback port.
func (t *Toxiproxy) NewProxy(ctx context.Context, name, upstream string) (*Proxy, error) {
	var got struct {
		Name   string `json:"name"`
		Listen string `json:"listen"`
	}
	in := map[string]any{"name": name, "listen": "127.0.0.1:0", "upstream": upstream, "enabled": true}
	if err := t.call(ctx, http.MethodPost, "/proxies", in, &got); err != nil {
		return nil, err
	}
	if _, port, err := net.SplitHostPort(got.Listen); err != nil || port == "0" {
		return nil, fmt.Errorf("faulttest: toxiproxy gave proxy %s the address %q", name, got.Listen)
	}
	return &Proxy{Name: got.Name, Listen: got.Listen, t: t}, nil
}

// Port returns the port of p.Listen.
func (p *Proxy) Port() int {
	_, port, _ := net.SplitHostPort(p.Listen)
	n, _ := strconv.Atoi(port)
	return n
}

// addToxic adds a toxic to one direction of p.
func (p *Proxy) addToxic(ctx context.Context, name, typ, stream string, attrs map[string]any) error {
	in := map[string]any{"name": name, "type": typ, "stream": stream, "toxicity": 1.0, "attributes": attrs}
	return p.t.call(ctx, http.MethodPost, "/proxies/"+p.Name+"/toxics", in, nil)
}

// Latency delays every byte by d in each direction (d rounds down to whole
// milliseconds, Toxiproxy's unit; at least 1 ms).
func (p *Proxy) Latency(ctx context.Context, d time.Duration) error {
	ms := max(d.Milliseconds(), 1)
	for _, stream := range []string{"upstream", "downstream"} {
		if err := p.addToxic(ctx, "latency_"+stream, "latency", stream, map[string]any{"latency": ms, "jitter": 0}); err != nil {
			return err
		}
	}
	return nil
}

// Blackhole stops every byte in both directions without closing any
// connection, as a network partition does: the peers learn of it only by
// their own timeouts.
func (p *Proxy) Blackhole(ctx context.Context) error {
	for _, stream := range []string{"upstream", "downstream"} {
		if err := p.addToxic(ctx, "blackhole_"+stream, "timeout", stream, map[string]any{"timeout": 0}); err != nil {
			return err
		}
	}
	return nil
}

// Cut disables the proxy: its connections are closed and new ones refused.
func (p *Proxy) Cut(ctx context.Context) error {
	return p.t.call(ctx, http.MethodPost, "/proxies/"+p.Name, map[string]any{"enabled": false}, nil)
}

// Restore enables the proxy again and removes its toxics.
func (p *Proxy) Restore(ctx context.Context) error {
	var got struct {
		Toxics []struct {
			Name string `json:"name"`
		} `json:"toxics"`
	}
	if err := p.t.call(ctx, http.MethodGet, "/proxies/"+p.Name, nil, &got); err != nil {
		return err
	}
	var errs []error
	for _, tx := range got.Toxics {
		errs = append(errs, p.t.call(ctx, http.MethodDelete, "/proxies/"+p.Name+"/toxics/"+tx.Name, nil, nil))
	}
	errs = append(errs, p.t.call(ctx, http.MethodPost, "/proxies/"+p.Name, map[string]any{"enabled": true}, nil))
	return errors.Join(errs...)
}

// StartToxiproxy starts a toxiproxy-server for tb and stops it in
// tb.Cleanup. It skips tb when toxiproxy-server is not installed, unless
// CI=true.
func StartToxiproxy(tb testing.TB) *Toxiproxy {
	tb.Helper()
	t, err := LaunchToxiproxy()
	if err != nil {
		skipOrFail(tb, err)
		return nil
	}
	tb.Cleanup(func() { t.Close() })
	return t
}
