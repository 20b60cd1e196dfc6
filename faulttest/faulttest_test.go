package faulttest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/admit-project/admit/faulttest"
)

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestPostgresRestartKeepsCommits makes a private cluster, commits a row,
// crashes the cluster (immediate stop), starts it and finds the row.
func TestPostgresRestartKeepsCommits(t *testing.T) {
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	ctx := context.Background()
	c := connect(t, pg.URL())
	var fsync, sync string
	if err := c.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync); err != nil {
		t.Fatal(err)
	}
	if fsync != "on" || sync != "on" {
		t.Errorf("fsync=%s synchronous_commit=%s, want on and on", fsync, sync)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if err := pg.Stop(ctx, "immediate"); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx); err == nil {
		t.Error("the connection still answers after the cluster stopped")
	}
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var v int
	if err := connect(t, pg.URL()).QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Errorf("after the restart: v=%d, err=%v; want 42", v, err)
	}
}

// TestPostgresSettings starts a cluster with fsync off, as the refusal to
// start on an unsafe database needs.
func TestPostgresSettings(t *testing.T) {
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{Settings: map[string]string{"fsync": "off", "synchronous_commit": "off"}})
	var fsync, sync string
	if err := connect(t, pg.URL()).QueryRow(context.Background(), "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync); err != nil {
		t.Fatal(err)
	}
	if fsync != "off" || sync != "off" {
		t.Errorf("fsync=%s synchronous_commit=%s, want off and off", fsync, sync)
	}
}

// TestRedisStopStart stops a private redis-server and starts it again on
// the same port.
func TestRedisStopStart(t *testing.T) {
	r := faulttest.StartRedis(t)
	ctx := context.Background()
	opt, err := redis.ParseURL(r.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.MaxRetries = -1
	c := redis.NewClient(opt)
	defer c.Close()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx).Err(); err == nil {
		t.Error("PING answered with the server stopped")
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Errorf("PING after the restart: %v", err)
	}
	if err := c.Get(ctx, "k").Err(); err != redis.Nil {
		t.Errorf("GET k after the restart: %v, want redis.Nil (nothing kept on disk)", err)
	}
}

// TestToxiproxyLatencyAndCut puts a proxy between a client and a private
// PostgreSQL: a latency toxic makes each round trip at least twice its
// delay, a cut fails queries, and a restore brings the link back.
func TestToxiproxyLatencyAndCut(t *testing.T) {
	tp := faulttest.StartToxiproxy(t)
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	ctx := context.Background()
	p, err := tp.NewProxy(ctx, "pg", pg.Addr())
	if err != nil {
		t.Fatal(err)
	}
	url := pg.URL()
	url = "postgres://postgres@" + p.Listen + url[len("postgres://postgres@"+pg.Addr()):]
	c := connect(t, url)
	const delay = 25 * time.Millisecond
	if err := p.Latency(ctx, delay); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if rt := time.Since(t0); rt < 2*delay {
		t.Errorf("a round trip through the proxy took %s, want at least %s", rt, 2*delay)
	}
	if err := p.Cut(ctx); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Ping(cctx); err == nil {
		t.Error("a query went through the cut proxy")
	}
	if err := p.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if err := connect(t, url).Ping(ctx); err != nil {
		t.Errorf("after the restore: %v", err)
	}
}

// TestToxiproxyBlackhole holds every byte: a query with a deadline fails by
// that deadline, not by a closed connection.
func TestToxiproxyBlackhole(t *testing.T) {
	tp := faulttest.StartToxiproxy(t)
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	ctx := context.Background()
	p, err := tp.NewProxy(ctx, "pg", pg.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, "postgres://postgres@"+p.Listen+"/postgres?sslmode=disable")
	if err := p.Blackhole(ctx); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := c.Ping(cctx); err == nil {
		t.Error("a query went through the blackholed proxy")
	}
}
