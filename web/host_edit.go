package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// editData is the edit form's data.
type editData struct {
	M        *admit.MeetingView
	Form     *form
	Defaults *admit.AccountSecurity
	Zones    []string
	Weekdays [][2]string
	// Schedule reports whether the schedule may still change: until the
	// first occurrence opens (the API's PATCH answers 409 after that).
	Schedule bool
	OpensAt  time.Time
	TZ       string
}

// editFields maps the service's field names to the edit form's.
var editFields = map[string]string{
	"topic": "topic", "start": "date", "duration_minutes": "duration", "timezone": "timezone",
	"recurrence": "recurrence", "recurrence.count": "recurrence_count", "recurrence.weekdays": "weekdays",
	"security.waiting_room": "waiting_room", "security.early_join_minutes": "early_join_minutes",
	"security.max_uses": "max_uses", "date": "date", "time": "time", "kind": "recurrence", "invitees": "invitees",
}

// editValues are a meeting's current values as the edit form's fields.
func editValues(m *admit.MeetingView) url.Values {
	v := url.Values{}
	v.Set("topic", m.Topic)
	v.Set("duration", strconv.Itoa(m.DurationMinutes))
	v.Set("timezone", m.Timezone)
	if m.Start != nil {
		local := inZone(*m.Start, m.Timezone)
		v.Set("date", local.Format("2006-01-02"))
		v.Set("time", local.Format("15:04"))
	}
	if r := m.Recurrence; r != nil {
		v.Set("recurrence", r.Freq)
		v.Set("recurrence_count", strconv.Itoa(r.Count))
		v["weekdays"] = append([]string(nil), r.Weekdays...)
	}
	if m.Security.WaitingRoom {
		v.Set("waiting_room", "on")
	}
	v.Set("early_join_minutes", strconv.Itoa(m.Security.EarlyJoinMinutes))
	v.Set("max_uses", strconv.Itoa(m.Security.MaxUses))
	return v
}

// scheduleOpen reports whether m's schedule may still change at now, and
// when it stops being possible.
func scheduleOpen(m *admit.MeetingView, now time.Time) (bool, time.Time) {
	if m.Kind == admit.KindPersonal || m.Kind == admit.KindInstant || len(m.Occurrences) == 0 {
		return false, time.Time{}
	}
	opens := m.Occurrences[0].OpensAt
	return now.Before(opens), opens
}

// handleEditForm shows a meeting's edit form. Who may: whoever may change
// the meeting through the API's PATCH (the service decides, in
// UpdateMeeting; the form only reads what HostMeeting shows the same host).
func (a *App) handleEditForm(w http.ResponseWriter, r *http.Request, h *hostReq) {
	m, err := a.Service.HostMeeting(r.Context(), h.actor, r.PathValue("id"))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.renderEdit(w, r, h, http.StatusOK, m, &form{Values: editValues(m)})
}

