package web_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/admittest"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/clock"
	"github.com/admit-project/admit/edge"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/password"
	"github.com/admit-project/admit/translog"
	"github.com/admit-project/admit/web"
)

// fixture is the web app on a real Service on SQLite, with a settable clock
// and no user yet.
type fixture struct {
	clock    *clock.TestClock
	svc      *app.Service
	srv      *httptest.Server
	app      *web.App             // settings may change before the first request
	auditLog *translog.Integrator // signs a checkpoint when a test steps it
}

// fastHasher keeps the tests quick; the PHC format and checks are the same.
var fastHasher = &password.Hasher{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}

// newFixture makes the fixture; a policy given replaces the per-source
// limits, which are otherwise out of the way.
func newFixture(tb testing.TB, policy ...admit.SourcePolicy) *fixture {
	tb.Helper()
	clock := &clock.TestClock{}
	open := admittest.OpenLimiter()
	if len(policy) > 0 {
		open = memory.NewLimiter(policy[0])
	}
	svc, db := admittest.Service(tb, admittest.Options{Clock: clock, StoreClock: true, AuditKey: true, Limiter: open, Passwords: fastHasher})
	if _, _, err := svc.EnsureDefaultAccount(context.Background()); err != nil {
		tb.Fatal(err)
	}
	app := &web.App{Service: svc, AuditKey: svc.Keys.(*keys.Ring).AuditKey()}
	f := &fixture{clock: clock, svc: svc, srv: httptest.NewServer(app.Handler()), app: app, auditLog: admittest.AuditLog(tb, svc, db)}
	tb.Cleanup(func() { app.Close(); f.srv.Close() })
	return f
}

// client is a browser: a cookie jar, no redirects followed.
type client struct {
	tb   testing.TB
	f    *fixture
	http *http.Client
	csrf string // the last page's CSRF token
}

func (f *fixture) client(tb testing.TB) *client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, f: f, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status int
	header http.Header
	body   string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) *resp {
	c.tb.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := &resp{status: res.StatusCode, header: res.Header, body: string(b)}
	if m := csrfRE.FindStringSubmatch(r.body); m != nil {
		c.csrf = m[1]
	}
	return r
}

func (c *client) get(path string) *resp {
	c.tb.Helper()
	req, _ := http.NewRequest("GET", c.f.srv.URL+path, nil)
	return c.do(req)
}

// post sends a form; with csrf set, the last page's token is added.
func (c *client) post(path string, form url.Values, csrf bool, header ...string) *resp {
	c.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

func wantStatus(tb testing.TB, r *resp, status int, what string) {
	tb.Helper()
	if r.status != status {
		body := r.body
		if len(body) > 2000 {
			body = body[:2000]
		}
		tb.Fatalf("%s: status %d, want %d; body:\n%s", what, r.status, status, body)
	}
}

func wantRedirect(tb testing.TB, r *resp, prefix, what string) {
	tb.Helper()
	wantStatus(tb, r, http.StatusSeeOther, what)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, prefix) {
		tb.Fatalf("%s: redirect to %q, want %q…", what, loc, prefix)
	}
}

const ownerPassword = "correct-horse-battery"

// mustSetup creates the owner through the set-up link and returns their
// signed-in browser.
func (f *fixture) mustSetup(tb testing.TB) *client {
	tb.Helper()
	link, err := f.svc.SetupLink(context.Background())
	if err != nil || link == "" {
		tb.Fatalf("SetupLink = %q, %v", link, err)
	}
	c := f.client(tb)
	path := strings.TrimPrefix(link, "http://admit.test")
	wantStatus(tb, c.get(path), http.StatusOK, "set-up form")
	r := c.post(path, url.Values{"name": {"Olive Owner"}, "email": {"olive@example.com"}, "password": {ownerPassword}, "password_confirm": {ownerPassword}}, false)
	wantRedirect(tb, r, "/", "set-up")
	return c
}

