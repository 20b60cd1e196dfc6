package web_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/web"
)

// joinFixture is the web app on a real Service on SQLite, with a settable
// clock, a host to schedule meetings, and a client that does not follow
// redirects.
type joinFixture struct {
	clock   *clock.TestClock
	service *app.Service
	app     *web.App
	host    *admit.Actor
	http    *httptest.Server
	client  *http.Client
	logs    *syncBuffer
}

// syncBuffer collects the app's log for the no-secrets checks.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// t0 is the fixture clock's start: Monday 4 January 2027, 08:00 UTC.
var t0 = time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)

// mustJoinFixture starts the app. Each request comes from the address in
// its X-Test-Source header (192.0.2.1 without one); limiter, when not nil,
// replaces the per-source limits, which otherwise stay out of the way.
func mustJoinFixture(tb testing.TB, limiter admit.SourceLimiter) *joinFixture {
	tb.Helper()
	clock := &clock.TestClock{}
	clock.Set(t0)
	if limiter == nil {
		limiter = admittest.OpenLimiter()
	}
	svc, _ := admittest.Service(tb, admittest.Options{Clock: clock, StoreClock: true, Limiter: limiter})
	u := admittest.Owner(tb, svc, "owner@example.com", "Olive Owner")
	logs := &syncBuffer{}
	app := &web.App{Service: svc, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ClientIP: func(r *http.Request) string {
			if s := r.Header.Get("X-Test-Source"); s != "" {
				return s
			}
			return "192.0.2.1"
		}}
	f := &joinFixture{clock: clock, service: svc, host: &admit.Actor{User: u, Source: "test"}, logs: logs}
	f.app = app
	f.http = httptest.NewServer(app.Handler())
	tb.Cleanup(f.http.Close)
	f.client = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

// page is a response read whole.
type page struct {
	status int
	header http.Header
	body   string
}

// get fetches path; hdr holds header name, value pairs.
func (f *joinFixture) get(tb testing.TB, path string, hdr ...string) *page {
	tb.Helper()
	return f.do(tb, "GET", path, nil, hdr...)
}

// post submits form to path as a browser form.
func (f *joinFixture) post(tb testing.TB, path string, form url.Values, hdr ...string) *page {
	tb.Helper()
	return f.do(tb, "POST", path, form, hdr...)
}

func (f *joinFixture) do(tb testing.TB, method, path string, form url.Values, hdr ...string) *page {
	tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.http.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := f.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &page{status: res.StatusCode, header: res.Header, body: string(b)}
}

// want fails unless the page has the status and holds every string.
func (p *page) want(tb testing.TB, status int, has ...string) *page {
	tb.Helper()
	if p.status != status {
		tb.Fatalf("status %d, want %d; body:\n%s", p.status, status, p.body)
	}
	for _, s := range has {
		if !strings.Contains(p.body, s) {
			tb.Errorf("page lacks %q; body:\n%s", s, p.body)
		}
	}
	return p
}

// location returns the page's redirect target, which must be a 303.
func (p *page) location(tb testing.TB) string {
	tb.Helper()
	if p.status != http.StatusSeeOther {
		tb.Fatalf("status %d, want 303; body:\n%s", p.status, p.body)
	}
	return p.header.Get("Location")
}

// mustMeeting schedules a meeting starting at start with the security
// settings and invitees given.
func (f *joinFixture) mustMeeting(tb testing.TB, start time.Time, sec *admit.SecurityInput, invitees ...string) *admit.MeetingView {
	tb.Helper()
	topic := "Design review"
	in := &admit.MeetingInput{Topic: &topic, Start: &start, Security: sec}
	for _, n := range invitees {
		in.Invitees = append(in.Invitees, &admit.InviteeInput{Name: n})
	}
	m, err := f.service.CreateMeeting(context.Background(), f.host, in)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// mustJoinMeeting joins m with its passcode as name and returns the
// participant ID.
func (f *joinFixture) mustJoinMeeting(tb testing.TB, m *admit.MeetingView, name string) string {
	tb.Helper()
	loc := f.post(tb, "/j/"+m.MeetingID, url.Values{"passcode": {m.Passcode}, "name": {name}}).location(tb)
	pid, ok := strings.CutPrefix(loc, "/p/")
	if !ok {
		tb.Fatalf("join went to %q, want /p/{pid}", loc)
	}
	return pid
}

func TestJoinByMeetingID(t *testing.T) {
	f := mustJoinFixture(t, nil)
	m := f.mustMeeting(t, t0.Add(5*time.Minute), nil)
	f.get(t, "/j").want(t, 200, `id="join-form"`, `name="meeting_id"`, `href="/code"`)

	grouped := m.MeetingID[:3] + " " + m.MeetingID[3:7] + "-" + m.MeetingID[7:]
	if loc := f.get(t, "/j?meeting_id="+url.QueryEscape(grouped)).location(t); loc != "/j/"+m.MeetingID {
		t.Errorf("grouped meeting ID went to %q, want /j/%s", loc, m.MeetingID)
	}
	f.get(t, "/j/"+m.MeetingID).want(t, 200, `id="passcode-form"`, `name="passcode"`, `name="name"`, m.MeetingIDDisplay)

	pid := f.mustJoinMeeting(t, m, "Alan Turing")
	// The joined page follows the participant's state too (the host may
	// remove them), but only a waiting page refreshes without JavaScript.
	p := f.get(t, "/p/"+pid).want(t, 200, `id="status"`, "You are in the meeting", "Design review", "Alan Turing", `id="leave"`,
		`data-events="/p/`+pid+`/events"`, `<script src="/static/join.js" defer></script>`)
	if strings.Contains(p.body, "refresh") {
		t.Errorf("the joined page refreshes itself; only the waiting page should:\n%s", p.body)
	}
	if loc := f.post(t, "/p/"+pid+"/leave", url.Values{}).location(t); loc != "/p/"+pid {
		t.Errorf("leave went to %q", loc)
	}
	f.get(t, "/p/"+pid).want(t, 200, "You left the meeting")
	// Leaving twice is no error: the page says where they stand.
	f.post(t, "/p/"+pid+"/leave", url.Values{}).location(t)

	if strings.Contains(f.logs.String(), pid) {
		t.Errorf("the participant ID is in the log:\n%s", f.logs.String())
	}
}

// TestMalformedMeetingID names the field, ties the message to the input,
// and keeps what was typed.
func TestMalformedMeetingID(t *testing.T) {
	f := mustJoinFixture(t, nil)
	for _, tc := range []struct{ path, msg string }{
		{"/j?meeting_id=12345", "Meeting ID has 10 or 11 digits, not 5."},
		{"/j?meeting_id=" + url.QueryEscape("123 abc"), "Meeting ID may hold only digits, spaces, dashes and dots."},
		{"/j?meeting_id=", "Meeting ID is required."},
		{"/j/12345", "Meeting ID has 10 or 11 digits, not 5."},
	} {
		f.get(t, tc.path).want(t, 400, tc.msg, `id="meeting_id-error"`, `aria-describedby="meeting_id-hint meeting_id-error"`, `aria-invalid="true"`)
	}
	f.post(t, "/j/12345", url.Values{"passcode": {"x"}}).want(t, 400, "Meeting ID has 10 or 11 digits, not 5.")
}

// TestRefusalIsUniform checks that an unknown meeting and a wrong passcode
// give the same page (but for the meeting ID typed), which never shows the
// passcode typed, and that unknown codes and links give the same message.
func TestRefusalIsUniform(t *testing.T) {
	f := mustJoinFixture(t, nil)
	m := f.mustMeeting(t, t0.Add(5*time.Minute), nil, "Grace Hopper")
	unknown := "98765432109"
	if unknown == m.MeetingID {
		unknown = "98765432108"
	}
	const typed = "Wrong-pass-42"
	wrong := f.post(t, "/j/"+m.MeetingID, url.Values{"passcode": {typed}, "name": {"Mallory"}}).want(t, 403, web.RefusalText, `role="alert"`)
	none := f.post(t, "/j/"+unknown, url.Values{"passcode": {typed}, "name": {"Mallory"}}).want(t, 403, web.RefusalText)
	mask := func(body, number string) string {
		body = strings.ReplaceAll(body, number, "NUMBER")
		return strings.ReplaceAll(body, admit.FormatMeetingNumber(number), "NUMBER")
	}
	if a, b := mask(wrong.body, m.MeetingID), mask(none.body, unknown); a != b {
		t.Errorf("wrong passcode and unknown meeting give different pages:\n%s\n----\n%s", a, b)
	}
	if strings.Contains(wrong.body, typed) {
		t.Errorf("the refusal shows the passcode typed:\n%s", wrong.body)
	}
	f.post(t, "/j/"+m.MeetingID, url.Values{"name": {"Mallory"}}).want(t, 403, web.RefusalText) // no passcode
	f.post(t, "/code", url.Values{"access_code": {"111 222 333"}, "passcode": {m.Passcode}}).want(t, 403, web.RefusalText)
	f.post(t, "/code", url.Values{"access_code": {m.Occurrences[0].AccessCode}, "passcode": {typed}}).want(t, 403, web.RefusalText)
	f.get(t, "/i/AAAAAAAAAAAAAAAAAAAAAA").want(t, 403, web.RefusalText)
	f.post(t, "/i/AAAAAAAAAAAAAAAAAAAAAA", url.Values{}).want(t, 403, web.RefusalText)
	f.get(t, "/j/"+m.MeetingID+"?pwd=forged").want(t, 200, `name="pwd"`)
	// A failed join URL asks for the passcode instead.
	p := f.post(t, "/j/"+m.MeetingID, url.Values{"pwd": {"forged"}}).want(t, 403, web.RefusalText, `name="passcode"`)
	if strings.Contains(p.body, "forged") {
		t.Errorf("the refusal keeps the forged pwd:\n%s", p.body)
	}
}

func TestJoinURLSkipsPasscode(t *testing.T) {
	f := mustJoinFixture(t, nil)
	m := f.mustMeeting(t, t0.Add(5*time.Minute), nil)
	u, err := url.Parse(m.JoinURL)
	if err != nil || u.Query().Get("pwd") == "" {
		t.Fatalf("join URL %q has no pwd", m.JoinURL)
	}
	p := f.get(t, u.RequestURI()).want(t, 200, `id="passcode-form"`, `type="hidden" name="pwd"`, `name="name"`)
	if strings.Contains(p.body, `name="passcode"`) {
		t.Errorf("the join URL's page asks for the passcode:\n%s", p.body)
	}
	loc := f.post(t, u.Path, url.Values{"pwd": {u.Query().Get("pwd")}, "name": {"Carol"}}).location(t)
	f.get(t, loc).want(t, 200, "You are in the meeting", "Carol")
}

func TestJoinByAccessCode(t *testing.T) {
	f := mustJoinFixture(t, nil)
	m := f.mustMeeting(t, t0.Add(5*time.Minute), nil)
	f.get(t, "/code").want(t, 200, `id="code-form"`, `name="access_code"`, `name="passcode"`, `name="name"`)
	code := admit.FormatDigits(m.Occurrences[0].AccessCode)
	loc := f.post(t, "/code", url.Values{"access_code": {code}, "passcode": {m.Passcode}, "name": {"Bob"}}).location(t)
	f.get(t, loc).want(t, 200, "You are in the meeting", "Bob")
	f.post(t, "/code", url.Values{"access_code": {"12"}}).want(t, 400, "Access code has 8 to 12 digits, not 2.", `id="access_code-error"`)
	f.post(t, "/code", url.Values{"access_code": {""}}).want(t, 400, "Access code is required.")
}

func TestInviteLinkGreetsAndJoins(t *testing.T) {
	f := mustJoinFixture(t, nil)
	m := f.mustMeeting(t, t0.Add(5*time.Minute), nil, "Grace Hopper")
	u, err := url.Parse(m.Invitees[0].Link)
	if err != nil {
		t.Fatal(err)
	}
	f.get(t, u.Path).want(t, 200, `id="greeting"`, "Welcome, Grace Hopper", "Design review", `id="join-button"`)
	loc := f.post(t, u.Path, url.Values{}).location(t)
	f.get(t, loc).want(t, 200, "You are in the meeting", "Grace Hopper")
	// Once more on the same link: a shared credential.
	loc = f.post(t, u.Path, url.Values{}).location(t)
	f.get(t, loc).want(t, 200, "Grace Hopper (2)")
}

func TestOutsideTheWindow(t *testing.T) {
	f := mustJoinFixture(t, nil)
	m := f.mustMeeting(t, t0.Add(2*time.Hour), nil, "Grace Hopper")
	f.post(t, "/j/"+m.MeetingID, url.Values{"passcode": {m.Passcode}}).want(t, 403, "This meeting opens at 09:45")
	// The invitee still sees whom the link is for, and when to come back.
	link, _ := url.Parse(m.Invitees[0].Link)
	f.post(t, link.Path, url.Values{}).want(t, 403, "Welcome, Grace Hopper", "This meeting opens at 09:45")
	f.clock.Advance(5 * time.Hour)
	f.post(t, "/j/"+m.MeetingID, url.Values{"passcode": {m.Passcode}}).want(t, 403, "This meeting has ended.")
}

func TestRateLimited(t *testing.T) {
	p := admit.DefaultSourcePolicy()
	p.MaxFailures, p.FreeFailures = 2, 2
	f := mustJoinFixture(t, memory.NewLimiter(p))
	m := f.mustMeeting(t, t0.Add(5*time.Minute), nil)
	// Two meeting IDs tried without success: the source's distinct limit;
	// a third meeting, even with its passcode, waits.
	for _, id := range []string{"98765432100", "98765432101"} {
		f.post(t, "/j/"+id, url.Values{"passcode": {"nope"}}).want(t, 403, web.RefusalText)
	}
	res := f.post(t, "/j/"+m.MeetingID, url.Values{"passcode": {m.Passcode}}).want(t, 429, "Too many failed attempts from your network. Try again in")
	if ra := res.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q, want a number of seconds", ra)
	}
	// Another source is not held back.
	f.post(t, "/j/"+m.MeetingID, url.Values{"passcode": {m.Passcode}}, "X-Test-Source", "192.0.2.99").location(t)
}

// events reads a participant's event stream.
type events struct {
	res *http.Response
	sc  *bufio.Scanner
}

func (f *joinFixture) events(tb testing.TB, pid string) *events {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", f.http.URL+"/p/"+pid+"/events", nil)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		tb.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return &events{res: res, sc: bufio.NewScanner(res.Body)}
}

// next returns the data of the next status event; "" at the end of the
// stream.
func (e *events) next(tb testing.TB) string {
	tb.Helper()
	event := ""
	for e.sc.Scan() {
		line := e.sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "status":
			return strings.TrimPrefix(line, "data: ")
		}
	}
	return ""
}

