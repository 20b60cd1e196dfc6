package edge

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/admit-project/admit"
)

// ParseTrustedProxies parses a list of CIDR prefixes (or single addresses),
// each entry possibly a comma-separated list, as `admit serve
// --trusted-proxy` takes them.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, entry := range list {
		for _, f := range strings.Split(entry, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if p, err := netip.ParsePrefix(f); err == nil {
				out = append(out, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out, nil
}

// isTrusted reports whether a is one of the trusted proxies.
func isTrusted(trusted []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the address a request comes from: the peer's, unless
// the peer is one of the trusted proxies; then X-Forwarded-For is read from the right
// (each proxy appends the address it saw) and the first address that is not
// itself a trusted proxy is the client. Entries left of it were written by
// the client and are never believed. An entry that is not an address ends
// the walk at the peer, so that made-up values cannot spread one client
// over many sources.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(trusted) == 0 {
		return host
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(trusted, peer) {
		return host
	}
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseHop(hops[j])
			if !ok {
				return host
			}
			if !isTrusted(trusted, a) {
				return a.String()
			}
		}
	}
	return host
}

// parseHop parses one X-Forwarded-For entry: an address, perhaps with a port.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// CallerHeader is the header in which a trusted gateway (a phone dial-in
// in front of admit) passes the caller's own identity, such as their
// number.
const CallerHeader = "Admit-Caller"

// MaxCallerLength bounds the caller identity a gateway may pass.
const MaxCallerLength = 128

// GatewayCaller returns the caller identity in the request's Admit-Caller
// header when client (the request's address, as ClientIP found it) is one
// of the trusted gateways, and "" otherwise: from any other address the
// header is ignored, so that a client cannot pick a new source per
// request. A trusted gateway's value must be printable ASCII of at most
// MaxCallerLength characters (EINVALID naming the header otherwise).
func GatewayCaller(r *http.Request, client string, gateways []netip.Prefix) (string, error) {
	if len(gateways) == 0 {
		return "", nil
	}
	a, err := netip.ParseAddr(client)
	if err != nil || !isTrusted(gateways, a) {
		return "", nil
	}
	v := strings.TrimSpace(r.Header.Get(CallerHeader))
	if len(v) > MaxCallerLength {
		return "", admit.FieldErrorf(CallerHeader, "%s may have at most %d characters", CallerHeader, MaxCallerLength)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return "", admit.FieldErrorf(CallerHeader, "%s must be printable ASCII without spaces", CallerHeader)
		}
	}
	return v, nil
}