// events returns the account's audit events with the action.
func (f *fixture) events(tb testing.TB, action string) []*admit.Event {
	tb.Helper()
	evs, err := f.svc.Store.FindEvents(context.Background(), admit.EventFilter{Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	var out []*admit.Event
	for _, e := range evs {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestSetupLinkWorksOnce(t *testing.T) {
	f := newFixture(t)
	anon := f.client(t)
	wantRedirect(t, anon.get("/"), "/welcome", "host page without an owner")
	wantRedirect(t, anon.get("/meetings/new"), "/welcome", "host page without an owner")
	if r := anon.get("/welcome"); !strings.Contains(r.body, "set-up") && !strings.Contains(r.body, "/setup/") {
		t.Errorf("welcome page does not point to the set-up link:\n%s", r.body)
	}
	link, err := f.svc.SetupLink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(link, "http://admit.test")
	if !strings.HasPrefix(path, "/setup/") {
		t.Fatalf("set-up link %q", link)
	}
	// A bad password keeps the link usable.
	r := anon.post(path, url.Values{"name": {"Olive"}, "email": {"olive@example.com"}, "password": {"short"}, "password_confirm": {"short"}}, false)
	wantStatus(t, r, http.StatusBadRequest, "weak password")
	if !strings.Contains(r.body, `role="alert"`) || !strings.Contains(r.body, `aria-describedby="password-hint form-error"`) {
		t.Errorf("the password's error is not an alert tied to its input:\n%s", r.body)
	}
	r = anon.post(path, url.Values{"name": {"Olive"}, "email": {"olive@example.com"}, "password": {ownerPassword}, "password_confirm": {ownerPassword}}, false)
	wantRedirect(t, r, "/", "set-up")
	if d := anon.get("/"); d.status != http.StatusOK || !strings.Contains(d.body, `id="today"`) || !strings.Contains(d.body, `id="upcoming"`) {
		t.Fatalf("dashboard after set-up: %d\n%s", d.status, d.body)
	}
	// Once only: the same link again, and no new link now that a user exists.
	again := f.client(t)
	r = again.post(path, url.Values{"name": {"Mallory"}, "email": {"mallory@example.com"}, "password": {ownerPassword}, "password_confirm": {ownerPassword}}, false)
	if r.status == http.StatusSeeOther {
		t.Fatal("the set-up link worked twice")
	}
	if link, err := f.svc.SetupLink(context.Background()); err != nil || link != "" {
		t.Errorf("SetupLink with an owner = %q, %v; want none", link, err)
	}
	us, _ := f.svc.Users(context.Background(), &admit.Actor{User: &admit.User{AccountID: 1, ID: 1}})
	if len(us) != 1 || us[0].Role != admit.RoleOwner {
		t.Errorf("users after set-up: %+v", us)
	}
}

func TestSetupLinkUsedOnceConcurrently(t *testing.T) {
	f := newFixture(t)
	link, _ := f.svc.SetupLink(context.Background())
	path := strings.TrimPrefix(link, "http://admit.test")
	// An unused link of another purpose or a made-up token does not work.
	r := f.client(t).post("/setup/not-a-token", url.Values{"name": {"X"}, "email": {"x@example.com"}, "password": {ownerPassword}, "password_confirm": {ownerPassword}}, false)
	wantStatus(t, r, http.StatusNotFound, "made-up set-up token")
	if r := f.client(t).post(path, url.Values{"name": {"O"}, "email": {"o@example.com"}, "password": {ownerPassword}, "password_confirm": {ownerPassword}}, false); r.status != http.StatusSeeOther {
		t.Fatalf("set-up: %d %s", r.status, r.body)
	}
}

func TestSignInUniformFailure(t *testing.T) {
	f := newFixture(t)
	f.mustSetup(t)
	c := f.client(t)
	wantStatus(t, c.get("/signin"), http.StatusOK, "sign-in form")
	wrong := c.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {"not-the-password"}}, false)
	unknown := c.post("/signin", url.Values{"email": {"nobody@example.com"}, "password": {"not-the-password"}}, false)
	for _, r := range []*resp{wrong, unknown} {
		wantStatus(t, r, http.StatusUnauthorized, "failed sign-in")
		if !strings.Contains(r.body, "Wrong email or password.") {
			t.Errorf("failed sign-in does not say the uniform message:\n%s", r.body)
		}
	}
	strip := func(s string) string {
		return csrfRE.ReplaceAllString(strings.ReplaceAll(s, "nobody@example.com", "olive@example.com"), "")
	}
	if strip(wrong.body) != strip(unknown.body) {
		t.Error("the pages for a wrong password and an unknown email differ")
	}
	if n := len(f.events(t, "user.signin_failed")); n != 2 {
		t.Errorf("%d user.signin_failed events, want 2", n)
	}
	r := c.post("/signin", url.Values{"email": {"Olive@Example.com"}, "password": {ownerPassword}, "next": {"/settings"}}, false)
	wantRedirect(t, r, "/settings", "sign-in")
	for _, ck := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "admit_session=") && (!strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") || !strings.Contains(ck, "Path=/")) {
			t.Errorf("session cookie %q lacks HttpOnly, SameSite=Lax or Path=/", ck)
		}
	}
	wantStatus(t, c.get("/settings"), http.StatusOK, "settings after sign-in")
	if n := len(f.events(t, "user.signin")); n != 1 {
		t.Errorf("%d user.signin events, want 1", n)
	}
	// An off-site next is not followed.
	r = f.client(t).post("/signin", url.Values{"email": {"olive@example.com"}, "password": {ownerPassword}, "next": {"//evil.example/"}}, false)
	wantRedirect(t, r, "/", "sign-in with an off-site next")
	if loc := r.header.Get("Location"); loc != "/" {
		t.Errorf("off-site next led to %q", loc)
	}
	// Sign out: the session ends.
	c.get("/")
	wantRedirect(t, c.post("/signout", nil, true), "/signin", "sign-out")
	wantRedirect(t, c.get("/settings"), "/signin", "host page after sign-out")
	if n := len(f.events(t, "user.signout")); n != 1 {
		t.Errorf("%d user.signout events, want 1", n)
	}
}

func TestCSRFRefused(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	c.get("/contacts")
	form := url.Values{"name": {"Ada Lovelace"}}
	wantStatus(t, c.post("/contacts", form, false), http.StatusForbidden, "no CSRF token")
	bad := url.Values{"name": {"Ada Lovelace"}, "csrf": {"AAAA" + c.csrf[4:]}}
	wantStatus(t, c.post("/contacts", bad, false), http.StatusForbidden, "wrong CSRF token")
	// Another session's token does not work either.
	other := f.client(t)
	wantRedirect(t, other.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {ownerPassword}}, false), "/", "second sign-in")
	other.get("/contacts")
	if other.csrf == c.csrf {
		t.Fatal("two sessions share a CSRF token")
	}
	wantStatus(t, c.post("/contacts", url.Values{"name": {"Ada"}, "csrf": {other.csrf}}, false), http.StatusForbidden, "another session's token")
	// A cross-site request is refused even with the token.
	wantStatus(t, c.post("/contacts", url.Values{"name": {"Ada"}}, true, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden, "cross-site")
	cs, _ := f.svc.Contacts(context.Background(), f.owner(t))
	if len(cs) != 0 {
		t.Fatalf("a refused form wrote %d contacts", len(cs))
	}
	wantRedirect(t, c.post("/contacts", form, true), "/contacts", "with the token")
}

// owner returns the owner as an actor.
func (f *fixture) owner(tb testing.TB) *admit.Actor {
	tb.Helper()
	u, err := f.svc.Store.FindUserByEmail(context.Background(), "olive@example.com")
	if err != nil {
		tb.Fatal(err)
	}
	return &admit.Actor{User: u, Source: "test"}
}

