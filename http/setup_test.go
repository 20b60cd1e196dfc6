package http_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	admithttp "github.com/admit-project/admit/http"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/mail"
	"github.com/admit-project/admit/translog"
)

// fixture is a real API server: a Service on SQLite in a temporary
// directory, a settable clock, and an owner with an API token.
type fixture struct {
	clock   *clock.TestClock
	service *app.Service
	server  *admithttp.Server
	http    *httptest.Server
	user    *admit.User
	token   string
	// auditLog places entries and signs checkpoints when a test steps it.
	auditLog *translog.Integrator
}

// mustServe starts a fixture. With testClock, POST /api/v1/test-clock is
// served.
func mustServe(tb testing.TB, testClock bool) *fixture {
	tb.Helper()
	ctx := context.Background()
	clock := &clock.TestClock{}
	// The handler tests make many failed joins from the loopback: the
	// per-source limits stay out of their way (they are tested in app,
	// edge/clientip_test.go and e2e).
	svc, db := admittest.Service(tb, admittest.Options{Clock: clock, StoreClock: true, Limiter: admittest.OpenLimiter()})
	ring, err := keys.New(make([]byte, keys.MasterKeySize))
	if err != nil {
		tb.Fatal(err)
	}
	// Mail on, without a sender: changes enqueue their messages.
	svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: ring, FromDomain: "admit.test", UIDDomain: "admit.test"}
	svc.SendMail = true
	svc.DialIn = testDialIn
	u := admittest.Owner(tb, svc, "owner@example.com", "Olive Owner")
	token, err := svc.CreateAPIToken(ctx, u.ID, nil)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{clock: clock, service: svc, user: u, token: token, auditLog: admittest.AuditLog(tb, svc, db)}
	f.server = &admithttp.Server{Service: svc}
	if testClock {
		f.server.Clock = clock
	}
	f.http = httptest.NewServer(f.server.Handler())
	tb.Cleanup(f.http.Close)
	return f
}

// response is a response read whole.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode unmarshals the body into v.
func (r *response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorBody returns the body as an error object.
func (r *response) errorBody(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.decode(tb, &m)
	return m
}

// send makes a request; body is a string or []byte sent as is, or a value
// sent as JSON. header holds name, value pairs; "auth" as the first pair's
// value-less marker is not used: pass "Authorization", "Bearer …" instead.
func (f *fixture) send(tb testing.TB, method, path string, body any, header ...string) *response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, f.http.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := f.http.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// host makes a request with the fixture's API token.
func (f *fixture) host(tb testing.TB, method, path string, body any, header ...string) *response {
	tb.Helper()
	return f.send(tb, method, path, body, append([]string{"Authorization", "Bearer " + f.token}, header...)...)
}

// mustCreateMeeting schedules a meeting starting at start and returns it
// with its secrets.
func (f *fixture) mustCreateMeeting(tb testing.TB, in map[string]any) *admit.MeetingView {
	tb.Helper()
	res := f.host(tb, "POST", "/api/v1/meetings", in)
	if res.Status != http.StatusCreated {
		tb.Fatalf("create meeting: %d %s", res.Status, res.Body)
	}
	var m admit.MeetingView
	res.decode(tb, &m)
	return &m
}

// in returns the RFC 3339 time d from the fixture's now.
func (f *fixture) in(d time.Duration) string {
	return f.clock.Now().Add(d).Truncate(time.Second).Format(time.RFC3339)
}
