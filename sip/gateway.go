package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/admit-project/admit"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Config configures a Gateway.
type Config struct {
	// Addr is the host:port the gateway listens on, with UDP and TCP.
	Addr string
	// TLSAddr is the host:port of SIP over TLS, served when TLS is set.
	TLSAddr string
	TLS     *tls.Config
	// ExternalHost is the address put in Contact headers and SDP, when it
	// is not the host of Addr (behind NAT).
	ExternalHost string
	// Trunks are the only sources whose calls are answered; others get 403.
	Trunks []admit.Trunk
	// Admitter decides callers' joins.
	Admitter admit.PhoneAdmitter
	// DialIn are the deployment's dial-in numbers. When one of them
	// belongs to an account, the called number (the Request-URI's user)
	// selects the account whose meetings a call reaches, and a call to a
	// number not listed is answered 404; when none does, every call
	// reaches every account's meetings.
	DialIn []admit.DialInNumber
	// BridgeURI is the conference SIP URI template an admitted caller is
	// bridged to, "{room}" standing for the room: "sip:{room}@bridge.example.org".
	BridgeURI string
	// Jitsi adds Jigasi's Jitsi-Conference-Room header to the bridge INVITE.
	Jitsi bool
	// Room names the media room of an admitted caller; by default the
	// meeting ID.
	Room func(*admit.JoinResult) string
	// Logger logs calls (never a digit the caller pressed, nor a token).
	Logger *slog.Logger
	// Now is the clock; time.Now by default.
	Now func() time.Time

	// Timing of the menu; zero values mean FirstDigitTimeout,
	// InterDigitTimeout, WaitRepeat and DecisionTime.
	FirstDigit, InterDigit, WaitRepeat, Decision time.Duration
}

// DecisionTime is the least time between the end of a caller's passcode and
// the prompt that answers it, whatever the decision took: a refusal sounds
// the same after an unknown meeting ID as after a wrong passcode.
const DecisionTime = 700 * time.Millisecond

// Gateway is admit's SIP phone gateway.
type Gateway struct {
	cfg    Config
	log    *slog.Logger
	trunks *trunkSet
	auth   *digestAuth
	ua     *sipgo.UserAgent
	dg     *diago.Diago

	mu      sync.Mutex
	calls   map[string]*call // by Call-ID
	wg      sync.WaitGroup   // calls in progress; added to under mu
	waiting bool             // Wait was called: no new call is served
}

// New returns a gateway for cfg. It returns an error naming what is wrong
// with the configuration.
func New(cfg Config) (*Gateway, error) {
	if cfg.Admitter == nil {
		return nil, errors.New("sip: no admitter")
	}
	if cfg.BridgeURI != "" && !strings.Contains(cfg.BridgeURI, "{room}") {
		return nil, fmt.Errorf("sip: bridge URI %q has no {room}", cfg.BridgeURI)
	}
	if cfg.BridgeURI != "" {
		var u sip.Uri
		if err := sip.ParseUri(strings.ReplaceAll(cfg.BridgeURI, "{room}", "room"), &u); err != nil {
			return nil, fmt.Errorf("sip: bridge URI %q: %v", cfg.BridgeURI, err)
		}
	}
	trunks, err := newTrunkSet(cfg.Trunks)
	if err != nil {
		return nil, fmt.Errorf("sip: trunk: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Room == nil {
		cfg.Room = func(r *admit.JoinResult) string { return r.Meeting.MeetingID }
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.FirstDigit, FirstDigitTimeout)
	def(&cfg.InterDigit, InterDigitTimeout)
	def(&cfg.WaitRepeat, WaitRepeat)
	def(&cfg.Decision, DecisionTime)

	host, port, err := splitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("sip: address %q: %v", cfg.Addr, err)
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("admit"))
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, log: cfg.Logger, trunks: trunks, auth: newDigestAuth(), ua: ua, calls: map[string]*call{}}
	opts := []diago.DiagoOption{
		diago.WithLogger(cfg.Logger),
		diago.WithServerRequestMiddleware(g.middleware),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{media.CodecAudioUlaw, media.CodecAudioAlaw, media.CodecTelephoneEvent8000}}),
	}
	for _, network := range []string{"udp", "tcp"} {
		opts = append(opts, diago.WithTransport(diago.Transport{Transport: network, BindHost: host, BindPort: port, ExternalHost: cfg.ExternalHost}))
	}
	if cfg.TLS != nil {
		th, tp, err := splitHostPort(cfg.TLSAddr)
		if err != nil {
			return nil, fmt.Errorf("sip: TLS address %q: %v", cfg.TLSAddr, err)
		}
		opts = append(opts, diago.WithTransport(diago.Transport{Transport: "tls", BindHost: th, BindPort: tp, ExternalHost: cfg.ExternalHost, TLSConf: cfg.TLS}))
	}
	g.dg = diago.NewDiago(ua, opts...)
	return g, nil
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return host, port, nil
}

