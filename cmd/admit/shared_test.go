package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

// TestOpenShared checks where `admit serve` keeps per-source limits and the
// change feed: in memory on the embedded store, in Redis with --redis; a
// --redis that is no Redis URL is refused naming the flag.
func TestOpenShared(t *testing.T) {
	ctx := context.Background()
	var stderr bytes.Buffer
	m := &Main{Stdout: &stderr, Stderr: &stderr}
	sf := &storeFlags{Data: t.TempDir()}
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	policy := admit.DefaultSourcePolicy()

	s, err := m.openShared(ctx, &sharedFlags{Prefix: defaultRedisPrefix}, e, policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.limiter.(*memory.Limiter); !ok || s.mode != "memory" || s.confirm {
		t.Errorf("embedded store without Redis: %T, mode %q, confirm %v; want the memory limiter, unconfirmed joins", s.limiter, s.mode, s.confirm)
	}
	if s.join == nil {
		t.Error("embedded store without Redis: no join limiter")
	}

	_, err = m.openShared(ctx, &sharedFlags{Redis: "http://127.0.0.1:6379", Prefix: defaultRedisPrefix}, e, policy, nil)
	if admit.ErrorCode(err) != admit.EINVALID || admit.ErrorField(err) != "redis" {
		t.Errorf("--redis http://…: %v; want EINVALID naming redis", err)
	}

	url := os.Getenv("ADMIT_TEST_REDIS")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	if c, err := net.Dial("tcp", "127.0.0.1:6379"); err != nil && os.Getenv("ADMIT_TEST_REDIS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and no Redis: %v", err)
		}
		t.Skipf("no Redis on 127.0.0.1:6379 (set ADMIT_TEST_REDIS, or CI=true to fail): %v", err)
	} else if err == nil {
		c.Close()
	}
	s, err = m.openShared(ctx, &sharedFlags{Redis: url, Prefix: "admit:test:shared:"}, e, policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if s.mode != "redis" || s.join == nil {
		t.Errorf("--redis: mode %q, join limiter %v; want redis and one", s.mode, s.join)
	}
}
