package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEditMeeting: the edit page changes what the API's PATCH allows, with
// its errors naming the form's field; the schedule stops changing once the
// meeting opens, the topic does not; another host cannot edit.
func TestEditMeeting(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	start := f.clock.Now().Add(2 * time.Hour).UTC()
	path := owner.schedule(t, scheduleForm(f, url.Values{"topic": {"Budget"}, "date": {start.Format("2006-01-02")}, "time": {start.Format("15:04")}}))
	if p := owner.get(path); !strings.Contains(p.body, `id="edit" href="`+path+`/edit"`) {
		t.Fatalf("the meeting page has no Edit link")
	}
	form := owner.get(path + "/edit")
	wantStatus(t, form, http.StatusOK, "edit form")
	for _, want := range []string{`id="topic" name="topic" maxlength="200" required value="Budget"`, `value="` + start.Format("15:04") + `"`, "may change until the meeting first opens"} {
		if !strings.Contains(form.body, want) {
			t.Errorf("edit form lacks %q", want)
		}
	}
	later := start.Add(time.Hour)
	topic := "Budget"
	edit := func(change url.Values) *resp {
		v := url.Values{"topic": {topic}, "date": {start.Format("2006-01-02")}, "time": {start.Format("15:04")}, "duration": {"60"},
			"timezone": {"UTC"}, "early_join_minutes": {"15"}, "max_uses": {"0"}}
		for k, vs := range change {
			v[k] = vs
		}
		owner.get(path + "/edit")
		return owner.post(path+"/edit", v, true)
	}
	wantRedirect(t, edit(url.Values{"topic": {"Budget, moved"}, "date": {later.Format("2006-01-02")}, "time": {later.Format("15:04")}}), path+"?done=updated", "reschedule")
	p := owner.get(path + "?done=updated")
	if !strings.Contains(p.body, "<h1>Budget, moved</h1>") || !strings.Contains(p.body, later.Format("Mon 2 Jan 2006, 15:04")) || !strings.Contains(p.body, "Saved.") {
		t.Errorf("the meeting page does not show the change")
	}
	if n := len(f.events(t, "meeting.update")); n != 1 {
		t.Errorf("%d meeting.update events, want 1", n)
	}
	start, topic = later, "Budget, moved"
	wantRedirect(t, edit(url.Values{"invitees": {"Grace Hopper <grace@example.com>\nAlan Turing"}}), path+"?done=updated", "add invitees")
	if m, err := f.svc.HostMeeting(t.Context(), f.owner(t), strings.TrimPrefix(path, "/meetings/")); err != nil || len(m.Invitees) != 2 || m.Invitees[0].Email != "grace@example.com" {
		t.Errorf("invitees after adding two: %v", err)
	}
	wantRedirect(t, edit(nil), path+"?done=unchanged", "nothing changed")

	bad := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"duration not a number", url.Values{"duration": {"an hour"}}, "duration"},
		{"duration out of range", url.Values{"duration": {"0"}}, "duration"},
		{"empty topic", url.Values{"topic": {"  "}}, "topic"},
		{"bad zone", url.Values{"timezone": {"Mars/Olympus"}}, "timezone"},
		{"in the past", url.Values{"date": {f.clock.Now().AddDate(0, 0, -2).Format("2006-01-02")}}, "date"},
		{"early join", url.Values{"early_join_minutes": {"-3"}}, "early_join_minutes"},
		{"invitee name too long", url.Values{"invitees": {strings.Repeat("x", 300)}}, "invitees"},
	}
	for _, c := range bad {
		r := edit(c.form)
		wantStatus(t, r, http.StatusBadRequest, c.name)
		if !regexp.MustCompile(`id="`+c.field+`"[^>]*aria-invalid="true"`).MatchString(r.body) || !strings.Contains(r.body, `id="form-error"`) {
			t.Errorf("%s: the error is not tied to the %s field", c.name, c.field)
		}
	}

	// Once open, the schedule is fixed; the topic still changes.
	for f.clock.Now().Before(start.Add(-10 * time.Minute)) {
		f.clock.Advance(min(time.Hour, start.Add(-10*time.Minute).Sub(f.clock.Now())))
		owner.get("/") // the session stays in use
	}
	form = owner.get(path + "/edit")
	if !strings.Contains(form.body, `<fieldset id="schedule" disabled>`) || !strings.Contains(form.body, "can no longer change") {
		t.Errorf("the open meeting's schedule is not shown as fixed")
	}
	owner.get(path + "/edit")
	wantRedirect(t, owner.post(path+"/edit", url.Values{"topic": {"Budget, live"}, "early_join_minutes": {"15"}, "max_uses": {"0"}}, true), path+"?done=updated", "topic while open")
	topic = "Budget, live"
	r := edit(url.Values{"time": {start.Add(time.Hour).Format("15:04")}})
	wantStatus(t, r, http.StatusConflict, "schedule while open")
	if !strings.Contains(r.body, "already opened") || !regexp.MustCompile(`id="date"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Errorf("the conflict does not name the schedule:\n%s", r.body)
	}

	// Another user reaches the edit form exactly when they reach the
	// meeting's page: the service decides both (UpdateMeeting, the API's
	// PATCH, for the change itself).
	owner.get("/users")
	inv := regexp.MustCompile(`id="invite-link" class="mono" readonly value="([^"]+)"`).FindStringSubmatch(owner.post("/users", url.Values{"name": {"Hank Host"}, "email": {"hank@example.com"}, "role": {"host"}}, true).body)
	if inv == nil {
		t.Fatal("no invitation link")
	}
	hank := f.client(t)
	wantRedirect(t, hank.post(strings.TrimPrefix(inv[1], "http://admit.test"), url.Values{"password": {"hank-secret-words"}, "password_confirm": {"hank-secret-words"}}, false), "/", "hank")
	if page, edit := hank.get(path).status, hank.get(path+"/edit").status; page != edit {
		t.Errorf("another host: meeting page %d, edit form %d", page, edit)
	}
}