// TestWaitingRoomFollowsTheHost joins a meeting with a waiting room twice,
// follows both participants' event streams while the host admits one and
// denies the other, and checks the pages after.
func TestWaitingRoomFollowsTheHost(t *testing.T) {
	f := mustJoinFixture(t, nil)
	wr := true
	m := f.mustMeeting(t, t0.Add(5*time.Minute), &admit.SecurityInput{WaitingRoom: &wr})
	ada := f.mustJoinMeeting(t, m, "Ada")
	bob := f.mustJoinMeeting(t, m, "Bob")
	p := f.get(t, "/p/"+ada).want(t, 200, "Waiting for the host to let you in", `data-state="waiting"`,
		`data-events="/p/`+ada+`/events"`, `<script src="/static/join.js" defer></script>`,
		`<noscript><meta http-equiv="refresh" content="5"></noscript>`, `id="leave"`)
	if strings.Contains(p.body, "<script>") {
		t.Errorf("inline script on the waiting page:\n%s", p.body)
	}
	ea, eb := f.events(t, ada), f.events(t, bob)
	if s := ea.next(t); s != "waiting" {
		t.Fatalf("first event %q, want waiting", s)
	}
	if s := eb.next(t); s != "waiting" {
		t.Fatalf("first event %q, want waiting", s)
	}
	ctx := context.Background()
	// The host acts on the handles the roster shows, not on the
	// participants' bearer IDs.
	handle := map[string]string{}
	r, err := f.service.Roster(ctx, f.host, m.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Waiting {
		handle[p.DisplayName] = p.ID
		if p.ID == ada || p.ID == bob {
			t.Errorf("the roster shows a participant's bearer ID %s", p.ID)
		}
	}
	if _, err := f.service.Decide(ctx, f.host, m.ID, handle["Ada"], admit.DecisionAdmit); err != nil {
		t.Fatal(err)
	}
	if s := ea.next(t); s != "admitted" {
		t.Errorf("after admit: event %q, want admitted", s)
	}
	if _, err := f.service.Decide(ctx, f.host, m.ID, handle["Bob"], admit.DecisionDeny); err != nil {
		t.Fatal(err)
	}
	if s := eb.next(t); s != "denied" {
		t.Errorf("after deny: event %q, want denied", s)
	}
	if s := eb.next(t); s != "" {
		t.Errorf("after denied the stream goes on with %q, want its end", s)
	}
	f.get(t, "/p/"+ada).want(t, 200, "You are in the meeting", "Ada")
	p = f.get(t, "/p/"+bob).want(t, 200, "The host did not let you in")
	if strings.Contains(p.body, "data-events") || strings.Contains(p.body, "join.js") {
		t.Errorf("a denied participant's page still follows events:\n%s", p.body)
	}
	if _, err := f.service.Decide(ctx, f.host, m.ID, handle["Ada"], admit.DecisionRemove); err != nil {
		t.Fatal(err)
	}
	if s := ea.next(t); s != "removed" {
		t.Errorf("after remove: event %q, want removed", s)
	}
	f.get(t, "/p/"+ada).want(t, 200, "The host removed you from the meeting")
}

// TestParticipantStreamEndsOnClose checks that App.Close ends a waiting
// participant's event stream, as it ends the host's roster stream, so that
// a graceful shutdown does not wait for the participant.
func TestParticipantStreamEndsOnClose(t *testing.T) {
	f := mustJoinFixture(t, nil)
	wr := true
	m := f.mustMeeting(t, t0.Add(5*time.Minute), &admit.SecurityInput{WaitingRoom: &wr})
	ada := f.mustJoinMeeting(t, m, "Ada")
	ea := f.events(t, ada)
	if s := ea.next(t); s != "waiting" {
		t.Fatalf("first event %q, want waiting", s)
	}
	f.app.Close()
	ended := make(chan string, 1)
	go func() { ended <- ea.next(t) }()
	select {
	case s := <-ended:
		if s != "" {
			t.Errorf("after Close the stream goes on with %q, want its end", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the participant's stream is still open after App.Close")
	}
}

func TestUnknownParticipant(t *testing.T) {
	f := mustJoinFixture(t, nil)
	for _, path := range []string{"/p/pnothere", "/p/NOT-AN-ID", "/p/pnothere/events"} {
		if p := f.get(t, path); p.status != 404 {
			t.Errorf("GET %s: %d, want 404", path, p.status)
		}
	}
	f.post(t, "/p/pnothere/leave", url.Values{}).want(t, 404, "There is no such participant.")
}

// TestCrossSiteJoinRefused checks that another site cannot make a browser
// join (or leave) on its behalf.
func TestCrossSiteJoinRefused(t *testing.T) {
	f := mustJoinFixture(t, nil)
	m := f.mustMeeting(t, t0.Add(5*time.Minute), nil)
	p := f.post(t, "/j/"+m.MeetingID, url.Values{"passcode": {m.Passcode}}, "Sec-Fetch-Site", "cross-site")
	if p.status != http.StatusForbidden || strings.Contains(p.header.Get("Location"), "/p/") {
		t.Errorf("cross-site join: %d %s, want 403", p.status, p.header.Get("Location"))
	}
}