// Start listens and serves calls in the background until ctx is done. It
// returns once every transport listens, or the error of one that cannot.
func (g *Gateway) Start(ctx context.Context) error {
	return g.dg.ServeBackground(ctx, g.serveCall)
}

// Wait waits for the calls in progress to end (they end when the context
// given to Start is done).
// A call that arrives meanwhile is answered 503.
func (g *Gateway) Wait() {
	g.mu.Lock()
	g.waiting = true
	g.mu.Unlock()
	g.wg.Wait()
}

// Calls is the number of calls in progress.
func (g *Gateway) Calls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}

// middleware refuses out-of-dialog requests from sources that are not
// trunks (403), and takes SIP INFO key presses before diago (which would
// refuse them).
func (g *Gateway) middleware(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if req.To() != nil && req.To().Params != nil {
			if tag, _ := req.To().Params.Get("tag"); tag != "" {
				if req.Method == sip.INFO {
					g.handleInfo(req, tx)
					return
				}
				next(req, tx)
				return
			}
		}
		if req.Method == sip.ACK {
			next(req, tx)
			return
		}
		if g.trunks.match(req.Source()) == nil {
			g.log.Debug("sip: refused a request from a source that is no trunk", "method", req.Method.String(), "source", req.Source())
			respond(tx, req, sip.StatusForbidden, "Forbidden")
			return
		}
		next(req, tx)
	}
}

func respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}

// handleInfo takes a key pressed as SIP INFO.
func (g *Gateway) handleInfo(req *sip.Request, tx sip.ServerTransaction) {
	g.mu.Lock()
	c := g.calls[req.CallID().Value()]
	g.mu.Unlock()
	if c == nil || !c.inDialog(req) {
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	key := InfoKey(ct, req.Body())
	if key == 0 {
		respond(tx, req, sip.StatusUnsupportedMediaType, "Unsupported Media Type")
		return
	}
	respond(tx, req, sip.StatusOK, "OK")
	c.key(key)
}

// serveCall answers a call from a trunk and runs its menu.
func (g *Gateway) serveCall(d *diago.DialogServerSession) {
	// The WaitGroup is added to under mu, so that no Add races with Wait.
	g.mu.Lock()
	if g.waiting {
		g.mu.Unlock()
		_ = d.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	g.wg.Add(1)
	g.mu.Unlock()
	defer g.wg.Done()
	req := d.InviteRequest
	t := g.trunks.match(req.Source())
	if t == nil {
		_ = d.Respond(sip.StatusForbidden, "Forbidden", nil)
		return
	}
	if t.Username != "" {
		if res := g.auth.check(req, t, g.cfg.Now()); res != nil {
			_ = d.WriteResponse(res)
			return
		}
	}
	account, ok := g.calledAccount(req)
	if !ok {
		_ = d.Respond(sip.StatusNotFound, "Not Found", nil)
		return
	}
	c := newCall(g, d, callerNumber(req))
	c.account, c.refer = account, t.Refer
	id := req.CallID().Value()
	g.mu.Lock()
	g.calls[id] = c
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.calls, id)
		g.mu.Unlock()
	}()
	if err := c.run(); err != nil {
		g.log.Warn("sip: call failed", "call", id, "error", err)
	}
}

// calledAccount returns the account whose meetings a call reaches, by the
// called number (the Request-URI's user, else the To header's): 0 for any
// account when no dial-in number names one; false when numbers name
// accounts and the called number is none of them.
func (g *Gateway) calledAccount(req *sip.Request) (int64, bool) {
	scoped := false
	for _, n := range g.cfg.DialIn {
		if n.AccountID != 0 {
			scoped = true
		}
	}
	if !scoped {
		return 0, true
	}
	called := req.Recipient.User
	if called == "" && req.To() != nil {
		called = req.To().Address.User
	}
	for _, n := range g.cfg.DialIn {
		if admit.CalledNumberMatches(n, called) {
			return n.AccountID, true
		}
	}
	return 0, false
}

// callerNumber is the caller's number as the trunk passes it: the user of
// P-Asserted-Identity, else of From.
func callerNumber(req *sip.Request) string {
	if h := req.GetHeader("P-Asserted-Identity"); h != nil {
		var u sip.Uri
		v := strings.TrimSpace(h.Value())
		if i := strings.IndexByte(v, '<'); i >= 0 {
			v = strings.TrimSuffix(v[i+1:], ">")
			if j := strings.IndexByte(v, '>'); j >= 0 {
				v = v[:j]
			}
		}
		if err := sip.ParseUri(v, &u); err == nil && u.User != "" {
			return u.User
		}
	}
	if f := req.From(); f != nil {
		return f.Address.User
	}
	return ""
}
