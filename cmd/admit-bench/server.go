package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	admithttp "github.com/admit-project/admit/http"
	"github.com/admit-project/admit/jwt"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/postgres"
	admitredis "github.com/admit-project/admit/redis"
)

// server is an HTTP server of the benchmark on a loopback port.
type server struct {
	url string // "http://127.0.0.1:PORT"
	hs  *http.Server
}

// serve serves h on a new loopback port with the timeouts of `admit serve`.
func serve(h http.Handler, logger *slog.Logger) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "err", err)
		}
	}()
	return &server{url: "http://" + ln.Addr().String(), hs: hs}, nil
}

// Close stops the server and its connections.
func (s *server) Close() error { return s.hs.Close() }

func benchLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// bareBody is the bare handler's answer: a fixed JSON document of the shape
// and about the size (770 bytes) of an admitted join's answer.
var bareBody = []byte(`{"status":"admitted","participant":{"id":"p` + strings.Repeat("x", 26) +
	`","occurrence":1,"display_name":"Bench 1234","shared_credential":false,"channel":"api",` +
	`"source":"127.0.0.1","state":"admitted","joined_at":"2030-03-04T15:01:00Z","admitted_at":"2030-03-04T15:01:00Z"},` +
	`"admission_token":"` + strings.Repeat("t", 342) + `",` +
	`"meeting":{"meeting_id":"81234567890","topic":"Bench's meeting","occurrence":1,` +
	`"start":"2030-03-04T15:00:00Z","end":"2030-03-05T15:00:00Z"}}` + "\n")

var bareLength = []string{strconv.Itoa(len(bareBody))}