func TestSessionExpiry(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	wantStatus(t, c.get("/"), http.StatusOK, "fresh session")
	f.clock.Advance(admit.SessionIdle - time.Minute)
	wantStatus(t, c.get("/"), http.StatusOK, "session used within the idle time")
	f.clock.Advance(admit.SessionIdle + time.Minute)
	wantRedirect(t, c.get("/meetings/new"), "/signin?next=%2Fmeetings%2Fnew", "idle session")

	// Absolute expiry: a session used every hour still ends after 12 hours.
	c2 := f.client(t)
	wantRedirect(t, c2.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {ownerPassword}}, false), "/", "sign-in")
	for i := 0; i < 11; i++ {
		f.clock.Advance(time.Hour)
		wantStatus(t, c2.get("/"), http.StatusOK, "session used hourly")
	}
	f.clock.Advance(time.Hour + time.Minute)
	wantRedirect(t, c2.get("/"), "/signin", "session past its absolute expiry")
}

// schedule posts the schedule form and returns the new meeting's path.
func (c *client) schedule(tb testing.TB, form url.Values) string {
	tb.Helper()
	c.get("/meetings/new")
	r := c.post("/meetings", form, true)
	wantRedirect(tb, r, "/meetings/m", "schedule")
	loc := r.header.Get("Location")
	return loc[:strings.Index(loc, "?")]
}

