package e2e_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Part 3 of the hardening issue: per-source limits that stop a war-dialler
// without locking out an office, a campus or a phone gateway.

// joinWaiting posts a join from source, honouring each 429's Retry-After by
// moving the test clock on (as a client that waits would), and returns the
// final answer and the total time waited.
func (s *server) joinWaiting(t *testing.T, source string, body map[string]any, hdr ...string) (*response, time.Duration) {
	t.Helper()
	var waited time.Duration
	for range 50 {
		r := s.do("POST", "/api/v1/join", "", body, append([]string{"X-Forwarded-For", source}, hdr...)...)
		if r.status != 429 {
			return r, waited
		}
		secs, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || secs < 1 {
			t.Fatalf("429 without a usable Retry-After: %q %s", r.header.Get("Retry-After"), r.raw)
		}
		waited += time.Duration(secs) * time.Second
		s.advance(time.Duration(secs) * time.Second)
	}
	t.Fatalf("still limited after 50 waits (%v)", waited)
	return nil, waited
}

// TestOffice300BehindOneAddress: 300 people behind one address join one
// meeting within two minutes, one in ten mistyping the passcode once. Every
// one of them is admitted and none waits more than 10 s in total.
func TestOffice300BehindOneAddress(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), nil))
	const office = "198.51.100.7"
	admitted, worst := 0, time.Duration(0)
	for i := range 300 {
		s.advance(400 * time.Millisecond) // 300 people in 120 s
		var waited time.Duration
		if i%10 == 3 {
			r, w := s.joinWaiting(t, office, map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode + "x", "name": "Typo " + strconv.Itoa(i)})
			wantRefused(t, r, "a mistyped passcode")
			waited += w
		}
		r, w := s.joinWaiting(t, office, map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Person " + strconv.Itoa(i)})
		waited += w
		if r.status == 200 && r.str("status") == "admitted" {
			admitted++
		} else {
			t.Errorf("person %d: %d %s; want admitted", i, r.status, r.raw)
		}
		worst = max(worst, waited)
		if waited > 10*time.Second {
			t.Errorf("person %d waited %v in total; want at most 10 s", i, waited)
		}
		if t.Failed() && i > 60 {
			break
		}
	}
	t.Logf("%d of 300 admitted; the longest total wait %v", admitted, worst)
}

// TestOneAddressManyIdentifiers: one address trying 1,000 different meeting
// IDs, waiting whenever it is told to (up to a minute each time), gets at
// most 20 of them evaluated; so does one trying access codes.
func TestOneAddressManyIdentifiers(t *testing.T) {
	s := startServer(t, "")
	s.host("ada@example.com", "Ada")
	s.setClock(monday)
	for _, kind := range []string{"meeting_id", "access_code"} {
		source := nextSource()
		evaluated, stopped := 0, false
		for i := range 1000 {
			body := map[string]any{"meeting_id": fmt.Sprintf("9%010d", 1000+i*7919), "passcode": "Guess12345"}
			if kind == "access_code" {
				body = map[string]any{"access_code": fmt.Sprintf("%09d", 100000000+i*7919), "passcode": "Guess12345"}
			}
			r := s.joinFrom(source, body)
			for r.status == 429 {
				secs, _ := strconv.Atoi(r.header.Get("Retry-After"))
				if secs > 60 {
					stopped = true
					break
				}
				s.advance(time.Duration(secs) * time.Second)
				r = s.joinFrom(source, body)
			}
			if stopped {
				break
			}
			evaluated++
		}
		if !stopped || evaluated > 20 {
			t.Errorf("one address trying %ss: %d evaluated before it was stopped (stopped %v); want at most 20", kind, evaluated, stopped)
		}
	}
}

// TestManyAddressesHeldByBudget: 150 addresses, one wrong passcode each, on
// one meeting: none gets in, and the meeting's budget of 100 holds them.
func TestManyAddressesHeldByBudget(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), nil))
	for i := range 150 {
		r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": "Guess" + strconv.Itoa(100000+i)})
		if r.str("status") == "admitted" {
			t.Fatalf("guess %d was admitted: %s", i, r.raw)
		}
	}
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if b, _ := roster.body["budget"].(map[string]any); b["spent"] != true {
		t.Errorf("budget after 150 wrong guesses from 150 addresses: %v; want spent", b)
	}
}

