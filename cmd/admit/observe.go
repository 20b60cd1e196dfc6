package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/metrics"
	"github.com/admit-project/admit/postgres"
	"github.com/admit-project/admit/sqlite"
)

// joinDeadline bounds each join's wait for the store (edge.JoinDeadline):
// a node cut off from PostgreSQL answers 503 within it.
const joinDeadline = 5 * time.Second

// checkDurability refuses a PostgreSQL store whose fsync or
// synchronous_commit is off, unless allow (--allow-unsafe-durability),
// which logs a warning instead. The embedded store always commits with
// synchronous=FULL.
func checkDurability(ctx context.Context, db store, allow bool, logger *slog.Logger) error {
	pg, ok := db.(*postgres.DB)
	if !ok {
		return nil
	}
	err := pg.CheckDurability(ctx)
	if err != nil && allow && admit.ErrorCode(err) == admit.EINVALID {
		logger.Warn("unsafe durability accepted (--allow-unsafe-durability)", "err", err)
		return nil
	}
	return err
}

// admin is the admin listener: Prometheus metrics and pprof.
type admin struct {
	metrics *metrics.Metrics
	// Registry is where every collector goes; other parts of admit (the
	// outbox, SIP) register theirs through metrics.Register.
	registry *prometheus.Registry
	hs       *http.Server
	url      string
}

// startAdmin serves metrics and pprof on addr, and wires the collectors
// into the service and the store.
func startAdmin(addr string, svc *app.Service, db store, logger *slog.Logger) (*admin, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, err
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, err
	}
	m, err := metrics.New(reg)
	if err != nil {
		return nil, err
	}
	svc.Observer = m
	switch db := db.(type) {
	case *sqlite.DB:
		db.SetWriteObserver(m.Store("sqlite"))
		err = m.WriteBacklog("sqlite", db.WriteBacklog)
	case *postgres.DB:
		db.SetWriteObserver(m.Store("postgres"))
		err = m.WriteBacklog("postgres", db.WriteBacklog)
	}
	if err == nil {
		err = m.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "admit_refusals_pending",
			Help: "Refused join attempts answered and not yet recorded (admit serve --refusals-behind)."},
			func() float64 { return float64(svc.RefusalBacklog()) }))
	}
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--admin: %w", err)
	}
	a := &admin{metrics: m, registry: reg, url: "http://" + ln.Addr().String(), hs: &http.Server{
		Handler:           metrics.AdminHandler(reg),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       90 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}}
	go func() {
		if err := a.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin listener", "err", err)
		}
	}()
	return a, nil
}

// Close stops the admin listener.
func (a *admin) Close() error {
	if a == nil {
		return nil
	}
	return a.hs.Close()
}