func scheduleForm(f *fixture, extra url.Values) url.Values {
	start := f.clock.Now().Add(5 * time.Minute)
	v := url.Values{"topic": {"Design review"}, "date": {start.Format("2006-01-02")}, "time": {start.Format("15:04")},
		"duration": {"60"}, "timezone": {"UTC"}, "recurrence": {"none"}, "access_code": {"on"}, "passcode_mode": {"shared"},
		"early_join_minutes": {"15"}, "max_uses": {"0"}}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

func TestScheduleAndRevealAudited(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	path := c.schedule(t, scheduleForm(f, url.Values{"invitees": {"Grace Hopper <grace@example.com>\nAlan Turing"}}))
	page := c.get(path)
	wantStatus(t, page, http.StatusOK, "meeting page")
	m, err := f.svc.ShowMeeting(context.Background(), f.owner(t), strings.TrimPrefix(path, "/meetings/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{`id="meeting-id"`, `id="join-link"`, `id="passcode"`, `id="access-code"`, `id="invitation"`, `id="invitees"`, `id="show-invitees"`} {
		if !strings.Contains(page.body, id) {
			t.Errorf("meeting page lacks %s", id)
		}
	}
	if !strings.Contains(page.body, m.MeetingIDDisplay) {
		t.Errorf("meeting page lacks the meeting ID %s", m.MeetingIDDisplay)
	}
	code := m.Occurrences[0].AccessCode
	if strings.Contains(page.body, m.Passcode) || strings.Contains(page.body, code) || strings.Contains(page.body, m.Occurrences[0].AccessCodeDisplay) {
		t.Fatal("the meeting page shows the passcode or access code before the eye button is pressed")
	}
	views := len(f.events(t, "code.view"))
	// Without JavaScript: the page comes back with the value shown.
	r := c.post(path+"/reveal", url.Values{"what": {"passcode"}, "occurrence": {"1"}}, true)
	wantStatus(t, r, http.StatusOK, "reveal")
	if !strings.Contains(r.body, `<span id="passcode" class="mono" data-hidden="••••••">`+m.Passcode+`</span>`) {
		t.Errorf("revealed page does not show the passcode in #passcode")
	}
	if !strings.Contains(r.body, "Passcode: "+m.Passcode) {
		t.Error("the invitation text lacks the revealed passcode")
	}
	// With JavaScript: JSON.
	r = c.post(path+"/reveal", url.Values{"what": {"access_code"}, "occurrence": {"1"}}, true, "Accept", "application/json")
	wantStatus(t, r, http.StatusOK, "reveal as JSON")
	var got struct{ Value string }
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.Value != code {
		t.Errorf("reveal JSON %s, want value %s", r.body, code)
	}
	var evs []*admit.Event
	for _, e := range f.events(t, "code.view")[views:] {
		if e.Detail != "invitees" { // the revealed page shows the invitees again
			evs = append(evs, e)
		}
	}
	if len(evs) != 2 {
		t.Fatalf("%d code.view events of secrets after two reveals, want 2", len(evs))
	}
	if d := evs[0].Detail; d != "passcode" {
		t.Errorf("passcode reveal's detail %q", d)
	}
	if d := evs[1].Detail; d != "access_code occurrence 1" {
		t.Errorf("access code reveal's detail %q", d)
	}
	if evs[1].Actor != "user:"+itoa(f.owner(t).User.ID) || evs[1].Target != "meeting:"+m.ID {
		t.Errorf("reveal audited as %q on %q", evs[1].Actor, evs[1].Target)
	}
	// Regenerate: the old passcode stops working.
	c.get(path)
	wantRedirect(t, c.post(path+"/regenerate", url.Values{"what": {"passcode"}}, true), path+"?done=regenerated", "regenerate")
	m2, _ := f.svc.ShowMeeting(context.Background(), f.owner(t), m.ID)
	if m2.Passcode == m.Passcode {
		t.Error("regenerate kept the passcode")
	}
	// Delete, after confirmation.
	wantStatus(t, c.get(path+"/delete"), http.StatusOK, "delete confirmation")
	wantRedirect(t, c.post(path+"/delete", nil, true), "/", "delete")
	wantStatus(t, c.get(path), http.StatusNotFound, "deleted meeting")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestScheduleFormErrors(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	// The form shows a generated passcode; scheduling keeps it.
	form := c.get("/meetings/new")
	sug := regexp.MustCompile(`id="passcode" name="passcode" autocomplete="off" spellcheck="false" value="([^"]+)"`).FindStringSubmatch(form.body)
	if sug == nil || len(sug[1]) != admit.DefaultPasscodeLength {
		t.Fatalf("no generated passcode in the form")
	}
	path := c.schedule(t, scheduleForm(f, url.Values{"passcode": {sug[1]}}))
	if m, _ := f.svc.ShowMeeting(context.Background(), f.owner(t), strings.TrimPrefix(path, "/meetings/")); m.Passcode != sug[1] {
		t.Errorf("meeting passcode %q, want the suggested %q", m.Passcode, sug[1])
	}
	c.get("/meetings/new")
	r := c.post("/meetings", scheduleForm(f, url.Values{"passcode": {"123456"}}), true)
	wantStatus(t, r, http.StatusBadRequest, "weak own passcode")
	if !strings.Contains(r.body, `id="form-error"`) || !regexp.MustCompile(`id="passcode"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Errorf("the passcode's error is not tied to its input:\n%s", r.body)
	}
	// The as-you-type check runs the same policy and the bound.
	r = c.post("/meetings/check", scheduleForm(f, url.Values{"passcode": {"123456"}}), true, "Accept", "application/json")
	wantStatus(t, r, http.StatusOK, "check")
	var chk struct {
		PasscodeError string `json:"passcode_error"`
		Bound         string
		BoundOK       bool `json:"bound_ok"`
	}
	if err := json.Unmarshal([]byte(r.body), &chk); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(chk.PasscodeError, "sequence") || !strings.HasPrefix(chk.Bound, "P ≤") {
		t.Errorf("check of 123456: %+v", chk)
	}
	r = c.post("/meetings/check", scheduleForm(f, url.Values{"passcode_mode": {"none"}, "waiting_room": nil}), true)
	json.Unmarshal([]byte(r.body), &chk)
	if chk.BoundOK {
		t.Errorf("no passcode and no waiting room is within the ceiling: %s", r.body)
	}
	r = c.post("/meetings/check", scheduleForm(f, url.Values{"passcode": {"Kq7-mZp2xw"}}), true)
	json.Unmarshal([]byte(r.body), &chk)
	if chk.PasscodeError != "" || !chk.BoundOK {
		t.Errorf("check of a good passcode: %s", r.body)
	}
}

func TestHostPermissions(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	owner.get("/users")
	r := owner.post("/users", url.Values{"name": {"Hank Host"}, "email": {"hank@example.com"}, "role": {"host"}}, true)
	wantStatus(t, r, http.StatusOK, "invite")
	link := regexp.MustCompile(`id="invite-link" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("invitation link not shown:\n%s", r.body)
	}
	hank := f.client(t)
	invPath := strings.TrimPrefix(link[1], "http://admit.test")
	wantStatus(t, hank.get(invPath), http.StatusOK, "invitation form")
	wantRedirect(t, hank.post(invPath, url.Values{"password": {"hank-secret-words"}, "password_confirm": {"hank-secret-words"}}, false), "/", "accept invitation")
	wantStatus(t, f.client(t).post(invPath, url.Values{"password": {"other-secret-words"}, "password_confirm": {"other-secret-words"}}, false), http.StatusNotFound, "invitation used twice")

	// A host may not invite, change roles or the security defaults.
	hank.get("/users")
	wantStatus(t, hank.post("/users", url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "role": {"host"}}, true), http.StatusForbidden, "host invites")
	ownerID := f.owner(t).User.ID
	wantStatus(t, hank.post("/users/"+itoa(ownerID)+"/role", url.Values{"role": {"host"}}, true), http.StatusForbidden, "host demotes the owner")
	hank.get("/settings")
	sec := url.Values{"passcode": {"none"}, "policy_length": {"10"}, "policy_min_length": {"6"}, "policy_pin_length": {"12"}, "waiting_room": {"on"}}
	wantStatus(t, hank.post("/settings/security", sec, true), http.StatusForbidden, "host changes the defaults")

	// The last owner cannot be demoted or removed; an admin cannot make owners.
	owner.get("/users")
	wantStatus(t, owner.post("/users/"+itoa(ownerID)+"/role", url.Values{"role": {"admin"}}, true), http.StatusConflict, "demote the last owner")
	hankU, _ := f.svc.Store.FindUserByEmail(context.Background(), "hank@example.com")
	wantRedirect(t, owner.post("/users/"+itoa(hankU.ID)+"/role", url.Values{"role": {"admin"}}, true), "/users", "make hank admin")
	hank.get("/users")
	wantStatus(t, hank.post("/users/"+itoa(hankU.ID)+"/role", url.Values{"role": {"owner"}}, true), http.StatusForbidden, "admin makes an owner")
	wantStatus(t, hank.post("/users/"+itoa(ownerID)+"/remove", url.Values{"transfer_to": {itoa(hankU.ID)}}, true), http.StatusForbidden, "admin removes the owner")
	// The owner removes hank, whose meetings pass to the owner.
	path := hank.schedule(t, scheduleForm(f, nil))
	owner.get("/users")
	wantRedirect(t, owner.post("/users/"+itoa(hankU.ID)+"/remove", url.Values{"transfer_to": {itoa(ownerID)}}, true), "/users", "remove hank")
	wantRedirect(t, hank.get("/"), "/signin", "removed user's session")
	wantStatus(t, owner.get(path), http.StatusOK, "transferred meeting")
}

func TestRosterAttendanceAndCSV(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	path := c.schedule(t, scheduleForm(f, url.Values{"waiting_room": {"on"}, "invitees": {"Alan Turing"}}))
	id := strings.TrimPrefix(path, "/meetings/")
	views := len(f.events(t, "code.view"))
	m, err := f.svc.ShowMeeting(context.Background(), f.owner(t), id)
	if err != nil {
		t.Fatal(err)
	}

	// The live roster stream sends the roster at once, then after each change.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+path+"/events?occurrence=1", nil)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events Content-Type %q", ct)
	}
	events := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var cur strings.Builder
		for sc.Scan() {
			line := sc.Text()
			if line == "" && cur.Len() > 0 {
				events <- cur.String()
				cur.Reset()
			} else if d, ok := strings.CutPrefix(line, "data: "); ok {
				cur.WriteString(d + "\n")
			}
		}
		close(events)
	}()
	next := func(what string) string {
		t.Helper()
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("event stream ended before %s", what)
			}
			return e
		case <-time.After(20 * time.Second):
			t.Fatalf("no roster event for %s", what)
		}
		return ""
	}
	if first := next("the first roster"); !strings.Contains(first, `id="participants"`) {
		t.Fatalf("first roster event:\n%s", first)
	}
	for _, name := range []string{"Grace Hopper", "Grace Hopper"} {
		if _, err := f.svc.Join(context.Background(), &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode, Name: name, Channel: admit.ChannelWeb, Source: "192.0.2.7"}); err != nil {
			t.Fatal(err)
		}
	}
	var ev string
	for !strings.Contains(ev, `class="waiting"`) || strings.Count(ev, `class="waiting"`) < 2 {
		ev = next("the waiting participants")
	}
	pid := regexp.MustCompile(`/participants/(p[^/]+)/admit`).FindStringSubmatch(ev)
	if pid == nil {
		t.Fatalf("no Admit form in the roster:\n%s", ev)
	}
	c.get("/contacts") // a page with the CSRF token, and without secrets
	wantRedirect(t, c.post(path+"/participants/"+pid[1]+"/admit", url.Values{"occurrence": {"1"}}, true), path, "admit")
	for !strings.Contains(ev, `class="participant"`) {
		ev = next("the admitted participant")
	}
	if !strings.Contains(ev, `<span class="name">Grace Hopper</span>`) {
		t.Errorf("admitted participant's row:\n%s", ev)
	}
	if n := len(f.events(t, "code.view")); n != views+1 { // ShowMeeting above; the stream opens no secrets
		t.Errorf("%d code.view events after the roster stream, want %d", n, views+1)
	}
	if n := len(f.events(t, "participant.admit")); n != 1 {
		t.Errorf("%d participant.admit events", n)
	}

	// Signing out ends the stream at its next update.
	other := f.client(t)
	wantRedirect(t, other.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {ownerPassword}}, false), "/", "sign-in")
	c.get("/contacts")
	wantRedirect(t, c.post("/signout", nil, true), "/signin", "sign-out")
	if _, err := f.svc.Join(context.Background(), &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: m.Passcode, Name: "Late Comer", Channel: admit.ChannelWeb, Source: "192.0.2.8"}); err != nil {
		t.Fatal(err)
	}
	for ended := false; !ended; {
		select {
		case _, ok := <-events:
			ended = !ok
		case <-time.After(20 * time.Second):
			t.Fatal("the roster stream went on after sign-out")
		}
	}
	c = other

	// Attendance and its CSV.
	att := c.get(path + "/attendance?occurrence=1")
	wantStatus(t, att, http.StatusOK, "attendance")
	if !strings.Contains(att.body, `id="attendance-csv"`) || !strings.Contains(att.body, path+"/attendance.csv?occurrence=1") {
		t.Errorf("attendance page lacks the CSV link:\n%s", att.body)
	}
	r := c.get(path + "/attendance.csv?occurrence=1")
	wantStatus(t, r, http.StatusOK, "attendance CSV")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("CSV Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != strings.Join(edge.AttendanceCSVHeader, ",") {
		t.Fatalf("CSV:\n%s", r.body)
	}
	states := map[string]bool{}
	for _, rec := range recs[1:] {
		if rec[1] != "Grace Hopper" && rec[1] != "Late Comer" {
			t.Errorf("CSV row name %q", rec[1])
		}
		states[rec[7]] = true
	}
	if !states["admitted"] || !states["waiting"] {
		t.Errorf("CSV states %v, want admitted and waiting", states)
	}
}

