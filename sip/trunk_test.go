package sip

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

func TestTrunkMatch(t *testing.T) {
	s, err := newTrunkSet([]admit.Trunk{
		{Name: "a", Sources: []string{"192.0.2.10"}},
		{Name: "b", Sources: []string{"198.51.100.0/24", "2001:db8::/32"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ source, trunk string }{
		{"192.0.2.10:5060", "a"},
		{"192.0.2.11:5060", ""},
		{"198.51.100.200:5061", "b"},
		{"[::ffff:198.51.100.1]:5060", "b"},
		{"[2001:db8::1]:5060", "b"},
		{"203.0.113.1:5060", ""},
		{"garbage", ""},
	}
	for _, tt := range tests {
		got := ""
		if tr := s.match(tt.source); tr != nil {
			got = tr.Name
		}
		if got != tt.trunk {
			t.Errorf("match(%q) = %q, want %q", tt.source, got, tt.trunk)
		}
	}
}

func TestDigestAuth(t *testing.T) {
	trunk := &admit.Trunk{Name: "t", Sources: []string{"127.0.0.1"}, Username: "carrier", Password: "s3cret"}
	a := newDigestAuth()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	invite := func(auth string) *sip.Request {
		req := sip.NewRequest(sip.INVITE, sip.Uri{User: "15550001111", Host: "127.0.0.1"})
		if auth != "" {
			req.AppendHeader(sip.NewHeader("Authorization", auth))
		}
		return req
	}
	res := a.check(invite(""), trunk, now)
	if res == nil || res.StatusCode != sip.StatusUnauthorized {
		t.Fatalf("no credentials: %v, want 401", res)
	}
	chal, err := digest.ParseChallenge(res.GetHeader("WWW-Authenticate").Value())
	if err != nil {
		t.Fatal(err)
	}
	answer := func(user, password string) string {
		cred, err := digest.Digest(chal, digest.Options{Method: "INVITE", URI: "sip:15550001111@127.0.0.1", Username: user, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return cred.String()
	}
	if res := a.check(invite(answer("carrier", "wrong")), trunk, now); res == nil || res.StatusCode != sip.StatusUnauthorized {
		t.Errorf("wrong password: %v, want 401", res)
	}
	if res := a.check(invite(answer("other", "s3cret")), trunk, now); res == nil {
		t.Error("wrong username accepted")
	}
	if res := a.check(invite(answer("carrier", "s3cret")), trunk, now); res != nil {
		t.Errorf("right credentials: %v, want accepted", res)
	}
	if res := a.check(invite(answer("carrier", "s3cret")), trunk, now.Add(nonceLife+time.Second)); res == nil {
		t.Error("an expired nonce was accepted")
	}
}