// TestGatewayCallerIdentity: a trusted gateway (every phone caller comes
// from its one address) passes each caller's own identity as the source: a
// caller who war-dials is stopped, the next caller through the same gateway
// is not held back. The gateway is trusted by its address
// (--trusted-gateway); the header from any other address is ignored.
func TestGatewayCallerIdentity(t *testing.T) {
	s := startServer(t, "", "--trusted-gateway", "192.0.2.50")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), nil))
	const gateway = "192.0.2.50"
	dialler := []string{"Admit-Caller", "sip:+4930111111@gateway"}
	stopped := false
	for i := range 40 {
		r := s.do("POST", "/api/v1/join", "", map[string]any{"meeting_id": fmt.Sprintf("9%010d", 5000+i*7919), "passcode": "12345678", "channel": "phone"},
			append([]string{"X-Forwarded-For", gateway}, dialler...)...)
		if r.status == 429 {
			stopped = true
			break
		}
	}
	if !stopped {
		t.Errorf("a caller trying 40 meeting IDs through the gateway was never stopped")
	}
	r, waited := s.joinWaiting(t, gateway, map[string]any{"meeting_id": m.MeetingID, "passcode": m.PhonePass, "channel": "phone"},
		"Admit-Caller", "sip:+4930222222@gateway")
	if r.str("status") != "admitted" || waited > 0 {
		t.Errorf("the next caller through the gateway: %d %s after waiting %v; want admitted at once", r.status, r.raw, waited)
	}
	// The caller identity from an address that is not trusted is ignored:
	// a stranger cannot pick a fresh source per request.
	for i := range 30 {
		r := s.do("POST", "/api/v1/join", "", map[string]any{"meeting_id": fmt.Sprintf("8%010d", 5000+i*7919), "passcode": "12345678"},
			"Admit-Caller", "caller-"+strconv.Itoa(i))
		if r.status == 429 {
			return
		}
	}
	t.Errorf("an untrusted peer choosing a new Admit-Caller per request was never limited")
}

// TestJoinRefusesCrossSiteBrowsers: a hostile page cannot make its
// visitors' browsers spend a meeting's budget or a source's limit: the API
// refuses cross-site browser requests to POST /api/v1/join, and answers
// non-browser clients and same-origin pages as before.
func TestJoinRefusesCrossSiteBrowsers(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	s.do("PUT", "/api/v1/account/security", tok, map[string]any{"guess_budget": 5}).must(t, 200)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), nil))
	wrong := map[string]any{"meeting_id": m.MeetingID, "passcode": "WrongPass1"}
	for i, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"},
		{"Sec-Fetch-Site", "same-site", "Origin", "https://sub.evil.example"},
		{"Origin", "https://evil.example"}, // an older browser: no Sec-Fetch-Site
	} {
		for range 3 {
			r := s.do("POST", "/api/v1/join", "", wrong, append([]string{"X-Forwarded-For", nextSource()}, hdr...)...)
			if r.status != 403 || r.str("error") == "invalid_credentials" {
				t.Errorf("cross-site join %d (%v): %d %s; want 403 refusing the cross-site request, not a judged attempt", i, hdr, r.status, r.raw)
			}
		}
	}
	roster := s.do("GET", "/api/v1/meetings/"+m.ID+"/participants", tok, nil).must(t, 200)
	if b, _ := roster.body["budget"].(map[string]any); b["failures"] != float64(0) {
		t.Errorf("cross-site requests counted against the budget: %v", b)
	}
	right := map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode}
	wantAdmitted(t, s.join(right), "a client without browser headers")
	host := strings.TrimPrefix(s.url, "http://")
	wantAdmitted(t, s.do("POST", "/api/v1/join", "", right, "X-Forwarded-For", nextSource(), "Sec-Fetch-Site", "same-origin", "Origin", "http://"+host), "a same-origin page")
	wantAdmitted(t, s.do("POST", "/api/v1/join", "", right, "X-Forwarded-For", nextSource(), "Sec-Fetch-Site", "none"), "a typed-in request")
}