func TestFailedAttemptsShown(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	path := c.schedule(t, scheduleForm(f, nil))
	m, _ := f.svc.ShowMeeting(context.Background(), f.owner(t), strings.TrimPrefix(path, "/meetings/"))
	_, err := f.svc.Join(context.Background(), &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: "wrong-one", Name: "Eve", Channel: admit.ChannelWeb, Source: "192.0.2.9"})
	if admit.ErrorCode(err) != admit.EREFUSED {
		t.Fatalf("wrong passcode: %v", err)
	}
	page := c.get(path)
	if !strings.Contains(page.body, `<td class="reason">wrong passcode</td>`) {
		t.Errorf("the failed attempt's reason is not on the meeting page")
	}
}

func TestPagesRender(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	c.schedule(t, scheduleForm(f, url.Values{"recurrence": {"weekly"}, "recurrence_count": {"3"}, "weekdays": {"MO", "TH"}}))
	d := c.get("/")
	wantStatus(t, d, http.StatusOK, "dashboard")
	if !strings.Contains(d.body, `class="occurrence"`) || !strings.Contains(d.body, `class="code-state`) || !strings.Contains(d.body, `class="start button"`) {
		t.Errorf("dashboard lacks the occurrences:\n%s", d.body)
	}
	for _, p := range []string{"/meetings/new", "/users", "/settings", "/contacts"} {
		wantStatus(t, c.get(p), http.StatusOK, p)
	}
	a := c.get("/audit")
	wantStatus(t, a, http.StatusOK, "audit")
	if !strings.Contains(a.body, "no signed checkpoint yet") {
		t.Errorf("audit page before the first checkpoint:\n%s", a.body)
	}
	if _, err := f.auditLog.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	a = c.get("/audit")
	if !strings.Contains(a.body, "Latest signed checkpoint: the first ") || !strings.Contains(a.body, "held by a witness") {
		t.Errorf("audit page checkpoint status:\n%s", a.body)
	}

	if f := c.get("/audit?action=meeting."); !strings.Contains(f.body, "meeting.create") || strings.Contains(f.body, `class="action">user.signin`) {
		t.Errorf("audit filter by action does not filter")
	}
	// Contacts import reports rejected rows.
	c.get("/contacts")
	r := c.post("/contacts/import", url.Values{"csv": {"name,email,phone\nAda Lovelace,ada@example.com,+44 20 7946 0000\n,nobody@example.com,\nBad Mail,not-an-email,\n"}}, true)
	wantStatus(t, r, http.StatusOK, "import")
	if !strings.Contains(r.body, "Added 1 contact(s); rejected 2 row(s).") || !strings.Contains(r.body, "<td>3</td>") || !strings.Contains(r.body, "<td>4</td>") {
		t.Errorf("import report:\n%s", r.body)
	}
	// Settings save.
	sec := url.Values{"access_code": {"on"}, "passcode": {"shared"}, "early_join_minutes": {"10"}, "grace_minutes": {"30"}, "max_uses": {"0"},
		"access_code_length": {"9"}, "policy_length": {"10"}, "policy_min_length": {"8"}, "policy_pin_length": {"12"},
		"guess_budget": {"100"}, "guess_ceiling": {"1e-6"}, "locked": {"waiting_room"}}
	wantRedirect(t, c.post("/settings/security", sec, true), "/settings", "save defaults")
	got, _ := f.svc.AccountSecurity(context.Background(), f.owner(t))
	if got.EarlyJoinMinutes != 10 || got.PasscodePolicy.MinLength != 8 || !got.IsLocked("waiting_room") {
		t.Errorf("saved defaults %+v", got)
	}
}

