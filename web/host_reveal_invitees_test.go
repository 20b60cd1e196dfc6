package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestInviteeCredentialsShownOnRequest: the meeting page hides the
// invitees' links, PINs and passcodes and records nothing when it loads
// (nor does the live roster); showing them, with or without the script, is
// one code.view of the invitees each time.
func TestInviteeCredentialsShownOnRequest(t *testing.T) {
	f := newFixture(t)
	c := f.mustSetup(t)
	path := c.schedule(t, scheduleForm(f, url.Values{"invitees": {"Grace Hopper <grace@example.com>\nAlan Turing"}, "passcode_mode": {"unique"}}))
	m, err := f.svc.ShowMeeting(context.Background(), f.owner(t), strings.TrimPrefix(path, "/meetings/"))
	if err != nil {
		t.Fatal(err)
	}
	grace := m.Invitees[0]
	views := len(f.events(t, "code.view"))
	for range 3 {
		page := c.get(path)
		wantStatus(t, page, http.StatusOK, "meeting page")
		for _, secret := range []string{grace.Link, grace.PIN, grace.Passcode} {
			if strings.Contains(page.body, secret) {
				t.Fatalf("the meeting page shows an invitee's credential %q before the host asks", secret)
			}
		}
		if !strings.Contains(page.body, `id="show-invitees"`) {
			t.Fatal("no way to show the invitees' credentials")
		}
	}
	c.get(path + "/roster")
	if n := len(f.events(t, "code.view")) - views; n != 0 {
		t.Fatalf("%d code.view events from loading the page three times and the roster, want none", n)
	}

	r := c.post(path+"/reveal", url.Values{"what": {"invitees"}}, true)
	wantStatus(t, r, http.StatusOK, "show the invitees")
	for _, want := range []string{`class="invitee-link mono" href="` + grace.Link + `"`, grace.PIN, grace.Passcode, `id="invitees-shown"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the shown page lacks %q", want)
		}
	}
	c.get(path)
	r = c.post(path+"/reveal", url.Values{"what": {"invitees"}}, true, "Accept", "application/json")
	var got struct {
		Invitees []struct{ Name, Link, PIN string }
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || len(got.Invitees) != 2 || got.Invitees[0].Link != grace.Link {
		t.Errorf("invitees as JSON: %s", r.body)
	}
	evs := f.events(t, "code.view")[views:]
	if len(evs) != 2 || evs[0].Detail != "invitees" || evs[1].Detail != "invitees" {
		t.Errorf("code.view events after two showings: %d, want 2 with detail invitees", len(evs))
	}
}
