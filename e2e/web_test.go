package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// webClient is a cookie-keeping client of the web app that does not follow
// redirects, so that each 303 is checked.
type webClient struct {
	t    testing.TB
	s    *server
	c    *http.Client
	csrf string
}

func (s *server) webClient() *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: s.t, s: s, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// send makes a request and returns its status, Location and body.
func (b *webClient) send(method, path string, form url.Values, hdr ...string) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.url+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(raw); m != nil {
		b.csrf = string(m[1])
	}
	return res.StatusCode, res.Header.Get("Location"), string(raw)
}

// setupURL waits for the set-up line on the server's standard output (a
// pipe, so the line names the owner-only file that holds the link) and
// reads the link.
func (s *server) setupURL() string {
	s.t.Helper()
	re := regexp.MustCompile(`the one-time link to set up the owner account is in (\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(s.out.String()); m != nil {
			b, err := os.ReadFile(m[1])
			if err != nil {
				s.t.Fatalf("reading the set-up link: %v", err)
			}
			return strings.TrimSpace(string(b))
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no set-up link printed; standard output:\n%s", s.out.String())
	return ""
}

// TestWebFirstStartSetupLink: the first start prints a one-time link; it
// creates the owner once; a restart with an owner prints none.
func TestWebFirstStartSetupLink(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	link := s.setupURL()
	if !strings.HasPrefix(link, s.url+"/setup/") {
		t.Fatalf("set-up link %q is not on %s", link, s.url)
	}
	if strings.Contains(s.logs.String(), strings.TrimPrefix(link, s.url+"/setup/")) {
		t.Error("the set-up token is in the server's log")
	}
	b := s.webClient()
	if st, loc, _ := b.send("GET", "/", nil); st != http.StatusSeeOther || loc != "/welcome" {
		t.Fatalf("dashboard without an owner: %d %q", st, loc)
	}
	path := strings.TrimPrefix(link, s.url)
	if st, _, body := b.send("GET", path, nil); st != 200 || !strings.Contains(body, `id="setup-form"`) {
		t.Fatalf("set-up form: %d\n%s", st, body)
	}
	form := url.Values{"name": {"Olive Owner"}, "email": {"olive@example.com"}, "password": {"a-long-owner-password"}, "password_confirm": {"a-long-owner-password"}}
	if st, loc, body := b.send("POST", path, form); st != http.StatusSeeOther || loc != "/" {
		t.Fatalf("set-up: %d %q\n%s", st, loc, body)
	}
	if st, _, body := b.send("GET", "/", nil); st != 200 || !strings.Contains(body, "Today's calls") {
		t.Fatalf("dashboard after set-up: %d\n%s", st, body)
	}
	other := s.webClient()
	form.Set("email", "mallory@example.com")
	if st, _, _ := other.send("POST", path, form); st == http.StatusSeeOther {
		t.Fatal("the set-up link worked twice")
	}
	s.stop()
	s2 := startServer(t, data)
	if st, _, _ := s2.webClient().send("GET", "/signin", nil); st != 200 {
		t.Fatalf("sign-in page after restart: %d", st)
	}
	if strings.Contains(s2.out.String(), "/setup/") {
		t.Errorf("a restart with an owner printed a set-up link:\n%s", s2.out.String())
	}
}

// TestWebSignInScheduleReveal drives the host's flow: a user made with the
// CLI gets an invitation through the owner, signs in, schedules a meeting
// with the form, reveals its passcode (audited) and sees it work for a
// join.
func TestWebSignInScheduleReveal(t *testing.T) {
	s := startServer(t, "")
	link := s.setupURL()
	owner := s.webClient()
	pw := "a-long-owner-password"
	if st, _, body := owner.send("POST", strings.TrimPrefix(link, s.url), url.Values{"name": {"Olive Owner"}, "email": {"olive@example.com"}, "password": {pw}, "password_confirm": {pw}}); st != http.StatusSeeOther {
		t.Fatalf("set-up: %d\n%s", st, body)
	}
	// Sign in afresh: wrong password first.
	b := s.webClient()
	if st, _, body := b.send("POST", "/signin", url.Values{"email": {"olive@example.com"}, "password": {"wrong-password-here"}}); st != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password.") {
		t.Fatalf("wrong password: %d\n%s", st, body)
	}
	if st, loc, _ := b.send("POST", "/signin", url.Values{"email": {"olive@example.com"}, "password": {pw}}); st != http.StatusSeeOther || loc != "/" {
		t.Fatalf("sign-in: %d %q", st, loc)
	}
	// Schedule through the form.
	b.send("GET", "/meetings/new", nil)
	start := time.Now().UTC().Add(10 * time.Minute)
	form := url.Values{"csrf": {b.csrf}, "topic": {"Web flow"}, "date": {start.Format("2006-01-02")}, "time": {start.Format("15:04")},
		"duration": {"30"}, "timezone": {"UTC"}, "recurrence": {"none"}, "passcode_mode": {"shared"}, "access_code": {"on"},
		"early_join_minutes": {"15"}, "max_uses": {"0"}, "invitees": {"Grace Hopper <grace@example.com>"}}
	st, loc, body := b.send("POST", "/meetings", form)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/meetings/m") {
		t.Fatalf("schedule: %d %q\n%s", st, loc, body)
	}
	path := loc[:strings.Index(loc, "?")]
	st, _, page := b.send("GET", path, nil)
	if st != 200 || !strings.Contains(page, `id="passcode"`) || !strings.Contains(page, "••••••") {
		t.Fatalf("meeting page: %d\n%s", st, page)
	}
	number := regexp.MustCompile(`id="meeting-id" class="mono">([0-9 ]+)<`).FindStringSubmatch(page)
	if number == nil {
		t.Fatalf("no meeting ID on the page")
	}
	// Reveal, as the script does.
	st, _, js := b.send("POST", path+"/reveal", url.Values{"csrf": {b.csrf}, "what": {"passcode"}}, "Accept", "application/json")
	var rev struct{ Value string }
	if st != 200 || json.Unmarshal([]byte(js), &rev) != nil || rev.Value == "" {
		t.Fatalf("reveal: %d %s", st, js)
	}
	if strings.Contains(page, rev.Value) {
		t.Fatal("the passcode was on the page before it was revealed")
	}
	if strings.Contains(s.logs.String(), rev.Value) {
		t.Error("the passcode is in the server's log")
	}
	// The revealed passcode lets a participant in (the meeting opens early).
	j := s.do("POST", "/api/v1/join", "", map[string]any{"meeting_id": strings.ReplaceAll(number[1], " ", ""), "passcode": rev.Value, "name": "Ada", "channel": "web"})
	if j.status != 200 {
		t.Fatalf("join with the revealed passcode: %d %s", j.status, j.raw)
	}
	// The reveal is in the audit log page.
	st, _, audit := b.send("GET", "/audit?action=code.", nil)
	if st != 200 || !strings.Contains(audit, `class="detail">passcode</td>`) || !strings.Contains(audit, `id="log-status"`) {
		t.Fatalf("audit page: %d\n%s", st, audit)
	}
	// The CLI's audit verify agrees.
	if out := s.cli("audit", "verify"); !strings.Contains(out, "audit log OK") {
		t.Errorf("audit verify: %s", out)
	}
	// Sign out ends the session.
	if st, loc, _ := b.send("POST", "/signout", url.Values{"csrf": {b.csrf}}); st != http.StatusSeeOther || loc != "/signin" {
		t.Fatalf("sign-out: %d %q", st, loc)
	}
	if st, loc, _ := b.send("GET", path, nil); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin") {
		t.Fatalf("meeting page after sign-out: %d %q", st, loc)
	}
}

// TestWebPasswordLinkForCLIUser: a user made with the CLI gets a password
// link from `admit user link`, sets a password with it and signs in.
func TestWebPasswordLinkForCLIUser(t *testing.T) {
	s := startServer(t, "")
	s.cli("user", "create", "--email", "cli@example.com", "--name", "Cli User")
	b := s.webClient()
	if st, _, _ := b.send("POST", "/signin", url.Values{"email": {"cli@example.com"}, "password": {"anything-at-all-1"}}); st != http.StatusUnauthorized {
		t.Fatalf("sign-in without a password set: %d", st)
	}
	link := strings.TrimSpace(s.cli("user", "link", "--email", "cli@example.com", "--base-url", s.url))
	if !strings.HasPrefix(link, s.url+"/invite/") {
		t.Fatalf("user link printed %q", link)
	}
	path := strings.TrimPrefix(link, s.url)
	pw := "a-password-from-the-cli"
	if st, loc, body := b.send("POST", path, url.Values{"password": {pw}, "password_confirm": {pw}}); st != http.StatusSeeOther || loc != "/" {
		t.Fatalf("set password: %d %q\n%s", st, loc, body)
	}
	if st, _, _ := b.send("POST", path, url.Values{"password": {pw}, "password_confirm": {pw}}); st != http.StatusNotFound {
		t.Fatalf("the password link worked twice: %d", st)
	}
	c := s.webClient()
	if st, loc, _ := c.send("POST", "/signin", url.Values{"email": {"cli@example.com"}, "password": {pw}}); st != http.StatusSeeOther || loc != "/" {
		t.Fatalf("sign-in: %d %q", st, loc)
	}
}

// TestWebDeadEndsNameTheWayOut follows the README as a new user would: the
// owner made with the CLI, the set-up link then answers 410 and the sign-in
// refuses; both pages name `admit user link`, the set-up page links to the
// sign-in, and what `user create` printed is a link that lets them in.
func TestWebDeadEndsNameTheWayOut(t *testing.T) {
	s := startServer(t, "")
	link := s.setupURL()
	out := s.cli("user", "create", "--email", "ada@example.com", "--name", "Ada Lovelace")
	b := s.webClient()
	st, _, body := b.send("GET", strings.TrimPrefix(link, s.url), nil)
	if st != http.StatusGone || !strings.Contains(body, "admit user link --email") || !strings.Contains(body, `href="/signin"`) {
		t.Errorf("set-up link after user create: %d, and the page names no way in:\n%s", st, body)
	}
	st, _, body = b.send("POST", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"whatever-it-was"}})
	if st != http.StatusUnauthorized || !strings.Contains(body, "admit user link --email") {
		t.Errorf("sign-in without a password: %d, and the page does not name admit user link:\n%s", st, body)
	}
	var invite string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, s.url+"/invite/") {
			invite = line
		}
	}
	if invite == "" {
		t.Fatalf("user create printed no set-password link:\n%s", out)
	}
	pw := "a-password-from-create"
	if st, loc, body := b.send("POST", strings.TrimPrefix(invite, s.url), url.Values{"password": {pw}, "password_confirm": {pw}}); st != http.StatusSeeOther || loc != "/" {
		t.Fatalf("set password with user create's link: %d %q\n%s", st, loc, body)
	}
}

// TestWebAuditReadable: the audit page lists the newest entry first and
// names actors and targets (the user's name, the meeting's topic) rather
// than raw references.
func TestWebAuditReadable(t *testing.T) {
	s := startServer(t, "")
	link := s.setupURL()
	b := s.webClient()
	form := url.Values{"name": {"Olive Owner"}, "email": {"olive@example.com"}, "password": {"a-long-owner-password"}, "password_confirm": {"a-long-owner-password"}}
	if st, _, body := b.send("POST", strings.TrimPrefix(link, s.url), form); st != http.StatusSeeOther {
		t.Fatalf("set-up: %d\n%s", st, body)
	}
	tok := strings.TrimSpace(s.cli("token", "create", "--email", "olive@example.com"))
	s.schedule(tok, scheduledAt(time.Now().UTC().Add(time.Hour).Truncate(time.Minute), map[string]any{"topic": "Quarterly planning"}))
	st, _, body := b.send("GET", "/audit", nil)
	if st != 200 {
		t.Fatalf("audit page: %d", st)
	}
	rows := regexp.MustCompile(`(?s)<tr class="event">(.*?)</tr>`).FindAllStringSubmatch(body, -1)
	if len(rows) < 3 {
		t.Fatalf("%d audit rows:\n%s", len(rows), body)
	}
	if !strings.Contains(rows[0][1], "meeting.create") || !strings.Contains(rows[0][1], "Quarterly planning") {
		t.Errorf("the first row is not the newest (meeting.create of Quarterly planning): %s", rows[0][1])
	}
	if !strings.Contains(body, "Olive Owner") || !strings.Contains(body, "Quarterly planning") {
		t.Errorf("the audit page does not name the owner or the meeting's topic")
	}
	if regexp.MustCompile(`class="actor"[^>]*>user:`).MatchString(body) {
		t.Errorf("the audit page shows raw actor references")
	}
}