func TestPersonalRoomSettings(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	ctx := context.Background()
	room, err := f.svc.PersonalRoom(ctx, f.owner(t))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.get("/meetings/"+room.ID), http.StatusOK, "personal room page")
	s := c.get("/settings")
	if strings.Contains(s.body, `id="meeting_id"`) {
		t.Error("the free plan offers a vanity meeting ID")
	}
	wantRedirect(t, c.post("/settings/room", url.Values{"room_passcode": {"Room-Pass-42x"}}, true), "/settings", "own room passcode")
	shown, _ := f.svc.ShowMeeting(ctx, f.owner(t), room.ID)
	if shown.Passcode != "Room-Pass-42x" {
		t.Errorf("room passcode %q", shown.Passcode)
	}
	wantStatus(t, c.post("/settings/room", url.Values{"meeting_id": {"5550123987"}}, true), http.StatusForbidden, "vanity ID on free")
	acct, _ := f.svc.Store.FindAccountByID(ctx, f.owner(t).User.AccountID)
	acct.Plan = admit.PlanPro
	if err := f.svc.Store.UpdateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if s := c.get("/settings"); !strings.Contains(s.body, `id="meeting_id"`) {
		t.Error("the pro plan does not offer a vanity meeting ID")
	}
	wantRedirect(t, c.post("/settings/room", url.Values{"meeting_id": {"555 012 3987"}}, true), "/settings", "vanity ID on pro")
	if r, _ := f.svc.PersonalRoom(ctx, f.owner(t)); r.MeetingID != "5550123987" {
		t.Errorf("personal meeting ID %q", r.MeetingID)
	}
	r := c.post("/settings/room", url.Values{"meeting_id": {"1234567890"}}, true)
	wantStatus(t, r, http.StatusBadRequest, "weak vanity ID")
	if !regexp.MustCompile(`id="meeting_id"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Error("the vanity ID's error is not tied to its input")
	}
	// Profile: the dashboard follows the time zone.
	wantRedirect(t, c.post("/settings/profile", url.Values{"name": {"Olive Owner"}, "timezone": {"Europe/Paris"}}, true), "/settings", "profile")
	if d := c.get("/"); !strings.Contains(d.body, "Times are in your zone, Europe/Paris;") {
		t.Error("the dashboard is not in the new time zone")
	}
	wantStatus(t, c.post("/settings/profile", url.Values{"name": {"Olive"}, "timezone": {"Mars/Olympus"}}, true), http.StatusBadRequest, "bad time zone")
	// Password change ends the session.
	r = c.post("/settings/password", url.Values{"current_password": {"wrong"}, "password": {"a-new-long-password"}, "password_confirm": {"a-new-long-password"}}, true)
	wantStatus(t, r, http.StatusBadRequest, "wrong current password")
	if !regexp.MustCompile(`id="current_password"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Error("the current password's error is not tied to its input")
	}
	other := f.client(t)
	wantRedirect(t, other.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {ownerPassword}}, false), "/", "second session")
	wantRedirect(t, c.post("/settings/password", url.Values{"current_password": {ownerPassword}, "password": {"a-new-long-password"}, "password_confirm": {"a-new-long-password"}}, true), "/signin", "password change")
	wantRedirect(t, other.get("/"), "/signin", "another session after the password change")
	wantRedirect(t, c.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {"a-new-long-password"}}, false), "/", "sign-in with the new password")
}

