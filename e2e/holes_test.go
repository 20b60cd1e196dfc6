package e2e_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// Part 4 of the hardening issue: the smaller holes, one test each.

// hashing returns the server's count of password hashes made and the most
// that ran at once, from the test clock's answer.
func (s *server) hashing() (total, peak float64) {
	s.t.Helper()
	r := s.do("POST", "/api/v1/test-clock", "", map[string]string{"advance": "0s"}).must(s.t, 200)
	h, ok := r.body["hashing"].(map[string]any)
	if !ok {
		s.t.Fatalf("the test clock's answer has no hashing counts: %s", r.raw)
	}
	total, _ = h["total"].(float64)
	peak, _ = h["peak"].(float64)
	return total, peak
}

// TestInviteLooksUpBeforeHashing: POST /invite/{token} with a token that
// names no link hashes no password; password hashing is bounded process
// wide (--max-hashing); the route is limited per source.
func TestInviteLooksUpBeforeHashing(t *testing.T) {
	s := startServer(t, "", "--max-hashing", "2")
	s.host("ada@example.com", "Ada")
	before, _ := s.hashing()
	var wg sync.WaitGroup
	statuses := make([]int, 24)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := s.webClient()
			statuses[i], _, _ = b.send("POST", "/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", url.Values{"password": {strongPassword}, "password_confirm": {strongPassword}}, "X-Forwarded-For", "198.51.100.20")
		}()
	}
	wg.Wait()
	after, _ := s.hashing()
	if after != before {
		t.Errorf("24 posts to an unknown invitation hashed %v passwords; want none (look the token up first)", after-before)
	}
	limited := 0
	for _, st := range statuses {
		if st == http.StatusTooManyRequests {
			limited++
		} else if st != http.StatusNotFound {
			t.Errorf("POST to an unknown invitation: %d; want 404 or 429", st)
		}
	}
	if limited == 0 {
		t.Errorf("24 posts from one source to /invite were never limited")
	}
	// Sign-ins hash (a dummy for an unknown email): never more than 2 at once.
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := s.webClient()
			b.send("POST", "/signin", url.Values{"email": {"nobody@example.com"}, "password": {"wrong-password-" + string(rune('a'+i))}}, "X-Forwarded-For", nextSource())
		}()
	}
	wg.Wait()
	if total, peak := s.hashing(); peak > 2 || total <= after {
		t.Errorf("hashing total %v (was %v), peak %v; want hashes made, at most 2 at once", total, after, peak)
	}
}

// TestSignInNoOpenRedirect: next=%2F%09%2Fevil.example (a tab a browser
// drops) does not lead to another site, nor do its relatives.
func TestSignInNoOpenRedirect(t *testing.T) {
	s := startServer(t, "")
	s.cli("user", "create", "--email", "olive@example.com", "--name", "Olive", "--role", "owner")
	s.signIn("olive@example.com")
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\\evil.example", "//evil.example", "/%09/evil.example", "https://evil.example"} {
		st, loc := rawPost(t, s.url+"/signin", url.Values{"email": {"olive@example.com"}, "password": {strongPassword}, "next": {next}})
		if st != http.StatusSeeOther {
			t.Fatalf("sign-in with next %q: %d", next, st)
		}
		clean := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(loc)
		u, err := url.Parse(s.url + "/x")
		target, err2 := u.Parse(clean)
		if err != nil || err2 != nil || target.Host != u.Host || strings.HasPrefix(clean, "//") || strings.HasPrefix(clean, "/\\") {
			t.Errorf("sign-in with next %q redirects to %q; want a page of this site", next, loc)
		}
	}
}

// rawPost posts a form and returns the status and the Location header as
// sent (a client would refuse to parse a Location with control
// characters).
func rawPost(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// TestMissingKeyFileRefusesToStart: a store with data and no matching key
// file is not given a new key: serve refuses to start and says how to
// restore the key.
func TestMissingKeyFileRefusesToStart(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	s.schedule(tok, scheduledAt(monday.Add(time.Hour), nil))
	s.stop()
	key := filepath.Join(data, "admit.key")
	saved, err := os.ReadFile(key)
	if err != nil {
		t.Fatalf("reading the key file: %v", err)
	}
	os.Remove(key)
	out, code := runBriefly(t, "serve", "--data", data, "--http", "127.0.0.1:0")
	if code == 0 || !strings.Contains(out, "admit.key") || !strings.Contains(strings.ToLower(out), "restore") {
		t.Errorf("serve without its key file: exit %d\n%s\nwant a refusal naming the key file and how to restore it", code, out)
	}
	if _, err := os.Stat(key); err == nil {
		t.Errorf("serve wrote a new key file over a store that has data")
	}
	// Another key is refused as well.
	other := bytes.Repeat([]byte{7}, len(saved))
	os.WriteFile(key, other, 0o600)
	if out, code := runBriefly(t, "serve", "--data", data, "--http", "127.0.0.1:0"); code == 0 {
		t.Errorf("serve with another key file started:\n%s", out)
	}
	// The right key starts it again.
	os.WriteFile(key, saved, 0o600)
	s2 := startServer(t, data)
	s2.do("GET", "/api/v1/meetings", tok, nil).must(t, 200)
}

// runBriefly runs the binary for at most 15 s and returns its output and
// exit code (-1 when it was still running: a server that started).
func runBriefly(t *testing.T, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "ADMIT_DATA=", "ADMIT_HTTP=")
	var out lockedWriter
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			if ee, ok := err.(*exec.ExitError); ok {
				return out.String(), ee.ExitCode()
			}
			return out.String(), 0
		case <-time.After(100 * time.Millisecond):
			if strings.Contains(out.String(), "listening on") {
				cmd.Process.Kill()
				<-done
				return out.String(), -1
			}
		}
	}
}

