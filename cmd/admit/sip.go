package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/sip"
	"github.com/emiago/diago/media"
	sipgosip "github.com/emiago/sipgo/sip"
)

// sipFlags are the phone gateway's flags of `admit serve`.
type sipFlags struct {
	SIP         string   `name:"sip" env:"ADMIT_SIP" placeholder:"ADDR" help:"SIP listen address of the phone gateway, UDP and TCP, such as 0.0.0.0:5060 (off when empty)."`
	SIPTLS      string   `name:"sip-tls" env:"ADMIT_SIP_TLS" placeholder:"ADDR" help:"SIP over TLS listen address, with --sip-cert and --sip-key."`
	SIPCert     string   `name:"sip-cert" env:"ADMIT_SIP_CERT" placeholder:"FILE" help:"Certificate (PEM) of SIP over TLS."`
	SIPKey      string   `name:"sip-key" env:"ADMIT_SIP_KEY" placeholder:"FILE" help:"Private key (PEM) of SIP over TLS."`
	SIPExternal string   `name:"sip-external" env:"ADMIT_SIP_EXTERNAL" placeholder:"HOST" help:"Address put in SIP Contact headers and SDP, when behind NAT."`
	SIPBridge   string   `name:"sip-bridge" env:"ADMIT_SIP_BRIDGE" placeholder:"URI" help:"Conference SIP URI template admitted callers are bridged to, such as sip:{room}@bridge.example.org."`
	SIPJitsi    bool     `name:"sip-jitsi" env:"ADMIT_SIP_JITSI" help:"Add Jigasi's Jitsi-Conference-Room header to bridged calls."`
	SIPTrunk    []string `name:"sip-trunk" env:"ADMIT_SIP_TRUNKS" sep:" " placeholder:"NAME=CIDR[,...][@USER]" help:"A trunk whose calls are answered (repeatable); the password of USER is in $$ADMIT_SIP_TRUNK_<NAME>_PASSWORD."`
	SIPRefer    []string `name:"sip-refer" env:"ADMIT_SIP_REFER" sep:" " placeholder:"NAME" help:"A trunk (by its --sip-trunk name) that takes REFER: admitted callers are transferred to the conference instead of relayed (repeatable)."`
	DialIn      []string `name:"dial-in" env:"ADMIT_DIAL_IN" sep:" " placeholder:"+NUMBER:COUNTRY[:toll-free][@ACCOUNT]" help:"A dial-in number shown in invitations, such as +15551234567:US:toll-free (repeatable); @ACCOUNT (an account ID) makes its callers reach that account's meetings only."`
}

// dialIn reads the --dial-in values.
func (f *sipFlags) dialIn() ([]admit.DialInNumber, error) {
	var ns []admit.DialInNumber
	for _, v := range f.DialIn {
		number, account, scoped := strings.Cut(v, "@")
		parts := strings.Split(number, ":")
		if len(parts) < 2 || len(parts) > 3 || len(parts) == 3 && parts[2] != "toll-free" {
			return nil, admit.FieldErrorf("dial-in", "--dial-in %q is not +NUMBER:COUNTRY[:toll-free][@ACCOUNT]", v)
		}
		n := admit.DialInNumber{Number: parts[0], Country: parts[1], TollFree: len(parts) == 3}
		if scoped {
			id, err := strconv.ParseInt(account, 10, 64)
			if err != nil || id <= 0 {
				return nil, admit.FieldErrorf("dial-in", "--dial-in %q: the account after @ is an account ID, a number such as 1", v)
			}
			n.AccountID = id
		}
		if err := n.Validate(); err != nil {
			return nil, admit.FieldErrorf("dial-in", "--dial-in %s: %s", v, admit.ErrorMessage(err))
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// parseTrunk reads a --sip-trunk value, and its password from getenv.
func parseTrunk(v string, getenv func(string) string) (admit.Trunk, error) {
	name, rest, ok := strings.Cut(v, "=")
	if !ok || name == "" || rest == "" {
		return admit.Trunk{}, admit.FieldErrorf("sip-trunk", "--sip-trunk %q is not NAME=ADDRESS-OR-CIDR[,...][@USERNAME]", v)
	}
	t := admit.Trunk{Name: name}
	sources, user, _ := strings.Cut(rest, "@")
	t.Sources = strings.Split(sources, ",")
	if user != "" {
		env := "ADMIT_SIP_TRUNK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_PASSWORD"
		t.Username, t.Password = user, getenv(env)
		if t.Password == "" {
			return admit.Trunk{}, admit.FieldErrorf("sip-trunk", "--sip-trunk %s has username %s: set its password in $%s", name, user, env)
		}
	}
	if err := t.Validate(); err != nil {
		return admit.Trunk{}, admit.FieldErrorf("sip-trunk", "--sip-trunk %s: %s", name, admit.ErrorMessage(err))
	}
	return t, nil
}

// setRefer marks the trunks named by --sip-refer as taking REFER.
func setRefer(trunks []admit.Trunk, names []string) error {
	for _, name := range names {
		found := false
		for i := range trunks {
			if trunks[i].Name == name {
				trunks[i].Refer, found = true, true
			}
		}
		if !found {
			return admit.FieldErrorf("sip-refer", "--sip-refer %s names no --sip-trunk", name)
		}
	}
	return nil
}

// startSIP starts the phone gateway when --sip is set; it serves until ctx
// is done. It returns nil when the gateway is off.
func (m *Main) startSIP(ctx context.Context, f *sipFlags, svc *app.Service, logger *slog.Logger) (*sip.Gateway, error) {
	if f.SIP == "" {
		return nil, nil
	}
	if len(f.SIPTrunk) == 0 {
		return nil, admit.FieldErrorf("sip-trunk", "--sip needs at least one --sip-trunk: calls are answered from trunks only")
	}
	cfg := sip.Config{Addr: f.SIP, ExternalHost: f.SIPExternal, BridgeURI: f.SIPBridge, Jitsi: f.SIPJitsi, Logger: logger,
		Admitter: &app.PhoneAdmitter{Service: svc}, Now: svc.Now}
	numbers, err := f.dialIn()
	if err != nil {
		return nil, err
	}
	cfg.DialIn = numbers
	for _, v := range f.SIPTrunk {
		t, err := parseTrunk(v, os.Getenv)
		if err != nil {
			return nil, err
		}
		cfg.Trunks = append(cfg.Trunks, t)
	}
	if err := setRefer(cfg.Trunks, f.SIPRefer); err != nil {
		return nil, err
	}
	if f.SIPTLS != "" {
		cert, err := tls.LoadX509KeyPair(f.SIPCert, f.SIPKey)
		if err != nil {
			return nil, admit.FieldErrorf("sip-cert", "--sip-tls needs --sip-cert and --sip-key: %v", err)
		}
		cfg.TLSAddr, cfg.TLS = f.SIPTLS, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
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
	fmt.Fprintf(m.Stdout, "admit: phone gateway on %s (SIP, UDP and TCP)\n", f.SIP)
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