func TestSecureCookie(t *testing.T) {
	f := newFixture(t)
	app := &web.App{Service: f.svc, Secure: true}
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	link, _ := f.svc.SetupLink(context.Background())
	form := url.Values{"name": {"O"}, "email": {"o@example.com"}, "password": {ownerPassword}, "password_confirm": {ownerPassword}}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.PostForm(srv.URL+strings.TrimPrefix(link, "http://admit.test"), form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ck := res.Header.Get("Set-Cookie")
	if !strings.Contains(ck, "admit_session=") || !strings.Contains(ck, "; Secure") || !strings.Contains(ck, "HttpOnly") {
		t.Errorf("session cookie over TLS: %q", ck)
	}
}

func TestScheduleWithContacts(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	ct, err := f.svc.CreateContact(context.Background(), f.owner(t), &admit.ContactInput{Name: ptr("Ada Lovelace"), Email: ptr("ada@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if p := c.get("/meetings/new"); !strings.Contains(p.body, `<option value="`+itoa(ct.ID)+`" >Ada Lovelace`) {
		t.Errorf("the schedule form does not offer the contact")
	}
	path := c.schedule(t, scheduleForm(f, url.Values{"contacts": {itoa(ct.ID)}, "invitees": {"Bob Typed"}, "passcode_mode": {"unique"}}))
	c.get(path)
	page := c.post(path+"/reveal", url.Values{"what": {"invitees"}}, true)
	for _, want := range []string{"Ada Lovelace", "ada@example.com", "Bob Typed", `class="invitee-passcode mono"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("meeting page lacks %q", want)
		}
	}
	// An unknown contact is refused, naming the field.
	c.get("/meetings/new")
	r := c.post("/meetings", scheduleForm(f, url.Values{"contacts": {"999"}}), true)
	wantStatus(t, r, http.StatusBadRequest, "unknown contact")
	if !regexp.MustCompile(`id="contacts"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Errorf("the unknown contact's error is not tied to the contacts field:\n%s", r.body)
	}
}

func TestSignInRateLimited(t *testing.T) {
	pol := admit.DefaultSourcePolicy()
	pol.MaxFailures, pol.FreeFailures = 2, 10
	f := newFixture(t, pol)
	f.mustSetup(t)
	c := f.client(t)
	for i := 0; i < 2; i++ {
		wantStatus(t, c.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {"wrong-password-x"}}, false), http.StatusUnauthorized, "wrong password")
	}
	r := c.post("/signin", url.Values{"email": {"olive@example.com"}, "password": {ownerPassword}}, false)
	wantStatus(t, r, http.StatusTooManyRequests, "sign-in after the source's limit")
	if !strings.Contains(r.body, "Too many attempts") || !strings.Contains(r.body, `role="alert"`) {
		t.Errorf("rate-limited sign-in page:\n%s", r.body)
	}
}

func ptr[T any](v T) *T { return &v }

func TestLockedSettingsInTheScheduleForm(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	ctx := context.Background()
	on := true
	locked := []string{"waiting_room", "access_code"}
	if _, err := f.svc.UpdateAccountSecurity(ctx, f.owner(t), &admit.AccountSecurityInput{SecurityInput: admit.SecurityInput{WaitingRoom: &on}, Locked: &locked}); err != nil {
		t.Fatal(err)
	}
	p := c.get("/meetings/new")
	if !regexp.MustCompile(`id="waiting_room"[^>]*checked[^>]*disabled`).MatchString(p.body) {
		t.Errorf("the locked waiting room is not shown on and disabled")
	}
	// A browser does not send disabled inputs: the locked values hold.
	form := scheduleForm(f, nil)
	form.Del("access_code")
	path := c.schedule(t, form)
	m, err := f.svc.ShowMeeting(ctx, f.owner(t), strings.TrimPrefix(path, "/meetings/"))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Security.WaitingRoom || !m.Security.AccessCode {
		t.Errorf("locked settings not kept: %+v", m.Security)
	}
}

func TestGuessBudgetResetFromTheMeetingPage(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	ctx := context.Background()
	path := c.schedule(t, scheduleForm(f, nil))
	m, _ := f.svc.ShowMeeting(ctx, f.owner(t), strings.TrimPrefix(path, "/meetings/"))
	for i := 0; i < admit.DefaultGuessBudget; i++ {
		f.svc.Join(ctx, &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: "wrong-" + itoa(int64(i)), Name: "Eve", Channel: admit.ChannelWeb, Source: "198.51.100." + itoa(int64(i%250))})
	}
	page := c.get(path)
	if !strings.Contains(page.body, `<div class="alert" role="alert">`) || strings.Contains(page.body, "/budget/reset") {
		t.Fatalf("spent budget: no alert, or a reset before the passcode is regenerated:\n%s", page.body)
	}
	wantRedirect(t, c.post(path+"/regenerate", url.Values{"what": {"passcode"}}, true), path, "regenerate")
	page = c.get(path)
	if !strings.Contains(page.body, path+"/budget/reset") {
		t.Fatal("no reset form after the passcode was regenerated")
	}
	wantRedirect(t, c.post(path+"/budget/reset", nil, true), path+"?done=reset", "reset")
	if page = c.get(path + "?done=reset"); strings.Contains(page.body, `<div class="alert" role="alert">`) {
		t.Error("the alert stays after the reset")
	}
	if n := len(f.events(t, "budget.reset")); n != 1 {
		t.Errorf("%d budget.reset events", n)
	}
}