// TestPasswordLinksEndTogether: using a newer one-time password link ends
// the older ones; so does a password change.
func TestPasswordLinksEndTogether(t *testing.T) {
	s := startServer(t, "")
	s.cli("user", "create", "--email", "cli@example.com", "--name", "Cli User")
	link := func() string {
		return strings.TrimPrefix(strings.TrimSpace(s.cli("user", "link", "--email", "cli@example.com", "--base-url", s.url)), s.url)
	}
	old, newer := link(), link()
	b := s.webClient()
	if st, _, body := b.send("POST", newer, url.Values{"password": {strongPassword}, "password_confirm": {strongPassword}}); st != http.StatusSeeOther {
		t.Fatalf("the newer link: %d\n%s", st, body)
	}
	if st, _, _ := s.webClient().send("POST", old, url.Values{"password": {"mallory-owns-this-account-77"}, "password_confirm": {"mallory-owns-this-account-77"}}); st != http.StatusNotFound {
		t.Errorf("the older link after the newer one was used: %d; want 404", st)
	}
	pending := link()
	b.send("GET", "/settings", nil)
	const changed = "copper-meadow-sextant-orchid-47"
	if st, _, body := b.send("POST", "/settings/password", url.Values{"csrf": {b.csrf}, "current_password": {strongPassword}, "password": {changed}, "password_confirm": {changed}}); st != http.StatusSeeOther && st != 200 {
		t.Fatalf("password change: %d\n%s", st, body)
	}
	if st, _, _ := s.webClient().send("POST", pending, url.Values{"password": {"mallory-owns-this-account-77"}, "password_confirm": {"mallory-owns-this-account-77"}}); st != http.StatusNotFound {
		t.Errorf("an outstanding link after a password change: %d; want 404", st)
	}
}

// TestHostActionAndAuditAtomic: when the audit entry cannot be written, the
// host's action does not happen and a reveal shows no secret.
func TestHostActionAndAuditAtomic(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(time.Hour), nil))
	db, err := sql.Open("sqlite", filepath.Join(data, "admit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER no_audit BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END`); err != nil {
		t.Fatalf("adding the trigger: %v", err)
	}
	if r := s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil); r.status != 500 || strings.Contains(string(r.raw), m.Passcode) {
		t.Errorf("show (a reveal) without its audit entry: %d %s; want 500 and no passcode", r.status, r.raw)
	}
	if r := s.do("PATCH", "/api/v1/meetings/"+m.ID, tok, map[string]any{"topic": "Changed unaudited"}); r.status != 500 {
		t.Errorf("update without its audit entry: %d %s; want 500", r.status, r.raw)
	}
	if r := s.do("POST", "/api/v1/meetings/"+m.ID+"/regenerate", tok, map[string]any{"what": "passcode"}); r.status != 500 {
		t.Errorf("regenerate without its audit entry: %d %s; want 500", r.status, r.raw)
	}
	if r := s.do("DELETE", "/api/v1/meetings/"+m.ID, tok, nil); r.status != 500 {
		t.Errorf("delete without its audit entry: %d %s; want 500", r.status, r.raw)
	}
	db.Exec(`DROP TRIGGER no_audit`)
	shown := decodeMeeting(t, s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil).must(t, 200))
	if shown.Passcode != m.Passcode {
		t.Errorf("the passcode was regenerated though its audit entry failed")
	}
	if r := s.do("GET", "/api/v1/meetings/"+m.ID, tok, nil); r.str("topic") == "Changed unaudited" {
		t.Errorf("the topic changed though its audit entry failed")
	}
}

