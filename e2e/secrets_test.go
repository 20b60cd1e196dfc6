package e2e_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// canaries returns every secret a meeting shows, and the API token.
func canaries(m *meeting, token string) []string {
	out := []string{token, m.Passcode, m.PhonePass}
	for _, o := range m.Occurrences {
		out = append(out, o.AccessCode)
	}
	for _, inv := range m.Invitees {
		out = append(out, inv.PIN, inv.Passcode, inv.Link[strings.LastIndex(inv.Link, "/")+1:])
	}
	var nonEmpty []string
	for _, s := range out {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return nonEmpty
}

// unkeyedForms are the ways a careless store would keep a secret: as is, or
// as an unkeyed hash in binary, hex or base64.
func unkeyedForms(s string) map[string][]byte {
	forms := map[string][]byte{"plain": []byte(s)}
	sums := map[string][]byte{}
	m5 := md5.Sum([]byte(s))
	s1 := sha1.Sum([]byte(s))
	s256 := sha256.Sum256([]byte(s))
	s512 := sha512.Sum512([]byte(s))
	sums["md5"], sums["sha1"], sums["sha256"], sums["sha512"] = m5[:], s1[:], s256[:], s512[:]
	for name, sum := range sums {
		forms[name] = sum
		forms[name+" hex"] = []byte(hex.EncodeToString(sum))
		forms[name+" base64"] = []byte(base64.StdEncoding.EncodeToString(sum))
	}
	return forms
}

// storeBytes reads the whole store: the database file and its WAL.
func storeBytes(t *testing.T, data string) []byte {
	t.Helper()
	var all []byte
	for _, name := range []string{"admit.db", "admit.db-wal"} {
		b, err := os.ReadFile(filepath.Join(data, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		t.Fatal("the store is empty")
	}
	return all
}

func TestSecretsAtRestAndKeyRotation(t *testing.T) {
	s := startServer(t, "", "--mail-interval", "100ms")
	tok := s.host("ada@example.com", "Ada")
	s.setClock(monday)
	shared := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), map[string]any{
		"security": map[string]any{"passcode_value": "Canary-Pass-7391"},
		"invitees": []map[string]any{{"name": "Grace", "email": "grace@example.com"}, {"name": "Alan"}},
	}))
	unique := s.schedule(tok, scheduledAt(monday.Add(5*time.Minute), map[string]any{
		"security": map[string]any{"passcode": "unique"},
		"invitees": []map[string]any{{"name": "Barbara"}, {"name": "Edsger"}},
	}))
	secrets := append(canaries(shared, tok), canaries(unique, "")...)
	// The account's own SMTP password (a server that refuses connections:
	// nothing needs to arrive).
	smtpPassword := "Canary-Smtp-Pw-4417"
	s.do("PUT", "/api/v1/account/mail/smtp", tok, map[string]any{"host": "127.0.0.1", "port": 1, "security": "starttls",
		"username": "mailer", "password": smtpPassword, "from": "meetings@acme.example"}).must(t, 200)
	secrets = append(secrets, smtpPassword)
	if len(secrets) < 15 {
		t.Fatalf("only %d canaries", len(secrets))
	}
	wantAdmitted(t, s.join(map[string]any{"meeting_id": shared.MeetingID, "passcode": shared.Passcode}), "before rotation")

	check := func(when string) {
		db := storeBytes(t, s.data)
		for _, sec := range secrets {
			for form, b := range unkeyedForms(sec) {
				if bytes.Contains(db, b) {
					t.Errorf("%s: the store holds secret %q as %s", when, sec, form)
				}
			}
		}
	}
	check("before rotation")

	// Joins go on while the key rotates under the running server.
	s.setClock(monday.Add(time.Minute))
	stop := make(chan struct{})
	var joins, failures atomic.Int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			r := s.join(map[string]any{"meeting_id": shared.MeetingID, "passcode": shared.Passcode})
			joins.Add(1)
			if r.status != 200 {
				failures.Add(1)
			}
		}
	}()
	out := s.cli("keys", "rotate", "--settle", "200ms")
	close(stop)
	wg.Wait()
	if !strings.Contains(out, "version 2 is current") || !strings.Contains(out, "retired") {
		t.Fatalf("keys rotate said:\n%s", out)
	}
	if joins.Load() == 0 || failures.Load() != 0 {
		t.Errorf("%d of %d joins failed during the rotation (want some joins, none failed)", failures.Load(), joins.Load())
	}
	key, _ := os.ReadFile(filepath.Join(s.data, "admit.key"))
	if !strings.Contains(string(key), "retired 1") || !strings.Contains(string(key), "seal 2 ") {
		t.Errorf("key file after rotation:\n%s", key)
	}

	// Everything still opens and works under the new key.
	again := decodeMeeting(t, s.do("GET", "/api/v1/meetings/"+unique.ID, tok, nil).must(t, 200))
	for i, inv := range again.Invitees {
		if inv.PIN != unique.Invitees[i].PIN || inv.Passcode != unique.Invitees[i].Passcode || inv.Link != unique.Invitees[i].Link {
			t.Errorf("invitee %d after rotation: %+v, was %+v", i, inv, unique.Invitees[i])
		}
	}
	if again.Occurrences[0].AccessCode != unique.Occurrences[0].AccessCode {
		t.Error("access code changed by the rotation")
	}
	wantAdmitted(t, s.join(map[string]any{"access_code": unique.Occurrences[0].AccessCode, "passcode": unique.Invitees[1].Passcode}), "after rotation")
	token := unique.Invitees[0].Link[strings.LastIndex(unique.Invitees[0].Link, "/")+1:]
	wantAdmitted(t, s.join(map[string]any{"token": token}), "link after rotation")
	regen := decodeMeeting(t, s.do("POST", "/api/v1/meetings/"+shared.ID+"/regenerate", tok, map[string]any{"what": "passcode"}).must(t, 200))
	wantAdmitted(t, s.join(map[string]any{"meeting_id": shared.MeetingID, "passcode": regen.Passcode}), "passcode made after rotation")
	secrets = append(secrets, regen.Passcode, regen.PhonePass)
	if got := s.do("GET", "/api/v1/account/mail", tok, nil).must(t, 200); got.body["password_set"] != true {
		t.Errorf("the account's SMTP password is gone after rotation: %s", got.raw)
	}
	// The sender opens it under the new key: the regeneration's update to
	// Grace is attempted and fails at the (refusing) server, not before.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds := s.do("GET", "/api/v1/meetings/"+shared.ID+"/deliveries", tok, nil).must(t, 200)
		list, _ := ds.body["deliveries"].([]any)
		var tried map[string]any
		for _, d := range list {
			if d, _ := d.(map[string]any); d["kind"] == "update" && d["attempts"] != float64(0) {
				tried = d
			}
		}
		if tried != nil {
			if e, _ := tried["last_error"].(string); !strings.Contains(e, "127.0.0.1:1") || strings.Contains(e, "SMTP settings of account") {
				t.Errorf("the update's attempt failed with %q, want the server's refusal", e)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the update was never attempted: %s", ds.raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	check("after rotation")

	// No secret reached the server's log.
	logs := s.logs.String()
	for _, sec := range secrets {
		if strings.Contains(logs, sec) {
			t.Errorf("the server's log holds secret %q", sec)
		}
	}
}
