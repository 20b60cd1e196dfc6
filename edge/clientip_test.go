package edge

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

type clientIPTest struct {
	name string
	peer string
	xff  []string
	want string
}

var clientIPTests = []clientIPTest{
	{name: "untrusted peer, no header", peer: "192.0.2.1:5000", want: "192.0.2.1"},
	{name: "untrusted peer spoofs the header", peer: "192.0.2.1:5000", xff: []string{"198.51.100.7"}, want: "192.0.2.1"},
	{name: "trusted proxy", peer: "10.0.0.2:5000", xff: []string{"198.51.100.7"}, want: "198.51.100.7"},
	{name: "client prepends a made-up hop", peer: "10.0.0.2:5000", xff: []string{"1.2.3.4, 198.51.100.7"}, want: "198.51.100.7"},
	{name: "two trusted proxies", peer: "10.0.0.2:5000", xff: []string{"198.51.100.7, 10.0.0.9"}, want: "198.51.100.7"},
	{name: "hops over two header lines", peer: "10.0.0.2:5000", xff: []string{"1.2.3.4", "198.51.100.7"}, want: "198.51.100.7"},
	{name: "garbage hop", peer: "10.0.0.2:5000", xff: []string{"198.51.100.7, not-an-address"}, want: "10.0.0.2"},
	{name: "hop with a port", peer: "10.0.0.2:5000", xff: []string{"198.51.100.7:4711"}, want: "198.51.100.7"},
	{name: "only trusted hops", peer: "10.0.0.2:5000", xff: []string{"10.0.0.3"}, want: "10.0.0.2"},
	{name: "trusted IPv6 proxy", peer: "[2001:db8::1]:5000", xff: []string{"2001:db8:aaaa::5"}, want: "2001:db8:aaaa::5"},
	{name: "IPv4-mapped peer", peer: "[::ffff:10.0.0.2]:5000", xff: []string{"198.51.100.7"}, want: "198.51.100.7"},
}

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies([]string{"10.0.0.0/24", "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range clientIPTests {
		r := httptest.NewRequest("POST", "/api/v1/join", nil)
		r.RemoteAddr = tt.peer
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := ClientIP(r, trusted); got != tt.want {
			t.Errorf("%s: ClientIP = %q, want %q", tt.name, got, tt.want)
		}
		// Without trusted proxies the header is never believed.
		if got := ClientIP(r, nil); len(tt.xff) > 0 && got != trimPort(tt.peer) {
			t.Errorf("%s, no trusted proxy: ClientIP = %q, want the peer", tt.name, got)
		}
	}
}

// trimPort returns the host of host:port.
func trimPort(hostport string) string {
	host, _, _ := net.SplitHostPort(hostport)
	return host
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies([]string{"10.0.0.0/8, 192.0.2.7", "::1"})
	if err != nil || len(got) != 3 || got[1].Bits() != 32 || got[2].Bits() != 128 {
		t.Errorf("ParseTrustedProxies = %v, %v", got, err)
	}
	if _, err := ParseTrustedProxies([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad prefix is accepted")
	}
}

// TestGatewayCaller: the Admit-Caller header is believed from a trusted
// gateway's address only, and a gateway's malformed value is refused
// naming the header.
func TestGatewayCaller(t *testing.T) {
	gateways, err := ParseTrustedProxies([]string{"192.0.2.50", "2001:db8::/64"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		client, header, want string
		invalid              bool
	}{
		{client: "192.0.2.50", header: "sip:+4930111111@gw", want: "sip:+4930111111@gw"},
		{client: "2001:db8::7", header: " +4930111111 ", want: "+4930111111"},
		{client: "192.0.2.50", header: "", want: ""},
		{client: "192.0.2.51", header: "+4930111111", want: ""},
		{client: "not-an-address", header: "+4930111111", want: ""},
		{client: "192.0.2.50", header: "two words", invalid: true},
		{client: "192.0.2.50", header: strings.Repeat("1", MaxCallerLength+1), invalid: true},
	} {
		r := httptest.NewRequest("POST", "/api/v1/join", nil)
		if tc.header != "" {
			r.Header.Set(CallerHeader, tc.header)
		}
		got, err := GatewayCaller(r, tc.client, gateways)
		if tc.invalid {
			if admit.ErrorCode(err) != admit.EINVALID || admit.ErrorField(err) != CallerHeader {
				t.Errorf("%s from %s: %v; want EINVALID naming %s", tc.header, tc.client, err, CallerHeader)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q from %s: %q, %v; want %q", tc.header, tc.client, got, err, tc.want)
		}
	}
	r := httptest.NewRequest("POST", "/api/v1/join", nil)
	r.Header.Set(CallerHeader, "+4930111111")
	if got, _ := GatewayCaller(r, "192.0.2.50", nil); got != "" {
		t.Errorf("no gateways configured: %q; want the header ignored", got)
	}
}
