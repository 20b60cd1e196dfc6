package http_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/clock"
	admithttp "github.com/admit-project/admit/http"
	"github.com/admit-project/admit/keys"
)

// oracleSamples is the number of timed requests per class.
const oracleSamples = 10000

// welch returns Welch's t statistic of two samples.
func welch(a, b []float64) float64 {
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	variance := func(x []float64, m float64) float64 {
		s := 0.0
		for _, v := range x {
			s += (v - m) * (v - m)
		}
		return s / float64(len(x)-1)
	}
	ma, mb := mean(a), mean(b)
	return (ma - mb) / math.Sqrt(variance(a, ma)/float64(len(a))+variance(b, mb)/float64(len(b)))
}

// refusalClass is one kind of refused join.
type refusalClass struct {
	name string
	body func() map[string]string
}

// refusalFixture is a handler with meetings to refuse joins to in every way.
type refusalFixture struct {
	classes []refusalClass
	send    func(body map[string]string) (*httptest.ResponseRecorder, time.Duration)
}

// TestRefusalsAreIdentical checks that every kind of refusal gets the same
// status, body and headers (but Date).
func TestRefusalsAreIdentical(t *testing.T) {
	f := mustRefusalFixture(t)
	ref, _ := f.send(f.classes[0].body())
	if ref.Code != http.StatusForbidden {
		t.Fatalf("refusal status %d", ref.Code)
	}
	for _, c := range f.classes {
		w, _ := f.send(c.body())
		if w.Code != ref.Code || !bytes.Equal(w.Body.Bytes(), ref.Body.Bytes()) {
			t.Errorf("%s: %d %s; unknown meeting: %d %s", c.name, w.Code, w.Body, ref.Code, ref.Body)
		}
		for k := range ref.Header() {
			if k != "Date" && w.Header().Get(k) != ref.Header().Get(k) {
				t.Errorf("%s: header %s = %q, unknown meeting's %q", c.name, k, w.Header().Get(k), ref.Header().Get(k))
			}
		}
		if len(w.Header()) != len(ref.Header()) {
			t.Errorf("%s: headers %v, unknown meeting's %v", c.name, w.Header(), ref.Header())
		}
	}
}

// TestNoTimingOracle times refusals of every kind at the handler: a Welch
// t-test over oracleSamples requests per class must give |t| < 4.5 against
// the unknown-meeting class.
func TestNoTimingOracle(t *testing.T) {
	// Every refusal does the same work: identifiers are answered from the
	// join cache's in-memory directory, a keyed hash and a credential lookup
	// (of an empty dummy where there is no meeting), and the same write.
	// Measured on 2026-11-22 (max |t| 3.0 without -race, 1.9 with it).
	f := mustRefusalFixture(t)
	classes, send := f.classes, f.send
	// Warm up, then time the classes interleaved in random order, so that
	// drift in the machine's speed falls on all of them alike.
	for i := 0; i < 500; i++ {
		send(classes[i%len(classes)].body())
	}
	samples := make([][]float64, len(classes))
	order := make([]int, len(classes))
	for i := range order {
		order[i] = i
	}
	for n := 0; n < oracleSamples; n++ {
		mrand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, ci := range order {
			w, d := send(classes[ci].body())
			if w.Code != http.StatusForbidden {
				t.Fatalf("%s: status %d %s", classes[ci].name, w.Code, w.Body)
			}
			samples[ci] = append(samples[ci], float64(d.Nanoseconds()))
		}
	}
	for i := 1; i < len(classes); i++ {
		tstat := welch(samples[0], samples[i])
		t.Logf("%-20s vs %s: t = %+.2f", classes[i].name, classes[0].name, tstat)
		if math.Abs(tstat) >= 4.5 {
			t.Errorf("%s is told apart from %s by time: Welch t = %.2f (|t| must stay under 4.5)", classes[i].name, classes[0].name, tstat)
		}
	}
}

// mustRefusalFixture makes a store (in memory when /dev/shm exists, so that
// fsync's noise does not hide a difference) with a live meeting, one whose
// window has closed and a replaced access code.
func mustRefusalFixture(t *testing.T) *refusalFixture {
	ctx := context.Background()
	dir := t.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		// A store in memory keeps fsync's noise from hiding a difference.
		if d, err := os.MkdirTemp("/dev/shm", "admit-oracle"); err == nil {
			dir = d
			t.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	t0 := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	clock := clock.NewFixedClock(t0)
	svc, _ := admittest.Service(t, admittest.Options{Path: filepath.Join(dir, "admit.db"), Clock: clock, StoreClock: true,
		MasterKey: bytes.Repeat([]byte{5}, keys.MasterKeySize), SignerKey: bytes.Repeat([]byte{6}, 32)})
	u := admittest.Owner(t, svc, "host@example.com", "Host")
	host := &admit.Actor{User: u, Source: "test"}
	schedule := func(start time.Time) *admit.MeetingView {
		k := admit.KindScheduled
		v, err := svc.CreateMeeting(ctx, host, &admit.MeetingInput{Kind: &k, Start: &start,
			Invitees: []*admit.InviteeInput{{Name: "Invitee"}}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	expired := schedule(t0.Add(time.Hour))  // its window closes at 10:30
	live := schedule(t0.Add(3 * time.Hour)) // open from 10:45
	revokedCode := live.Occurrences[0].AccessCode
	if _, err := svc.Regenerate(ctx, host, live.ID, "access_code", 1, ""); err != nil {
		t.Fatal(err)
	}
	// Tens of thousands of wrong passcodes are timed: with the default
	// budget they would spend it, and then wrong passcodes wait (as right
	// ones do) instead of being refused.
	budget, ceiling := admit.MaxGuessBudget, admit.MaxGuessCeiling
	if _, err := svc.UpdateAccountSecurity(ctx, host, &admit.AccountSecurityInput{GuessBudget: &budget, GuessCeiling: &ceiling}); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(3 * time.Hour))
	handler := (&admithttp.Server{Service: svc}).Handler()

	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + mrand.IntN(10))
		}
		return string(b)
	}
	classes := []refusalClass{
		{"unknown meeting", func() map[string]string {
			return map[string]string{"meeting_id": "9" + digits(10), "passcode": "Wrong" + digits(5)}
		}},
		{"wrong passcode", func() map[string]string {
			return map[string]string{"meeting_id": live.MeetingID, "passcode": "Wrong" + digits(5)}
		}},
		{"unknown access code", func() map[string]string {
			return map[string]string{"access_code": digits(9), "passcode": live.Passcode}
		}},
		{"expired access code", func() map[string]string {
			return map[string]string{"access_code": expired.Occurrences[0].AccessCode, "passcode": expired.Passcode}
		}},
		{"revoked access code", func() map[string]string {
			return map[string]string{"access_code": revokedCode, "passcode": live.Passcode}
		}},
		{"unknown token", func() map[string]string {
			tok, _ := admit.RandomToken(rand.Reader, 16)
			return map[string]string{"token": tok}
		}},
	}
	send := func(body map[string]string) (*httptest.ResponseRecorder, time.Duration) {
		b, _ := json.Marshal(body)
		req := httptest.NewRequest("POST", "/api/v1/join", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		// Spread over sources, so that per-source limits do not answer.
		req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", mrand.IntN(256), mrand.IntN(256), mrand.IntN(256))
		w := httptest.NewRecorder()
		start := time.Now()
		handler.ServeHTTP(w, req)
		return w, time.Since(start)
	}

	return &refusalFixture{classes: classes, send: send}
}