// TestDisplayNames: names with bidirectional overrides or zero-width
// characters are refused, naming the field; a guest cannot take an
// invitee's exact name.
func TestDisplayNames(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), map[string]any{"invitees": []map[string]any{{"name": "Grace Hopper"}}}))
	for _, name := range []string{"Grace\u202eHopper", "Gr\u200bace Hopper", "Ada\u2066Lovelace\u2069", "\ufeffGrace Hopper", "Grace\u200dHopper"} {
		r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": name})
		if r.status != 400 || r.str("field") != "name" {
			t.Errorf("join as %q: %d %s; want 400 naming the name", name, r.status, r.raw)
		}
	}
	r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Grace Hopper"})
	if r.status == 200 {
		p, _ := r.body["participant"].(map[string]any)
		if p["display_name"] == "Grace Hopper" {
			t.Errorf("a guest took the invitee's exact name: %s", r.raw)
		}
	} else if r.status != 400 || r.str("field") != "name" {
		t.Errorf("a guest with the invitee's name: %d %s; want another name or 400 naming the name", r.status, r.raw)
	}
}

// claims decodes a JWT's payload (without checking it: the test only reads
// the expiry).
func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("admission token %q is not a JWT", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err != nil || json.Unmarshal(raw, &c) != nil {
		t.Fatalf("admission token payload: %v", err)
	}
	return c
}

// TestRemovedParticipantStaysOut: an admission token lives a few minutes
// and is refreshed while admitted; a removed participant gets no fresh one,
// and the same invitee link brings them to the waiting room, not in.
func TestRemovedParticipantStaysOut(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), map[string]any{"invitees": []map[string]any{{"name": "Grace Hopper"}}}))
	link := m.Invitees[0].Link
	token := link[strings.LastIndex(link, "/")+1:]
	r := s.join(map[string]any{"token": token}).must(t, 200)
	c := claims(t, r.str("admission_token"))
	exp, iat := c["exp"].(float64), c["iat"].(float64)
	if exp-iat > 600 {
		t.Errorf("the admission token lives %v s; want at most 10 minutes (refreshed while admitted)", exp-iat)
	}
	p, _ := r.body["participant"].(map[string]any)
	pid, _ := p["id"].(string)
	s.advance(3 * time.Minute)
	st := s.do("GET", "/api/v1/participants/"+pid, "", nil).must(t, 200)
	if st.str("admission_token") == "" || claims(t, st.str("admission_token"))["exp"].(float64) <= exp {
		t.Errorf("an admitted participant's status: %s; want a fresh admission token", st.raw)
	}
	s.do("POST", "/api/v1/meetings/"+m.ID+"/participants/"+s.handle(tok, m.ID, "Grace Hopper")+"/remove", tok, map[string]any{}).must(t, 200)
	st = s.do("GET", "/api/v1/participants/"+pid, "", nil)
	if st.str("admission_token") != "" {
		t.Errorf("a removed participant's status still carries an admission token: %s", st.raw)
	}
	again := s.join(map[string]any{"token": token})
	if again.status != 200 || again.str("status") != "waiting" {
		t.Errorf("the removed invitee's link again: %d %s; want waiting for the host", again.status, again.raw)
	}
	// Denied in the waiting room: the same applies.
	wr := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), map[string]any{"security": map[string]any{"waiting_room": true}, "invitees": []map[string]any{{"name": "Alan Turing"}}}))
	l2 := wr.Invitees[0].Link
	joinFresh(t, s, map[string]any{"token": l2[strings.LastIndex(l2, "/")+1:]}).must(t, 200)
	s.do("POST", "/api/v1/meetings/"+wr.ID+"/participants/"+s.handle(tok, wr.ID, "Alan Turing")+"/deny", tok, map[string]any{}).must(t, 200)
	if again := s.join(map[string]any{"token": l2[strings.LastIndex(l2, "/")+1:]}); again.str("status") == "admitted" {
		t.Errorf("a denied invitee's link again: %s; want not admitted without the host", again.raw)
	}
}

// TestStoreHoldsNoParticipantIDs: participant IDs (bearer capabilities)
// are stored as keyed hashes: none is in the database files.
func TestStoreHoldsNoParticipantIDs(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	m := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), nil))
	var pids []string
	for i := range 3 {
		r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "P" + string(rune('a'+i))}).must(t, 200)
		p, _ := r.body["participant"].(map[string]any)
		pids = append(pids, p["id"].(string))
	}
	s.stop()
	files, _ := filepath.Glob(filepath.Join(data, "admit.db*"))
	if len(files) == 0 {
		t.Fatalf("no database files in %s", data)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, pid := range pids {
			if bytes.Contains(b, []byte(pid)) {
				t.Errorf("%s holds participant ID %s in plain text", filepath.Base(f), pid)
			}
		}
	}
}