func (a *App) renderEdit(w http.ResponseWriter, r *http.Request, h *hostReq, status int, m *admit.MeetingView, f *form) {
	sec, err := a.Service.AccountSecurity(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	ok, opens := scheduleOpen(m, a.Service.Now())
	a.render(w, r, status, "host_edit", h.page("Edit: "+m.Topic, &editData{M: m, Form: f, Defaults: sec, Zones: commonZones,
		Weekdays: weekdays, Schedule: ok, OpensAt: opens, TZ: userZone(h.ws.User)}))
}

// editInput reads the edit form into a change of m: only what differs from
// the meeting's current values, so that a topic changed after the meeting
// opened is not refused for an unchanged schedule. EINVALID names the
// form's field.
func editInput(v url.Values, m *admit.MeetingView, sec *admit.AccountSecurity) (*admit.MeetingInput, error) {
	in := &admit.MeetingInput{}
	cur := editValues(m)
	changed := func(name string) bool {
		_, sent := v[name]
		return sent && strings.TrimSpace(v.Get(name)) != cur.Get(name)
	}
	if changed("topic") {
		t := v.Get("topic")
		in.Topic = &t
	}
	if m.Kind == admit.KindScheduled || m.Kind == admit.KindRecurring {
		if changed("timezone") || changed("date") || changed("time") {
			tz := strings.TrimSpace(v.Get("timezone"))
			loc, err := time.LoadLocation(tz)
			if err != nil || tz == "" || tz == "Local" {
				return nil, admit.FieldErrorf("timezone", "the time zone %q is not an IANA time zone name (like Europe/Paris)", tz)
			}
			start, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(v.Get("date"))+" "+strings.TrimSpace(v.Get("time")), loc)
			if err != nil {
				return nil, admit.FieldErrorf("date", "give the date as YYYY-MM-DD and the time as HH:MM")
			}
			in.Timezone, in.Start = &tz, &start
		}
	}
	if changed("duration") {
		d, err := strconv.Atoi(strings.TrimSpace(v.Get("duration")))
		if err != nil {
			return nil, admit.FieldErrorf("duration", "the duration is a number of minutes")
		}
		in.DurationMinutes = &d
	}
	if m.Kind == admit.KindRecurring && (changed("recurrence") || changed("recurrence_count") || strings.Join(v["weekdays"], ",") != strings.Join(cur["weekdays"], ",")) {
		count, err := strconv.Atoi(strings.TrimSpace(v.Get("recurrence_count")))
		if err != nil {
			return nil, admit.FieldErrorf("recurrence_count", "the number of occurrences is a number")
		}
		rec := &admit.Recurrence{Freq: v.Get("recurrence"), Count: count}
		if rec.Freq == "weekly" {
			rec.Weekdays = v["weekdays"]
		}
		in.Recurrence = rec
	}
	s := &admit.SecurityInput{}
	secChanged := false
	if !sec.IsLocked("waiting_room") && (v.Get("waiting_room") == "on") != m.Security.WaitingRoom {
		b := v.Get("waiting_room") == "on"
		s.WaitingRoom, secChanged = &b, true
	}
	for _, n := range []struct {
		field string
		dst   **int
	}{{"early_join_minutes", &s.EarlyJoinMinutes}, {"max_uses", &s.MaxUses}} {
		if sec.IsLocked(n.field) || !changed(n.field) {
			continue
		}
		x, err := strconv.Atoi(strings.TrimSpace(v.Get(n.field)))
		if err != nil {
			return nil, admit.FieldErrorf(n.field, "%s is a whole number", strings.ReplaceAll(n.field, "_", " "))
		}
		*n.dst, secChanged = &x, true
	}
	if secChanged {
		in.Security = s
	}
	for _, line := range strings.Split(v.Get("invitees"), "\n") {
		if strings.TrimSpace(line) != "" {
			in.Invitees = append(in.Invitees, parseInvitee(line))
		}
	}
	return in, nil
}

// handleEdit changes the meeting through the service's UpdateMeeting, the
// API's PATCH, with its checks and errors; those invited before get an
// update by mail when the meeting changed.
func (a *App) handleEdit(w http.ResponseWriter, r *http.Request, h *hostReq) {
	m, err := a.Service.HostMeeting(r.Context(), h.actor, r.PathValue("id"))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	sec, err := a.Service.AccountSecurity(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in, err := editInput(r.PostForm, m, sec)
	if err == nil {
		if in.Topic == nil && in.Start == nil && in.DurationMinutes == nil && in.Recurrence == nil && in.Security == nil && len(in.Invitees) == 0 {
			http.Redirect(w, r, "/meetings/"+m.ID+"?done=unchanged", http.StatusSeeOther)
			return
		}
		if _, err = a.Service.UpdateMeeting(r.Context(), h.actor, m.ID, in); err == nil {
			http.Redirect(w, r, "/meetings/"+m.ID+"?done=updated", http.StatusSeeOther)
			return
		}
	}
	if !isUserError(err) {
		a.errorPage(w, r, err)
		return
	}
	a.renderEdit(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), m, formError(r.PostForm, err, editFields))
}
