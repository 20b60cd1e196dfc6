package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/admit-project/admit/edge"
	"github.com/admit-project/admit/password"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/clock"
	admithttp "github.com/admit-project/admit/http"
	"github.com/admit-project/admit/mail"
	"github.com/admit-project/admit/oidc"
	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/web"
)

// ServeCmd is "admit serve".
type ServeCmd struct {
	HTTP                  string   `name:"http" default:"${default_http}" env:"ADMIT_HTTP" placeholder:"ADDR" help:"HTTP listen address (port 0: any free port); default ${default}."`
	BaseURL               string   `name:"base-url" env:"ADMIT_BASE_URL" placeholder:"URL" help:"Public URL of the service, for links (default http://ADDR)."`
	TrustedProxy          []string `name:"trusted-proxy" env:"ADMIT_TRUSTED_PROXIES" sep:"," placeholder:"CIDR" help:"CIDR of a proxy whose X-Forwarded-For is believed (repeatable, or a comma list)."`
	TrustedGateway        []string `name:"trusted-gateway" env:"ADMIT_TRUSTED_GATEWAYS" sep:"," placeholder:"CIDR" help:"CIDR of a gateway (a phone dial-in) whose Admit-Caller header is believed as the caller's identity, the source of the per-source limits (repeatable, or a comma list)."`
	SourceLimit           int      `name:"source-limit" default:"${default_source_limit}" env:"ADMIT_SOURCE_LIMIT" placeholder:"N" help:"Different meeting IDs, access codes or links a source (IPv4 address, IPv6 /64, caller ID) may try without success in an hour before 429s (and failed sign-ins); default ${default}."`
	LogLevel              string   `name:"log-level" default:"info" enum:"debug,info,warn,error" env:"ADMIT_LOG_LEVEL" help:"Log level: debug, info, warn or error."`
	MaxHashing            int      `name:"max-hashing" default:"0" env:"ADMIT_MAX_HASHING" placeholder:"N" help:"Password hashes (argon2id, 64 MiB each) run at once in the process; 0: as many as CPUs. More wait in a bounded line, then get 429."`
	TestClock             bool     `name:"test-clock" hidden:"" help:"Enable POST /api/v1/test-clock to move the service's clock (tests only: never in production)."`
	Admin                 string   `name:"admin" env:"ADMIT_ADMIN" placeholder:"ADDR" help:"Admin listen address for Prometheus metrics (/metrics) and pprof (/debug/pprof/); keep it private; none when empty."`
	RefusalsBehind        bool     `name:"refusals-behind" env:"ADMIT_REFUSALS_BEHIND" help:"Answer refused joins before their record is durable (guess budget and source limits charged in memory first; a crash loses at most 1,000 records per node)."`
	AllowUnsafeDurability bool     `name:"allow-unsafe-durability" help:"Start even when PostgreSQL has fsync or synchronous_commit off (an acknowledged admission could be lost in a crash)."`
	sharedFlags
	logFlags
	mail.SMTPFlags
	MailInterval time.Duration `name:"mail-interval" default:"5s" env:"ADMIT_MAIL_INTERVAL" group:"Mail" help:"How often this node sends due mail and enqueues reminders; default ${default}."`
	ReminderLead time.Duration `name:"reminder-lead" default:"1h" env:"ADMIT_REMINDER_LEAD" group:"Mail" help:"How long before each occurrence its reminder is emailed, for meetings and accounts that set none; default ${default}."`
	sipFlags
}