// TestPastMeetings: past occurrences are listed newest first, searchable by
// topic and meeting ID, each with its attendance.
func TestPastMeetings(t *testing.T) {
	f := newFixture(t)
	owner := f.mustSetup(t)
	first := owner.schedule(t, scheduleForm(f, url.Values{"topic": {"Quarterly planning"}}))
	f.clock.Advance(90 * time.Minute)
	owner.get("/")
	f.clock.Advance(90 * time.Minute)
	second := owner.schedule(t, scheduleForm(f, url.Values{"topic": {"Design review"}}))
	future := f.clock.Now().Add(48 * time.Hour)
	owner.schedule(t, scheduleForm(f, url.Values{"topic": {"Next week"}, "date": {future.Format("2006-01-02")}}))
	f.clock.Advance(90 * time.Minute)
	owner.get("/")
	f.clock.Advance(90 * time.Minute)

	if d := owner.get("/"); !strings.Contains(d.body, `href="/meetings">Past meetings`) {
		t.Errorf("the dashboard does not lead to past meetings")
	}
	h := owner.get("/meetings")
	wantStatus(t, h, http.StatusOK, "past meetings")
	i, j := strings.Index(h.body, "Design review"), strings.Index(h.body, "Quarterly planning")
	if i < 0 || j < 0 || i > j {
		t.Errorf("past meetings not listed newest first (design %d, planning %d)", i, j)
	}
	if strings.Contains(h.body, "Next week") {
		t.Errorf("a future meeting is listed as past")
	}
	att := regexp.MustCompile(`href="(` + regexp.QuoteMeta(second) + `/attendance\?occurrence=1)"`).FindStringSubmatch(h.body)
	if att == nil {
		t.Fatalf("no attendance link for %s", second)
	}
	wantStatus(t, owner.get(att[1]), http.StatusOK, "attendance from the list")

	s := owner.get("/meetings?q=quarterly")
	if !strings.Contains(s.body, "Quarterly planning") || strings.Contains(s.body, "Design review") {
		t.Errorf("search by topic")
	}
	m, err := f.svc.HostMeeting(t.Context(), f.owner(t), strings.TrimPrefix(first, "/meetings/"))
	if err != nil {
		t.Fatal(err)
	}
	if s := owner.get("/meetings?q=" + url.QueryEscape(m.MeetingIDDisplay)); !strings.Contains(s.body, "Quarterly planning") || strings.Contains(s.body, "Design review") {
		t.Errorf("search by meeting ID %s", m.MeetingIDDisplay)
	}
	if s := owner.get("/meetings?q=nothing+like+it"); !strings.Contains(s.body, "No past meeting matches") {
		t.Errorf("an empty search does not say so")
	}
}
