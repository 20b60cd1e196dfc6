package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit/faulttest"
)

// TestPostgresRestartUnderLoad crashes PostgreSQL (immediate stop) while
// two nodes answer valid and failed joins, starts it again, and checks
// that: every answer meanwhile was right (valid: 200; wrong passcode: 403)
// or 503 with Retry-After, never anything else; the nodes reconnect by
// themselves; and every admission answered 200 is in the store afterwards.
func TestPostgresRestartUnderLoad(t *testing.T) {
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	f := seed(t, pg.URL("pool_max_conns=8"))
	nodes := []*node{startNode(t, f, f.dsn, nil), startNode(t, f, f.dsn, nil)}
	wrong := wrongPasscode(f.passcode)

	var (
		mu       sync.Mutex
		admitted []string
		bad      []string
		counts   = map[string]int{}
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				valid := (i+w)%2 == 0
				pass, want := f.passcode, http.StatusOK
				if !valid {
					pass, want = wrong, http.StatusForbidden
				}
				a := join(nodes[(i+w)%2], f.meetingID, pass, fmt.Sprintf("W%d-%d", w, i))
				mu.Lock()
				switch {
				case a.err != nil:
					bad = append(bad, "transport: "+a.err.Error())
				case a.status == want:
					counts[fmt.Sprint(a.status)]++
					if a.participant != "" {
						admitted = append(admitted, a.participant)
					}
				case a.status == http.StatusServiceUnavailable && a.retryAfter != "":
					counts["503"]++
				default:
					bad = append(bad, fmt.Sprintf("valid=%v: status %d (Retry-After %q)", valid, a.status, a.retryAfter))
				}
				mu.Unlock()
			}
		})
	}
	ctx := context.Background()
	time.Sleep(time.Second)
	if err := pg.Stop(ctx, "immediate"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for i, n := range nodes {
		if !eventually(60*time.Second, func() bool { return join(n, f.meetingID, f.passcode, "Probe").status == http.StatusOK }) {
			t.Errorf("node %d did not admit again within 60 s of PostgreSQL's restart", i)
		}
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	t.Logf("answers: %v; %d admissions acknowledged", counts, len(admitted))
	if len(bad) > 0 {
		t.Errorf("%d wrong answers, the first: %s", len(bad), strings.Join(bad[:min(5, len(bad))], "; "))
	}
	if counts["503"] == 0 {
		t.Error("no 503 during the outage: the test did not see PostgreSQL down")
	}
	for _, id := range admitted {
		// The store keeps the participant under a keyed handle of the
		// bearer ID the join answered: look it up as the participant would.
		if _, err := nodes[0].svc.ParticipantStatus(ctx, id); err != nil {
			t.Errorf("admission %s was answered 200 but is not in the store after the crash: %v", id, err)
		}
	}
}

// TestNodeCutOffStopsAnswering puts a Toxiproxy between a node and
// PostgreSQL and then holds every byte (a partition: no connection is
// closed). The node must answer joins 503 with Retry-After within seconds
// (its join deadline), never 200 or 403 from what it holds in memory, and
// admit again once the link is back.
func TestNodeCutOffStopsAnswering(t *testing.T) {
	tp := faulttest.StartToxiproxy(t)
	pg := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	f := seed(t, pg.URL())
	ctx := context.Background()
	p, err := tp.NewProxy(ctx, "pg", pg.Addr())
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, f, "postgres://postgres@"+p.Listen+"/postgres?sslmode=disable&pool_max_conns=4", nil)
	wrong := wrongPasscode(f.passcode)
	if a := join(n, f.meetingID, f.passcode, "Before"); a.status != http.StatusOK {
		t.Fatalf("before the cut: valid join %d %v", a.status, a.err)
	}
	if err := p.Blackhole(ctx); err != nil {
		t.Fatal(err)
	}
	for _, pass := range []string{f.passcode, wrong, f.passcode} {
		t0 := time.Now()
		a := join(n, f.meetingID, pass, "During")
		took := time.Since(t0)
		if a.err != nil || a.status != http.StatusServiceUnavailable || a.retryAfter == "" {
			t.Errorf("cut off: join (right passcode %v) answered %d (Retry-After %q, %v) after %s; want 503 with Retry-After", pass == f.passcode, a.status, a.retryAfter, a.err, took)
		}
		if took > 10*time.Second {
			t.Errorf("cut off: the answer took %s; want it within seconds", took)
		}
	}
	if err := p.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if !eventually(60*time.Second, func() bool { return join(n, f.meetingID, f.passcode, "After").status == http.StatusOK }) {
		t.Error("the node did not admit again within 60 s of the link's return")
	}
}
