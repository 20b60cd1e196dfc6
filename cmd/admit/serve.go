package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/admit-project/admit/edge"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/clock"
	admithttp "github.com/admit-project/admit/http"
	"github.com/admit-project/admit/mail"
	"github.com/admit-project/admit/oidc"
	"github.com/admit-project/admit/web"
)

// ServeCmd is "admit serve".
type ServeCmd struct {
	HTTP         string   `name:"http" default:"${default_http}" env:"ADMIT_HTTP" placeholder:"ADDR" help:"HTTP listen address (port 0: any free port); default ${default}."`
	BaseURL      string   `name:"base-url" env:"ADMIT_BASE_URL" placeholder:"URL" help:"Public URL of the service, for links (default http://ADDR)."`
	TrustedProxy []string `name:"trusted-proxy" env:"ADMIT_TRUSTED_PROXIES" sep:"," placeholder:"CIDR" help:"CIDR of a proxy whose X-Forwarded-For is believed (repeatable, or a comma list)."`
	SourceLimit  int      `name:"source-limit" default:"${default_source_limit}" env:"ADMIT_SOURCE_LIMIT" placeholder:"N" help:"Failed joins a source (IPv4 address, IPv6 /64, caller ID) may make in an hour before 429s; default ${default}."`
	LogLevel     string   `name:"log-level" default:"info" enum:"debug,info,warn,error" env:"ADMIT_LOG_LEVEL" help:"Log level: debug, info, warn or error."`
	TestClock    bool     `name:"test-clock" hidden:"" help:"Enable POST /api/v1/test-clock to move the service's clock (tests only: never in production)."`
	sharedFlags
	mail.SMTPFlags
	MailInterval time.Duration `name:"mail-interval" default:"5s" env:"ADMIT_MAIL_INTERVAL" group:"Mail" help:"How often this node sends due mail and enqueues reminders; default ${default}."`
	ReminderLead time.Duration `name:"reminder-lead" default:"1h" env:"ADMIT_REMINDER_LEAD" group:"Mail" help:"How long before each occurrence its reminder is emailed; default ${default}."`
}

// Run serves until ctx ends.
func (c *ServeCmd) Run(ctx context.Context, m *Main, sf *storeFlags) error {
	trusted, err := edge.ParseTrustedProxies(c.TrustedProxy)
	if err != nil {
		return admit.FieldErrorf("trusted-proxy", "--trusted-proxy: %v", err)
	}
	if c.SourceLimit < 1 {
		return admit.FieldErrorf("source-limit", "--source-limit must be at least 1")
	}
	policy := admit.DefaultSourcePolicy()
	policy.MaxFailures = c.SourceLimit
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return admit.FieldErrorf("log-level", "--log-level must be debug, info, warn or error")
	}
	logger := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
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
	share, err := m.openShared(ctx, sh, e, policy, logger)
	if err != nil {
		return err
	}
	defer share.close()
	// Before anything reads them: the service keeps the first it sees.
	e.service.Limiter, e.service.Feed = share.limiter, share.feed
	e.service.ConfirmJoins = share.confirm
	logger.Info("per-source limits and change feed", "in", share.mode)

	if err := e.service.WarmJoinCache(ctx); err != nil {
		return err
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
	srv := &admithttp.Server{Service: e.service, Clock: tc, Logger: logger, TrustedProxies: trusted}
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
	hs := &http.Server{
		Handler:           mountWeb(srv.Handler(), app.Handler()),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(app.Close) // live roster streams end, so shutdown does not wait for them
	fmt.Fprintf(m.Stdout, "admit: listening on %s (%s)\n", url, sf.describe())
	if err := m.printGettingStarted(ctx, e, sf.args(), url); err != nil {
		return err
	}
	go e.service.FollowChanges(ctx) // changes published by other nodes
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
func (m *Main) printGettingStarted(ctx context.Context, e *env, storeArgs, url string) error {
	link, err := e.service.SetupLink(ctx)
	if err != nil || link == "" {
		return err
	}
	fmt.Fprintf(m.Stdout, "admit: set up the owner account at %s\n", link)
	fmt.Fprintf(m.Stdout, `admit: (the link works once, for 24 hours). Or, from the command line:
  admit user create %[1]s --email you@example.com --name "Your Name"
  admit user link %[1]s --email you@example.com   # a link to set the web password
  TOKEN=$(admit token create %[1]s --email you@example.com)
  curl -H "Authorization: Bearer $TOKEN" %[2]s/api/v1/meetings
`, storeArgs, url)
	return nil
}
