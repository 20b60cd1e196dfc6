package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/sip"
	"github.com/emiago/diago/media"
	sipgosip "github.com/emiago/sipgo/sip"
)

// sipFlags are the phone gateway's flags of `admit serve`.
type sipFlags struct {
	addr, tlsAddr, cert, key string
	external                 string
	bridge                   string
	jitsi                    bool
	trunks                   stringList
	numbers                  stringList
}

func (m *Main) addSIPFlags(fs *flag.FlagSet, f *sipFlags) {
	fs.StringVar(&f.addr, "sip", m.Getenv("ADMIT_SIP"), "SIP listen address of the phone gateway, UDP and TCP, such as 0.0.0.0:5060 (off when empty; $ADMIT_SIP)")
	fs.StringVar(&f.tlsAddr, "sip-tls", m.Getenv("ADMIT_SIP_TLS"), "SIP over TLS listen address, with --sip-cert and --sip-key ($ADMIT_SIP_TLS)")
	fs.StringVar(&f.cert, "sip-cert", m.Getenv("ADMIT_SIP_CERT"), "certificate (PEM) of SIP over TLS ($ADMIT_SIP_CERT)")
	fs.StringVar(&f.key, "sip-key", m.Getenv("ADMIT_SIP_KEY"), "private key (PEM) of SIP over TLS ($ADMIT_SIP_KEY)")
	fs.StringVar(&f.external, "sip-external", m.Getenv("ADMIT_SIP_EXTERNAL"), "address put in SIP Contact headers and SDP, when behind NAT ($ADMIT_SIP_EXTERNAL)")
	fs.StringVar(&f.bridge, "sip-bridge", m.Getenv("ADMIT_SIP_BRIDGE"), "conference SIP URI template admitted callers are bridged to, such as sip:{room}@bridge.example.org ($ADMIT_SIP_BRIDGE)")
	fs.BoolVar(&f.jitsi, "sip-jitsi", m.Getenv("ADMIT_SIP_JITSI") == "true", "add Jigasi's Jitsi-Conference-Room header to bridged calls ($ADMIT_SIP_JITSI=true)")
	if v := m.Getenv("ADMIT_SIP_TRUNKS"); v != "" {
		f.trunks = append(f.trunks, strings.Split(v, " ")...)
	}
	if v := m.Getenv("ADMIT_DIAL_IN"); v != "" {
		f.numbers = append(f.numbers, strings.Split(v, " ")...)
	}
	fs.Var(&f.numbers, "dial-in", "a dial-in number shown in invitations: +NUMBER:COUNTRY[:toll-free], such as +15551234567:US:toll-free (repeatable; $ADMIT_DIAL_IN, space-separated)")
	fs.Var(&f.trunks, "sip-trunk", "a trunk whose calls are answered: NAME=ADDRESS-OR-CIDR[,...][@USERNAME]; the password of USERNAME is in $ADMIT_SIP_TRUNK_<NAME>_PASSWORD (repeatable; $ADMIT_SIP_TRUNKS, space-separated)")
}

// dialIn reads the --dial-in values.
func (f *sipFlags) dialIn() ([]admit.DialInNumber, error) {
	var ns []admit.DialInNumber
	for _, v := range f.numbers {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || len(parts) > 3 || len(parts) == 3 && parts[2] != "toll-free" {
			return nil, admit.FieldErrorf("dial-in", "--dial-in %q is not +NUMBER:COUNTRY[:toll-free]", v)
		}
		n := admit.DialInNumber{Number: parts[0], Country: parts[1], TollFree: len(parts) == 3}
		if err := n.Validate(); err != nil {
			return nil, admit.FieldErrorf("dial-in", "--dial-in %s: %s", v, admit.ErrorMessage(err))
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// parseTrunk reads a --sip-trunk value.
func (m *Main) parseTrunk(v string) (admit.Trunk, error) {
	name, rest, ok := strings.Cut(v, "=")
	if !ok || name == "" || rest == "" {
		return admit.Trunk{}, admit.FieldErrorf("sip-trunk", "--sip-trunk %q is not NAME=ADDRESS-OR-CIDR[,...][@USERNAME]", v)
	}
	t := admit.Trunk{Name: name}
	sources, user, _ := strings.Cut(rest, "@")
	t.Sources = strings.Split(sources, ",")
	if user != "" {
		env := "ADMIT_SIP_TRUNK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_PASSWORD"
		t.Username, t.Password = user, m.Getenv(env)
		if t.Password == "" {
			return admit.Trunk{}, admit.FieldErrorf("sip-trunk", "--sip-trunk %s has username %s: set its password in $%s", name, user, env)
		}
	}
	if err := t.Validate(); err != nil {
		return admit.Trunk{}, admit.FieldErrorf("sip-trunk", "--sip-trunk %s: %s", name, admit.ErrorMessage(err))
	}
	return t, nil
}

// startSIP starts the phone gateway when --sip is set; it serves until ctx
// is done. It returns nil when the gateway is off.
func (m *Main) startSIP(ctx context.Context, f *sipFlags, svc *app.Service, logger *slog.Logger) (*sip.Gateway, error) {
	if f.addr == "" {
		return nil, nil
	}
	if len(f.trunks) == 0 {
		return nil, admit.FieldErrorf("sip-trunk", "--sip needs at least one --sip-trunk: calls are answered from trunks only")
	}
	cfg := sip.Config{Addr: f.addr, ExternalHost: f.external, BridgeURI: f.bridge, Jitsi: f.jitsi, Logger: logger,
		Admitter: &app.PhoneAdmitter{Service: svc}, Now: svc.Now}
	for _, v := range f.trunks {
		t, err := m.parseTrunk(v)
		if err != nil {
			return nil, err
		}
		cfg.Trunks = append(cfg.Trunks, t)
	}
	if f.tlsAddr != "" {
		cert, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return nil, admit.FieldErrorf("sip-cert", "--sip-tls needs --sip-cert and --sip-key: %v", err)
		}
		cfg.TLSAddr, cfg.TLS = f.tlsAddr, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	// diago's media and sipgo log through package loggers; keep them to warnings.
	quiet := slog.New(&levelHandler{min: slog.LevelError, h: logger.Handler()})
	media.SetDefaultLogger(quiet)
	sipgosip.SetDefaultLogger(quiet)
	gw, err := sip.New(cfg)
	if err != nil {
		return nil, admit.FieldErrorf("sip", "%v", err)
	}
	if err := gw.Start(ctx); err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	fmt.Fprintf(m.Stdout, "admit: phone gateway on %s (SIP, UDP and TCP)\n", f.addr)
	return gw, nil
}

// levelHandler drops records below min.
type levelHandler struct {
	min slog.Level
	h   slog.Handler
}

func (l *levelHandler) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.h.Enabled(ctx, lv)
}
func (l *levelHandler) Handle(ctx context.Context, r slog.Record) error { return l.h.Handle(ctx, r) }
func (l *levelHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return &levelHandler{min: l.min, h: l.h.WithAttrs(a)}
}
func (l *levelHandler) WithGroup(n string) slog.Handler {
	return &levelHandler{min: l.min, h: l.h.WithGroup(n)}
}
