package sip

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/netip"
	"sync"
	"time"

	"github.com/admit-project/admit"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// trunkSet matches requests to the configured trunks.
type trunkSet struct {
	trunks []admit.Trunk
	nets   [][]netip.Prefix
}

func newTrunkSet(trunks []admit.Trunk) (*trunkSet, error) {
	s := &trunkSet{trunks: trunks}
	for i := range trunks {
		if err := trunks[i].Validate(); err != nil {
			return nil, err
		}
		var ps []netip.Prefix
		for _, src := range trunks[i].Sources {
			p, _ := admit.ParseTrunkSource(src)
			ps = append(ps, p)
		}
		s.nets = append(s.nets, ps)
	}
	return s, nil
}

// match returns the trunk that source ("ip:port" or "ip") belongs to, or nil.
func (s *trunkSet) match(source string) *admit.Trunk {
	var addr netip.Addr
	if ap, err := netip.ParseAddrPort(source); err == nil {
		addr = ap.Addr()
	} else if a, err := netip.ParseAddr(source); err == nil {
		addr = a
	} else {
		return nil
	}
	addr = addr.Unmap()
	for i, ps := range s.nets {
		for _, p := range ps {
			if p.Contains(addr) {
				return &s.trunks[i]
			}
		}
	}
	return nil
}

// digestRealm is the realm of the gateway's digest challenges.
const digestRealm = "admit"

// nonceLife is how long a digest challenge's nonce may be answered.
const nonceLife = 30 * time.Second

// digestAuth checks the digest authentication of trunks' INVITEs (RFC 8760's
// MD5 digest, as trunks send it), comparing responses in constant time.
type digestAuth struct {
	mu     sync.Mutex
	nonces map[string]time.Time
}

func newDigestAuth() *digestAuth { return &digestAuth{nonces: map[string]time.Time{}} }

// check returns nil when req carries a valid answer to one of our challenges
// for the trunk's credentials, else the response to send: 401 with a new
// challenge.
func (a *digestAuth) check(req *sip.Request, t *admit.Trunk, now time.Time) *sip.Response {
	if h := req.GetHeader("Authorization"); h != nil {
		if cred, err := digest.ParseCredentials(h.Value()); err == nil && a.valid(req, t, cred, now) {
			return nil
		}
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil)
	}
	nonce := hex.EncodeToString(b[:])
	a.mu.Lock()
	for n, exp := range a.nonces {
		if now.After(exp) {
			delete(a.nonces, n)
		}
	}
	a.nonces[nonce] = now.Add(nonceLife)
	a.mu.Unlock()
	chal := digest.Challenge{Realm: digestRealm, Nonce: nonce, Algorithm: "MD5"}
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", chal.String()))
	return res
}

func (a *digestAuth) valid(req *sip.Request, t *admit.Trunk, cred *digest.Credentials, now time.Time) bool {
	a.mu.Lock()
	exp, ok := a.nonces[cred.Nonce]
	a.mu.Unlock()
	if !ok || now.After(exp) {
		return false
	}
	want, err := digest.Digest(&digest.Challenge{Realm: digestRealm, Nonce: cred.Nonce, Algorithm: "MD5"}, digest.Options{
		Method: req.Method.String(), URI: cred.URI, Username: t.Username, Password: t.Password,
	})
	if err != nil {
		return false
	}
	userOK := subtle.ConstantTimeCompare([]byte(cred.Username), []byte(t.Username))
	respOK := subtle.ConstantTimeCompare([]byte(cred.Response), []byte(want.Response))
	return userOK&respOK == 1
}