// TestDataFilesOwnerOnly: every file under the data directory is readable
// by its owner only, and every directory is the owner's only.
func TestDataFilesOwnerOnly(t *testing.T) {
	data := filepath.Join(t.TempDir(), "fresh")
	s := startServer(t, data)
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	s.schedule(tok, scheduledAt(monday.Add(time.Hour), nil))
	filepath.Walk(data, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v; want no access for group or others", p, fi.Mode().Perm())
		}
		return nil
	})
}

// TestSetupLinkNotOnStdoutWhenPiped: with standard output not a terminal,
// the set-up link goes to a file readable by the owner only, and standard
// output says where.
func TestSetupLinkNotOnStdoutWhenPiped(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.out.String(), "set-up") && !strings.Contains(s.out.String(), "set up") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	out := s.out.String()
	if strings.Contains(out, "/setup/") {
		t.Errorf("the set-up link is on standard output though it is a pipe:\n%s", out)
	}
	file := filepath.Join(data, "setup-link")
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatalf("no set-up link file %s: %v (standard output: %s)", file, err, out)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v; want 0600", file, fi.Mode().Perm())
	}
	if !strings.Contains(out, file) {
		t.Errorf("standard output does not say where the link is:\n%s", out)
	}
	b, _ := os.ReadFile(file)
	if !strings.Contains(string(b), s.url+"/setup/") {
		t.Errorf("the file holds %q; want the set-up link", b)
	}
}

// TestEventStreamsBounded: one participant, or one host session, cannot
// hold more than a few event streams open at once.
func TestEventStreamsBounded(t *testing.T) {
	s := startServer(t, "")
	tok := s.host("ada@example.com", "Ada")
	now := time.Now().UTC().Truncate(time.Minute) // the CLI's password link uses the real clock
	s.setClock(now)
	m := s.schedule(tok, scheduledAt(now.Add(5*time.Minute), map[string]any{"security": map[string]any{"waiting_room": true}}))
	r := s.join(map[string]any{"meeting_id": m.MeetingID, "passcode": m.Passcode, "name": "Pat"}).must(t, 200)
	p, _ := r.body["participant"].(map[string]any)
	pid := p["id"].(string)
	count := func(path string, b *webClient) (open, refused int) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for range 16 {
			req, _ := http.NewRequestWithContext(ctx, "GET", s.url+path, nil)
			c := http.DefaultClient
			if b != nil {
				c = b.c
			}
			res, err := c.Do(req)
			if err != nil {
				t.Errorf("GET %s: %v", path, err)
				return
			}
			if res.StatusCode == 200 {
				open++
			} else if res.StatusCode == http.StatusTooManyRequests {
				refused++
				res.Body.Close()
			}
		}
		return
	}
	if open, refused := count("/p/"+pid+"/events", nil); open > 4 || refused == 0 {
		t.Errorf("16 event streams of one participant: %d open, %d refused; want at most 4 open", open, refused)
	}
	s.cli("user", "create", "--email", "olive@example.com", "--name", "Olive", "--role", "owner")
	b := s.signIn("olive@example.com")
	if open, refused := count("/meetings/"+m.ID+"/events", b); open > 8 || refused == 0 {
		t.Errorf("16 event streams of one session: %d open, %d refused; want at most 8 open", open, refused)
	}
}

// TestPasswordPolicy: passwords an estimator built on real leaked passwords
// finds easy are refused, saying why.
func TestPasswordPolicy(t *testing.T) {
	s := startServer(t, "")
	s.cli("user", "create", "--email", "cli@example.com", "--name", "Cli User")
	link := strings.TrimPrefix(strings.TrimSpace(s.cli("user", "link", "--email", "cli@example.com", "--base-url", s.url)), s.url)
	for _, pw := range []string{"iloveyou12", "Football2024", "password1234", "qwertyuiop12"} {
		st, _, body := s.webClient().send("POST", link, url.Values{"password": {pw}, "password_confirm": {pw}})
		if st == http.StatusSeeOther {
			t.Fatalf("password %q was accepted", pw)
		}
		if !strings.Contains(body, "too easy to guess") {
			t.Errorf("password %q refused (%d) without saying why it is weak", pw, st)
		}
	}
	if st, _, body := s.webClient().send("POST", link, url.Values{"password": {strongPassword}, "password_confirm": {strongPassword}}); st != http.StatusSeeOther {
		t.Errorf("a strong password: %d\n%s", st, body)
	}
}

// joinFresh joins a meeting made a moment ago, trying again for up to 3 s
// while it is refused: a new meeting is not always joinable at once (the
// join cache catches up), a known lag this file's tests are not about.
func joinFresh(t *testing.T, s *server, body map[string]any) *response {
	t.Helper()
	r := s.join(body)
	for try := 0; r.status == 403 && try < 30; try++ {
		time.Sleep(100 * time.Millisecond)
		r = s.join(body)
	}
	return r
}