// Run serves until ctx ends.
func (c *ServeCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	trusted, err := edge.ParseTrustedProxies(c.TrustedProxy)
	if err != nil {
		return admit.FieldErrorf("trusted-proxy", "--trusted-proxy: %v", err)
	}
	gateways, err := edge.ParseTrustedProxies(c.TrustedGateway)
	if err != nil {
		return admit.FieldErrorf("trusted-gateway", "--trusted-gateway: %v", err)
	}
	if c.SourceLimit < 1 {
		return admit.FieldErrorf("source-limit", "--source-limit must be at least 1")
	}
	numbers, err := c.sipFlags.dialIn()
	if err != nil {
		return err
	}
	policy := admit.DefaultSourcePolicy()
	policy.MaxFailures = c.SourceLimit
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return admit.FieldErrorf("log-level", "--log-level must be debug, info, warn or error")
	}
	// Records logged with a request's context carry its request_id, the ID
	// its answer carries in X-Request-ID.
	logger := slog.New(edge.LogHandler(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level})))
	smtp, err := c.SMTPFlags.Settings(os.Getenv)
	if err != nil {
		return err
	}
	if c.MailInterval <= 0 {
		return admit.FieldErrorf("mail-interval", "--mail-interval must be positive")
	}
	if c.ReminderLead <= 0 {
		return admit.FieldErrorf("reminder-lead", "--reminder-lead must be positive")
	}
	addr, baseURL, testClock := &c.HTTP, &c.BaseURL, &c.TestClock
	sh := &c.sharedFlags

	var clk admit.Clock = admit.SystemClock{}
	var tc *clock.TestClock
	if *testClock {
		tc = &clock.TestClock{}
		clk = tc
		fmt.Fprintln(m.Stderr, "admit: WARNING: --test-clock is on: anyone can move this service's clock with POST /api/v1/test-clock. Never use it in production.")
	}
	e, err := m.open(ctx, sf, clk, logger)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := checkDurability(ctx, e.db, c.AllowUnsafeDurability, logger); err != nil {
		return err
	}
	share, err := m.openShared(ctx, sh, e, policy, logger)
	if err != nil {
		return err
	}
	defer share.close()
	// Before anything reads them: the service keeps the first it sees.
	e.service.Limiter, e.service.JoinLimiter, e.service.Feed = share.limiter, share.join, share.feed
	e.service.ConfirmJoins = share.confirm
	e.service.RefusalsBehind = c.RefusalsBehind
	defer func() { // before the store closes (deferred earlier)
		fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.service.FlushRefusals(fctx); err != nil {
			logger.Error("refused attempts not all recorded at shutdown", "err", err)
		}
	}()
	logger.Info("per-source limits and change feed", "in", share.mode)
	signer, stopIntegrator, err := m.startIntegrator(ctx, e.db, sf, &c.logFlags, logger)
	if err != nil {
		return err
	}
	defer stopIntegrator() // before the store closes
	log, err := auditLogOf(e.db)
	if err != nil {
		return err
	}
	e.service.AuditLog = &translog.Reader{Store: log, Verifier: signer.Verifier(), PublicKey: signer.PublicKey()}

	if err := e.service.WarmJoinCache(ctx); err != nil {
		return err
	}
	var adm *admin
	if c.Admin != "" {
		if adm, err = startAdmin(c.Admin, e.service, e.db, logger); err != nil {
			return err
		}
		defer adm.Close()
		fmt.Fprintf(m.Stdout, "admit: admin (metrics, pprof) on %s\n", adm.url)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if *baseURL != "" {
		e.service.BaseURL = strings.TrimRight(*baseURL, "/")
	} else {
		e.service.BaseURL = url
	}
	forget := recordServerURL(sf, e.service.BaseURL, logger)
	defer forget()
	e.service.ReminderLead = c.ReminderLead
	stopMail, err := startMail(ctx, e, smtp, clk, c.MailInterval, logger)
	if err != nil {
		return err
	}
	defer stopMail()
	slots := password.Process
	if c.MaxHashing > 0 {
		slots = password.NewSlots(c.MaxHashing, 8*c.MaxHashing)
	}
	e.service.Passwords = &password.Hasher{Slots: slots}
	srv := &admithttp.Server{Service: e.service, Clock: tc, Logger: logger, TrustedProxies: trusted, TrustedGateways: gateways}
	if tc != nil {
		srv.Hashing = func() any { return slots.Stats() }
	}
	secure := strings.HasPrefix(e.service.BaseURL, "https://")
	app := &web.App{Service: e.service, Logger: logger, ClientIP: srv.ClientIP, Secure: secure,
		AuditKey: e.ring.AuditKey()}
	// Single sign-on: one relying party per account's identity provider,
	// all returning to one callback; the sign-in state is sealed with the
	// keyring into a short-lived cookie for that path. Its clock is the
	// system's even under --test-clock: the provider's tokens are dated by
	// the provider's real clock.
	app.SignIns = &oidc.Registry{
		Keeper:      &oidc.StateKeeper{Sealer: e.ring, Clock: admit.SystemClock{}, CookiePath: web.SSOCallbackPath, Secure: secure},
		RedirectURL: e.service.BaseURL + web.SSOCallbackPath,
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
	}
	app.DialIn, e.service.DialIn = numbers, numbers
	hs := &http.Server{
		Handler:           observe(mountWeb(srv.Handler(), app.Handler()), adm),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(app.Close) // live roster streams end, so shutdown does not wait for them
	fmt.Fprintf(m.Stdout, "admit: listening on %s (%s)\n", url, sf.describe())
	if err := m.printGettingStarted(ctx, e, sf.args(), url, sf.Data); err != nil {
		return err
	}
	go e.service.FollowChanges(ctx) // changes published by other nodes
	sipCtx, stopSIP := context.WithCancel(ctx)
	gw, err := m.startSIP(sipCtx, &c.sipFlags, e.service, logger)
	if err != nil {
		stopSIP()
		return err
	}
	if gw != nil {
		defer gw.Wait() // after stopSIP: the calls end
	}
	defer stopSIP()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(m.Stderr, "admit: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// observe wraps h with what every answer goes through: a request ID (in
// X-Request-ID and the logs), the joins' deadline for the store, and the
// metrics when the admin listener is on.
func observe(h http.Handler, adm *admin) http.Handler {
	h = edge.JoinDeadline(h, joinDeadline)
	if adm != nil {
		h = adm.metrics.Middleware(h)
	}
	return edge.RequestIDs(h, nil)
}

// mountWeb serves the JSON API under /api/ and /healthz, and the web app
// everywhere else.
func mountWeb(api, app http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/healthz", api)
	mux.Handle("/", app)
	return mux
}

// printGettingStarted prints, while the store has no user yet, a one-time
// link to create the owner account in the web app (valid 24 hours; every
// start makes a new one), and how to get in from the command line instead.
//
// The link makes whoever opens it the owner, so it goes to standard output
// only when that is a terminal; else (a pipe, a log collector) it is
// written to the file setup-link in the data directory, readable by its
// owner only, and standard output says where.
func (m *Main) printGettingStarted(ctx context.Context, e *env, storeArgs, url, dataDir string) error {
	link, err := e.service.SetupLink(ctx)
	if err != nil || link == "" {
		return err
	}
	if isTerminal(m.Stdout) {
		fmt.Fprintf(m.Stdout, "admit: set up the owner account at %s\n", link)
	} else {
		file := filepath.Join(dataDir, "setup-link")
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return err
		}
		os.Remove(file) // a file of an earlier start, perhaps of another mode
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("writing the set-up link: %w", err)
		}
		_, werr := fmt.Fprintln(f, link)
		if err := f.Close(); werr != nil || err != nil {
			return fmt.Errorf("writing the set-up link: %w", errors.Join(werr, err))
		}
		fmt.Fprintf(m.Stdout, "admit: standard output is not a terminal, so the one-time link to set up the owner account is in %s (readable by you only)\n", file)
	}
	fmt.Fprintf(m.Stdout, `admit: (the link works once, for 24 hours). Or, from the command line:
  admit user create %[1]s --email you@example.com --name "Your Name"
  admit user link %[1]s --email you@example.com   # a link to set the web password
  TOKEN=$(admit token create %[1]s --email you@example.com)
  curl -H "Authorization: Bearer $TOKEN" %[2]s/api/v1/meetings
`, storeArgs, url)
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