// bareHandler is the baseline: it reads the request body and writes the
// fixed answer with the headers admit's answers carry.
func bareHandler(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = bareLength
	h["X-Content-Type-Options"] = []string{"nosniff"}
	h["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(bareBody)
}

// startBare serves the bare handler.
func startBare() (*server, error) {
	return serve(http.HandlerFunc(bareHandler), benchLogger())
}

// bareRequests are the requests of the baseline: a join-sized POST body,
// answered 200.
func (s *server) bareRequests() requests {
	body := []byte(`{"meeting_id":"81234567890","passcode":"Ab3dE9xYz","name":"Bench 1234"}`)
	return requests{urls: []string{s.url + "/api/v1/join"}, want: http.StatusOK, body: func(*mrand.Rand) []byte { return body }}
}

// nodes are admit's servers of one measurement: one, or several nodes on
// one PostgreSQL store.
type nodes struct {
	urls    []string
	first   benchStore // the first node's store handle
	closers []func() error
	cancel  context.CancelFunc
	once    sync.Once
}

// Close stops the nodes and closes their connections (once; later calls do
// nothing).
func (n *nodes) Close() error {
	var errs []error
	n.once.Do(func() {
		n.cancel()
		for i := len(n.closers) - 1; i >= 0; i-- {
			errs = append(errs, n.closers[i]())
		}
	})
	return errors.Join(errs...)
}

// nodeOptions say how startAdmit wires its nodes.
type nodeOptions struct {
	count   int                // nodes
	redis   string             // Redis URL for limits and feed, "" for none
	confirm bool               // ConfirmJoins on PostgreSQL
	policy  admit.SourcePolicy // per-source limits
	// dsn, when set, is the URL every node opens the PostgreSQL store at
	// (through the delaying proxy); else the first node uses the seeding
	// handle and the others open st.dsn.
	dsn string
	// behind sets app.Service.RefusalsBehind.
	behind bool
}

// benchPolicy is the per-source policy of the join phases: the limiter
// stays on the path but never refuses. The benchmark measures the join
// path, not the limits against guessing: its failed joins come from a few
// hundred sources at thousands a second and hit the same sample meetings
// run after run.
func benchPolicy() admit.SourcePolicy {
	policy := admit.DefaultSourcePolicy()
	policy.MaxFailures, policy.FreeFailures = math.MaxInt32, math.MaxInt32
	return policy
}

// startAdmit serves admit's API over the store on o.count nodes, each wired
// as cmd/admit wires `admit serve`: its own Service, join cache and
// connections, per-source limits and change feed in Redis with o.redis,
// else in PostgreSQL on PostgreSQL, else in memory; joins confirmed on fresh
// data on PostgreSQL (unless o.confirm is false). Every service's clock
// stands one minute past the start of every seeded meeting, so that all are
// open. The account's guess budget is the largest allowed, so that the
// failed phases do not spend the sample meetings' budgets and valid joins
// keep being admitted.
func startAdmit(ctx context.Context, st *store, o nodeOptions) (*nodes, error) {
	signer, err := jwt.NewSigner(st.ring.AdmissionKey())
	if err != nil {
		return nil, err
	}
	logger := benchLogger()
	if err := raiseGuessBudget(st); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ns := &nodes{cancel: cancel}
	prefix := fmt.Sprintf("admit-bench:%d:", time.Now().UnixNano())
	for i := range o.count {
		db := st.db
		if dsn := cmp.Or(o.dsn, st.dsn); st.dsn != "" && (i > 0 || o.dsn != "") {
			pg, err := postgres.Open(ctx, dsn)
			if err != nil {
				ns.Close()
				return nil, err
			}
			ns.closers = append(ns.closers, pg.Close)
			if err := pg.SetAuditKey(ctx, st.ring.AuditKey()); err != nil {
				ns.Close()
				return nil, err
			}
			db = pg
		}
		if i == 0 {
			ns.first = db
		}
		svc := &app.Service{Store: db, Keys: st.ring, Signer: signer, Clock: clock.NewFixedClock(seedStart.Add(time.Minute)),
			Rand: rand.Reader, Logger: logger, BaseURL: "http://127.0.0.1:8080", Limiter: memory.NewLimiter(o.policy)}
		pg, onPG := db.(*postgres.DB)
		switch {
		case o.redis != "":
			c, err := admitredis.Open(ctx, o.redis)
			if err != nil {
				ns.Close()
				return nil, err
			}
			ns.closers = append(ns.closers, c.Close)
			l := admitredis.NewLimiter(c, o.policy)
			l.Prefix = prefix + "src:"
			f := admitredis.NewFeed(c)
			f.Channel = prefix + "changes"
			svc.Limiter, svc.Feed = l, f
		case onPG:
			svc.Limiter, svc.Feed = postgres.NewLimiter(pg.Pool(), o.policy), postgres.NewFeed(pg)
		}
		svc.ConfirmJoins = onPG && o.confirm
		svc.RefusalsBehind = o.behind
		ns.closers = append(ns.closers, func() error { return svc.FlushRefusals(context.Background()) })
		// As admit serve does: the join path's directory is read before
		// listening, not by the first measured join.
		if err := svc.WarmJoinCache(ctx); err != nil {
			ns.Close()
			return nil, err
		}
		go svc.FollowChanges(ctx)
		srv := &admithttp.Server{Service: svc, Logger: logger}
		s, err := serve(srv.Handler(), logger)
		if err != nil {
			ns.Close()
			return nil, err
		}
		ns.closers = append(ns.closers, s.Close)
		ns.urls = append(ns.urls, s.url)
	}
	return ns, nil
}

// startFloor serves the floor phase (see floor.go) over the store of ns.
func startFloor(ctx context.Context, st *store, ns *nodes) (*server, floorWriter, error) {
	var w floorWriter
	var err error
	if pg, ok := ns.first.(*postgres.DB); ok {
		w, err = openPostgresFloor(ctx, pg.Pool())
	} else {
		w, err = openSQLiteFloor(st.dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("floor: %w", err)
	}
	s, err := serve(floorHandler(w), benchLogger())
	if err != nil {
		w.Close()
		return nil, nil, err
	}
	return s, w, nil
}

// raiseGuessBudget sets the store's account guess budget to the largest
// allowed (see startAdmit).
func raiseGuessBudget(st *store) error {
	ctx := context.Background()
	acct, err := st.db.FindDefaultAccount(ctx)
	if err != nil {
		return err
	}
	acct.Security.GuessBudget = admit.MaxGuessBudget
	return st.db.UpdateAccount(ctx, acct)
}
