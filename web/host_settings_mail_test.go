package web_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/mail"
)

// TestMailSettings: owners set the account's own SMTP server and reminder
// lead on the settings page; the password is never shown again; a host
// sees no form and may not post one.
func TestMailSettings(t *testing.T) {
	f := newFixture(t)
	// Mail is off on the deployment (SendMail false); the account's own
	// server turns it on.
	f.svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: f.svc.Keys.(*keys.Ring), FromDomain: "admit.test", UIDDomain: "admit.test"}
	owner := f.mustSetup(t)
	secret := "smtp-" + strings.Repeat("z", 24)
	page := owner.get("/settings")
	wantStatus(t, page, http.StatusOK, "settings")
	if !strings.Contains(page.body, "Mail is off") {
		t.Error("the mail state does not say mail is off")
	}
	if !strings.Contains(page.body, `id="smtp-form"`) || !strings.Contains(page.body, `id="mail-form"`) {
		t.Fatal("no mail settings forms for the owner")
	}
	bad := url.Values{"smtp_host": {"smtp.acme.example"}, "smtp_security": {"none"}, "smtp_from": {"m@acme.example"}}
	r := owner.post("/settings/mail/smtp", bad, true)
	wantStatus(t, r, http.StatusBadRequest, "no TLS to a remote server")
	if !strings.Contains(r.body, "smtp.security") || !strings.Contains(r.body, `id="smtp_security"`) {
		t.Errorf("the refusal does not name the field:\n%s", r.body)
	}
	good := url.Values{"smtp_host": {"smtp.acme.example"}, "smtp_security": {"starttls"}, "smtp_username": {"mailer"},
		"smtp_password": {secret}, "smtp_from": {"m@acme.example"}, "smtp_from_name": {"Acme"}, "smtp_reply_to_host": {"on"}}
	wantRedirect(t, owner.post("/settings/mail/smtp", good, true), "/settings", "save the SMTP server")
	page = owner.get("/settings")
	if !strings.Contains(page.body, `id="smtp-current">smtp.acme.example:587<`) || !strings.Contains(page.body, `value="m@acme.example"`) {
		t.Errorf("the saved SMTP server is not shown:\n%s", page.body)
	}
	if strings.Contains(page.body, secret) {
		t.Error("the settings page shows the SMTP password")
	}
	if !strings.Contains(page.body, "through the account's own SMTP server") {
		t.Error("the mail state does not say the account's own server sends")
	}
	// The password left empty is kept for the same server.
	good.Del("smtp_password")
	wantRedirect(t, owner.post("/settings/mail/smtp", good, true), "/settings", "save without the password")

	wantStatus(t, owner.post("/settings/mail", url.Values{"reminder_lead_minutes": {"99999"}}, true), http.StatusBadRequest, "a lead over a week")
	wantRedirect(t, owner.post("/settings/mail", url.Values{"reminder_lead_minutes": {"30"}}, true), "/settings", "save the reminder lead")
	if p := owner.get("/settings"); !strings.Contains(p.body, `name="reminder_lead_minutes" type="number" min="0" max="10080" value="30"`) {
		t.Errorf("the saved reminder lead is not shown:\n%s", p.body)
	}

	// A host sees no form and may not post one.
	r = owner.post("/users", url.Values{"name": {"Hank Host"}, "email": {"hank@example.com"}, "role": {"host"}}, true)
	link := regexp.MustCompile(`id="invite-link" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("invitation link not shown:\n%s", r.body)
	}
	hank := f.client(t)
	inv := strings.TrimPrefix(link[1], "http://admit.test")
	hank.get(inv)
	wantRedirect(t, hank.post(inv, url.Values{"password": {"hank-secret-words"}, "password_confirm": {"hank-secret-words"}}, false), "/", "accept invitation")
	if p := hank.get("/settings"); strings.Contains(p.body, `id="smtp-form"`) || strings.Contains(p.body, "smtp.acme.example") {
		t.Error("a host is shown the account's SMTP server")
	}
	good.Set("smtp_password", secret)
	wantStatus(t, hank.post("/settings/mail/smtp", good, true), http.StatusForbidden, "host sets the SMTP server")
	wantStatus(t, hank.post("/settings/mail/smtp/delete", nil, true), http.StatusForbidden, "host removes the SMTP server")
	wantStatus(t, hank.post("/settings/mail", url.Values{"reminder_lead_minutes": {"5"}}, true), http.StatusForbidden, "host sets the reminder lead")

	owner.get("/settings")
	wantRedirect(t, owner.post("/settings/mail/smtp/delete", nil, true), "/settings", "remove the SMTP server")
	if p := owner.get("/settings"); strings.Contains(p.body, `id="smtp-current"`) {
		t.Error("the SMTP server is still shown after its removal")
	}
}

// TestScheduleWithReminderLead: the schedule form's reminder field sets the
// meeting's own lead, shown on its page with mail on; a bad one is tied to
// its input.
func TestScheduleWithReminderLead(t *testing.T) {
	f := newFixture(t)
	f.svc.Mailer = &mail.Postman{Random: rand.Reader, Sealer: f.svc.Keys.(*keys.Ring), FromDomain: "admit.test", UIDDomain: "admit.test"}
	f.svc.SendMail = true
	c := f.mustSetup(t)
	if form := c.get("/meetings/new"); !strings.Contains(form.body, `id="reminder_lead_minutes"`) {
		t.Fatal("the schedule form has no reminder field")
	}
	r := c.post("/meetings", scheduleForm(f, url.Values{"reminder_lead_minutes": {"99999"}}), true)
	wantStatus(t, r, http.StatusBadRequest, "a lead over a week")
	if !regexp.MustCompile(`id="reminder_lead_minutes"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Errorf("the lead's error is not tied to its input:\n%s", r.body)
	}
	path := c.schedule(t, scheduleForm(f, url.Values{"reminder_lead_minutes": {"25"}}))
	m, err := f.svc.ShowMeeting(context.Background(), f.owner(t), strings.TrimPrefix(path, "/meetings/"))
	if err != nil {
		t.Fatal(err)
	}
	if m.ReminderLeadMinutes != 25 {
		t.Errorf("the meeting's lead is %d, want 25", m.ReminderLeadMinutes)
	}
	if p := c.get(path); !strings.Contains(p.body, `id="reminder-lead">25 minutes<`) {
		t.Errorf("the meeting page does not show its reminder lead:\n%s", p.body)
	}
}

// TestRemoveInviteeOnTheMeetingPage: each invitee row has Remove; it takes
// the invitee off the meeting and queues their cancellation.
func TestRemoveInviteeOnTheMeetingPage(t *testing.T) {
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
	action := path + "/invitees/" + m.Invitees[0].ID + "/remove"
	if !strings.Contains(page.body, `action="`+action+`"`) {
		t.Fatalf("no Remove form for the first invitee:\n%s", page.body)
	}
	r := c.post(action, nil, true)
	wantRedirect(t, r, path, "remove an invitee")
	page = c.get(r.header.Get("Location"))
	if strings.Contains(page.body, "grace@example.com") || !strings.Contains(page.body, "alan@example.com") || !strings.Contains(page.body, "they get a cancellation") {
		t.Errorf("after removing Grace the page shows:\n%s", page.body)
	}
	ds, err := f.svc.Deliveries(context.Background(), f.owner(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || ds[0].Kind != "cancel" || ds[0].To != "grace@example.com" {
		t.Errorf("deliveries after removing Grace: %+v", ds)
	}
}
