package web_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/mail"
)

// TestInvitationOnTheMeetingPage: with mail on, the meeting page shows each
// invitee's delivery with Resend, Copy invitation copies the real values
// (audited), each invitee row copies their own, the calendar files download,
// and another host is refused all of it.
func TestInvitationOnTheMeetingPage(t *testing.T) {
	f := newFixture(t)
	f.svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: f.svc.Keys.(*keys.Ring), FromDomain: "admit.test", UIDDomain: "admit.test"}
	f.svc.SendMail = true
	c := f.mustSetup(t)
	path := c.schedule(t, scheduleForm(f, url.Values{"invitees": {"Grace Hopper <grace@example.com>\nAlan Turing <alan@example.com>"}}))
	id := strings.TrimPrefix(path, "/meetings/")
	m, err := f.svc.ShowMeeting(context.Background(), f.owner(t), id)
	if err != nil {
		t.Fatal(err)
	}
	page := c.get(path)
	wantStatus(t, page, http.StatusOK, "meeting page")
	for _, want := range []string{`id="mail-state"`, "Mail is on", `class="badge delivery-queued"`, "Copy their invitation", `/invitation.ics?invitee=` + m.Invitees[0].ID, "Resend"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the meeting page lacks %q", want)
		}
	}
	views := len(f.events(t, "code.view"))
	r := c.post(path+"/invitation", url.Values{"invitee": {""}}, true)
	wantStatus(t, r, http.StatusOK, "copy invitation without JavaScript")
	if !strings.Contains(r.body, m.Passcode) || strings.Contains(r.body, "(hidden: press Show") {
		t.Errorf("the invitation box lacks the real passcode")
	}
	c.get(path)
	r = c.post(path+"/invitation", url.Values{"invitee": {m.Invitees[1].ID}}, true, "Accept", "application/json")
	wantStatus(t, r, http.StatusOK, "copy their invitation")
	var got struct{ Text string }
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || !strings.Contains(got.Text, m.Invitees[1].PIN) || strings.Contains(got.Text, m.Invitees[0].PIN) {
		t.Errorf("Alan's invitation %q: want his PIN only (%v)", got.Text, err)
	}
	evs := f.events(t, "code.view")[views:]
	var details []string
	for _, e := range evs {
		if e.Detail != "invitees" {
			details = append(details, e.Detail)
		}
	}
	if strings.Join(details, ",") != "invitation shared,invitation invitee "+m.Invitees[1].ID {
		t.Errorf("audited %v, want the two copies", details)
	}
	ics := c.get(path + "/invitation.ics?invitee=" + m.Invitees[0].ID)
	wantStatus(t, ics, http.StatusOK, "an invitee's calendar file")
	if ct := ics.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") || !strings.Contains(ics.body, "METHOD:REQUEST") || !strings.Contains(ics.body, "mailto:grace@example.com") {
		t.Errorf("calendar file %s:\n%s", ct, ics.body)
	}
	c.get(path)
	ds, err := f.svc.Deliveries(context.Background(), f.owner(t), id)
	if err != nil || len(ds) != 2 {
		t.Fatalf("deliveries %v %v", ds, err)
	}
	wantRedirect(t, c.post(path+"/deliveries/"+itoa(ds[0].ID)+"/resend", nil, true), path+"?done=resent", "resend")

	// The invitee downloads their own file from their link's page.
	token := m.Invitees[0].Link[strings.LastIndex(m.Invitees[0].Link, "/")+1:]
	guest := f.client(t)
	join := guest.get("/i/" + token)
	if !strings.Contains(join.body, `href="/i/`+token+`/invite.ics"`) {
		t.Errorf("the invitee's page lacks the calendar link")
	}
	mine := guest.get("/i/" + token + "/invite.ics")
	wantStatus(t, mine, http.StatusOK, "the invitee's calendar file")
	if !strings.Contains(mine.body, "mailto:grace@example.com") || strings.Contains(mine.body, "alan@example.com") {
		t.Errorf("the invitee's file is not theirs alone:\n%s", mine.body)
	}
	if r := guest.get("/i/nosuchtoken0000000000/invite.ics"); r.status == http.StatusOK {
		t.Errorf("an unknown link's calendar file: %d", r.status)
	}

	// Another host of the account is refused.
	c.get("/users")
	r = c.post("/users", url.Values{"name": {"Hank Host"}, "email": {"hank@example.com"}, "role": {"host"}}, true)
	link := regexp.MustCompile(`id="invite-link" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("invitation link not shown")
	}
	hank := f.client(t)
	invPath := strings.TrimPrefix(link[1], "http://admit.test")
	hank.get(invPath)
	wantRedirect(t, hank.post(invPath, url.Values{"password": {"hank-secret-words"}, "password_confirm": {"hank-secret-words"}}, false), "/", "accept invitation")
	hank.get("/")
	wantStatus(t, hank.post(path+"/invitation", url.Values{"invitee": {""}}, true), http.StatusForbidden, "another host copies")
	wantStatus(t, hank.get(path+"/invitation.ics"), http.StatusForbidden, "another host downloads")
	wantStatus(t, hank.post(path+"/deliveries/"+itoa(ds[0].ID)+"/resend", nil, true), http.StatusForbidden, "another host resends")
}