// TestEndConfirmationRoles: the End confirmation (GET /meetings/{id}/end)
// is decided as End itself (POST) is: the meeting's host, its alternative
// hosts, the account's owners and admins; another host of the account gets
// the 404 of a meeting that does not exist; a visitor is sent to sign in;
// the confirmation says how many leave.
func TestEndConfirmationRoles(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	path := owner.schedule(t, scheduleForm(f, nil))
	r := owner.get(path + "/end")
	wantStatus(t, r, http.StatusOK, "owner's end confirmation")
	if !strings.Contains(r.body, `id="end-form"`) || !strings.Contains(r.body, "0 in the meeting and 0 waiting") {
		t.Errorf("end confirmation without its form or count:\n%s", r.body)
	}
	wantRedirect(t, f.client(t).get(path+"/end"), "/signin", "visitor's end confirmation")

	owner.get("/users")
	r = owner.post("/users", url.Values{"name": {"Hank Host"}, "email": {"hank@example.com"}, "role": {"host"}}, true)
	link := regexp.MustCompile(`id="invite-link" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("invitation link not shown:\n%s", r.body)
	}
	hank := f.client(t)
	invPath := strings.TrimPrefix(link[1], "http://admit.test")
	hank.get(invPath)
	wantRedirect(t, hank.post(invPath, url.Values{"password": {"hank-secret-words"}, "password_confirm": {"hank-secret-words"}}, false), "/", "accept invitation")
	wantStatus(t, hank.get(path+"/end"), http.StatusNotFound, "another host of the account, on the owner's meeting")
	wantStatus(t, hank.get("/meetings/mnosuchmeeting00000/end"), http.StatusNotFound, "an unknown meeting's end confirmation")
	hankPath := hank.schedule(t, scheduleForm(f, nil))
	wantStatus(t, hank.get(hankPath+"/end"), http.StatusOK, "hank's own end confirmation")
	wantStatus(t, owner.get(hankPath+"/end"), http.StatusOK, "the owner's end confirmation of hank's meeting")
}

// TestAdmitAllRoles: POST /meetings/{id}/admit-all is decided as each
// Admit is (Roster and Decide: a user of the meeting's account); a visitor
// is sent to sign in, an unknown meeting is 404, and with nobody waiting it
// does nothing.
func TestAdmitAllRoles(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	path := owner.schedule(t, scheduleForm(f, url.Values{"waiting_room": {"on"}}))
	owner.get(path)
	wantRedirect(t, owner.post(path+"/admit-all", url.Values{"occurrence": {"1"}}, true), path, "owner's admit all")
	wantStatus(t, owner.post("/meetings/mnosuchmeeting00000/admit-all", nil, true), http.StatusNotFound, "unknown meeting")
	visitor := f.client(t)
	r := visitor.post(path+"/admit-all", nil, false)
	if r.status != http.StatusSeeOther && r.status != http.StatusForbidden {
		t.Errorf("a visitor's admit all: %d, want a refusal", r.status)
	}
}

// TestRestoreAndDenyUnmatched: once the guess budget is spent, a wrong
// passcode waits like a right one; the host's page marks them, denies the
// unmatched at once and restores the meeting in one step.
func TestRestoreAndDenyUnmatched(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	path := c.schedule(t, scheduleForm(f, nil))
	id := strings.TrimPrefix(path, "/meetings/")
	m, err := f.svc.ShowMeeting(context.Background(), f.owner(t), id)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < admit.DefaultGuessBudget; i++ {
		f.svc.Join(context.Background(), &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: "wrong-" + itoa(int64(i)), Name: "Eve", Channel: admit.ChannelWeb, Source: "198.51.100." + itoa(int64(i%250))})
	}
	join := func(passcode, name string) *admit.JoinResult {
		t.Helper()
		r, err := f.svc.Join(context.Background(), &admit.JoinRequest{MeetingID: m.MeetingID, Passcode: passcode, Name: name,
			Channel: admit.ChannelWeb, Source: "198.51.100.7"})
		if err != nil {
			t.Fatalf("join %s: %v", name, err)
		}
		return r
	}
	right, wrong := join(m.Passcode, "Rita Right"), join("Wrong1234567", "Walt Wrong")
	if right.Status != admit.StatusWaiting || wrong.Status != admit.StatusWaiting {
		t.Fatalf("right %s, wrong %s; want both waiting", right.Status, wrong.Status)
	}
	page := c.get(path)
	for _, want := range []string{`id="restore"`, `id="deny-unmatched"`, `badge matched`, `badge unmatched`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the meeting page under attack lacks %s", want)
		}
	}
	wantRedirect(t, c.post(path+"/deny-unmatched", url.Values{"occurrence": {"1"}}, true), path+"?done=denied-unmatched&occurrence=1", "deny unmatched")
	if page = c.get(path); strings.Contains(page.body, "Walt Wrong") && strings.Contains(page.body, "badge unmatched") {
		t.Error("the unmatched entry still waits after deny-unmatched")
	}
	wantRedirect(t, c.post(path+"/restore", nil, true), path+"?done=restored", "restore")
	after, err := f.svc.ShowMeeting(context.Background(), f.owner(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if after.Passcode == m.Passcode || after.Budget == nil || after.Budget.Spent {
		t.Errorf("after restore: passcode redrawn %v, budget %+v; want a new passcode and the budget not spent", after.Passcode != m.Passcode, after.Budget)
	}
}

// TestSettingsTokens: a user makes an API token on the settings page, sees
// it once, finds it listed (never the token itself), uses it, and revokes
// it there; a token that is not theirs cannot be revoked from this page.
func TestSettingsTokens(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	c.get("/settings")
	r := c.post("/settings/tokens", url.Values{"token_name": {"Dashboard"}, "token_scopes": {"read"}, "token_expires_in": {"720h"}}, true)
	wantStatus(t, r, http.StatusOK, "make a token")
	m := regexp.MustCompile(`id="new-token" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the new token is not shown:\n%s", r.body)
	}
	tok := m[1]
	a, err := f.svc.Authenticate(context.Background(), tok, "test")
	if err != nil || a.User.Email != "olive@example.com" {
		t.Fatalf("the token made on the page does not authenticate: %v", err)
	}
	page := c.get("/settings")
	if strings.Contains(page.body, tok) || !strings.Contains(page.body, "Dashboard") {
		t.Errorf("the token list shows the token, or lacks its name")
	}
	id := regexp.MustCompile(`class="token" data-id="(\d+)"`).FindStringSubmatch(page.body)
	if id == nil {
		t.Fatalf("no token row:\n%s", page.body)
	}
	wantStatus(t, c.post("/settings/tokens", url.Values{"token_name": {"x"}, "token_expires_in": {"720h"}}, true), http.StatusBadRequest, "a token without scopes")
	wantStatus(t, c.post("/settings/tokens/999999/revoke", nil, true), http.StatusNotFound, "revoke another's or no token")
	wantRedirect(t, c.post("/settings/tokens/"+id[1]+"/revoke", nil, true), "/settings?done=revoked#tokens-h", "revoke")
	if _, err := f.svc.Authenticate(context.Background(), tok, "test"); err == nil {
		t.Error("the revoked token still authenticates")
	}
}

// TestGuessChanceWithoutPasscode: a meeting no passcode or PIN guards has
// nothing to guess, and its page says so in words (not "no chance of
// getting in", and no P ≤ symbols), with who gets in instead. (Without a
// waiting room such a meeting is refused at the default ceiling.)
func TestGuessChanceWithoutPasscode(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	for _, tc := range []struct {
		waiting string
		want    string
	}{{"on", "whoever has its ID waits for you to admit them"}} {
		form := scheduleForm(f, url.Values{"passcode_mode": {"none"}, "waiting_room": {tc.waiting}})
		if tc.waiting == "" {
			form.Del("waiting_room")
		}
		page := c.get(c.schedule(t, form))
		i := strings.Index(page.body, `id="guess-chance"`)
		if i < 0 {
			t.Fatalf("waiting room %q: no guessing chance on the page:\n%s", tc.waiting, page.body)
		}
		dd := page.body[i:]
		dd = dd[:strings.Index(dd, "</dd>")]
		if !strings.Contains(dd, "has nothing to guess") || !strings.Contains(dd, tc.want) || strings.Contains(dd, "P ≤") || strings.Contains(dd, "no chance") {
			t.Errorf("waiting room %q: guessing chance reads %q, want nothing to guess and %q", tc.waiting, dd, tc.want)
		}
	}
}
