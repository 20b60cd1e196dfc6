package web

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// scheduleData is the schedule form's data.
type scheduleData struct {
	Form     *form
	Contacts []*admit.Contact
	Defaults *admit.AccountSecurity
	Preview  *admit.SecurityPreview
	Zones    []string
	Weekdays [][2]string
}

// commonZones are offered in the time zone field's list (any IANA name is
// accepted).
var commonZones = []string{"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York",
	"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata",
	"Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Africa/Johannesburg"}

var weekdays = [][2]string{{"MO", "Monday"}, {"TU", "Tuesday"}, {"WE", "Wednesday"}, {"TH", "Thursday"}, {"FR", "Friday"}, {"SA", "Saturday"}, {"SU", "Sunday"}}

// scheduleFields maps the service's field names to the form's.
var scheduleFields = map[string]string{
	"topic": "topic", "start": "date", "duration_minutes": "duration", "timezone": "timezone",
	"recurrence": "recurrence", "recurrence.count": "recurrence_count", "recurrence.weekdays": "weekdays",
	"invitees": "invitees", "security.access_code": "access_code", "security.passcode": "passcode_mode",
	"security.passcode_value": "passcode", "security.waiting_room": "waiting_room",
	"security.early_join_minutes": "early_join_minutes", "security.max_uses": "max_uses",
	"security.passcode_policy": "passcode_mode", "security.authentication": "authentication", "security.phone_joins": "phone_joins", "date": "date", "time": "time", "contacts": "contacts",
	"reminder_lead_minutes": "reminder_lead_minutes",
}

func (a *App) handleScheduleForm(w http.ResponseWriter, r *http.Request, h *hostReq) {
	sec, err := a.Service.AccountSecurity(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	now := inZone(a.Service.Now().Add(time.Hour), userZone(h.ws.User))
	vals := url.Values{}
	vals.Set("date", now.Format("2006-01-02"))
	vals.Set("time", now.Format("15:00"))
	vals.Set("duration", "60")
	vals.Set("timezone", h.ws.User.Timezone)
	vals.Set("recurrence", "none")
	vals.Set("recurrence_count", "4")
	vals.Set("passcode_mode", string(sec.Passcode))
	vals.Set("early_join_minutes", strconv.Itoa(sec.EarlyJoinMinutes))
	vals.Set("max_uses", strconv.Itoa(sec.MaxUses))
	if sec.AccessCode {
		vals.Set("access_code", "on")
	}
	if sec.Passcode == admit.PasscodeShared {
		p, err := a.Service.SuggestPasscode(r.Context(), h.actor)
		if err != nil {
			a.errorPage(w, r, err)
			return
		}
		vals.Set("passcode", p)
	}
	if sec.WaitingRoom {
		vals.Set("waiting_room", "on")
	}
	signIn := sec.SignIn()
	vals.Set("authentication", string(signIn.Authentication))
	vals.Set("phone_joins", string(signIn.PhoneJoins))
	a.renderSchedule(w, r, h, http.StatusOK, &form{Values: vals}, sec)
}

func (a *App) renderSchedule(w http.ResponseWriter, r *http.Request, h *hostReq, status int, f *form, sec *admit.AccountSecurity) {
	contacts, err := a.Service.Contacts(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in, n := securityFromForm(f.Values, sec)
	pv, err := a.Service.PreviewSecurity(r.Context(), h.actor, in, n)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	pg := h.page("Schedule a meeting", &scheduleData{Form: f, Contacts: contacts, Defaults: sec, Preview: pv, Zones: commonZones, Weekdays: weekdays})
	pg.Path = "/meetings/new" // also when the form, posted to /meetings, comes back with an error
	a.render(w, r, status, "host_schedule", pg)
}

// securityFromForm reads the security settings of the schedule form and
// counts its invitees. Locked settings are left to the account's value
// (their inputs are disabled, so browsers do not send them).
func securityFromForm(v url.Values, sec *admit.AccountSecurity) (*admit.SecurityInput, int) {
	in := &admit.SecurityInput{}
	set := func(name string) bool { return !sec.IsLocked(name) }
	if set("access_code") {
		b := v.Get("access_code") == "on"
		in.AccessCode = &b
	}
	if set("passcode") && v.Get("passcode_mode") != "" {
		m := admit.PasscodeMode(v.Get("passcode_mode"))
		in.Passcode = &m
	}
	if p := v.Get("passcode"); p != "" && v.Get("passcode_mode") == string(admit.PasscodeShared) {
		in.PasscodeValue = &p
	}
	if set("waiting_room") {
		b := v.Get("waiting_room") == "on"
		in.WaitingRoom = &b
	}
	if a := v.Get("authentication"); a != "" && set("authentication") {
		m := admit.Authentication(a)
		in.Authentication = &m
	}
	if p := v.Get("phone_joins"); p != "" && set("phone_joins") {
		m := admit.PhoneJoins(p)
		in.PhoneJoins = &m
	}
	if s := strings.TrimSpace(v.Get("early_join_minutes")); s != "" && set("early_join_minutes") {
		if n, err := strconv.Atoi(s); err == nil {
			in.EarlyJoinMinutes = &n
		} else {
			bad := -1
			in.EarlyJoinMinutes = &bad
		}
	}
	if s := strings.TrimSpace(v.Get("max_uses")); s != "" && set("max_uses") {
		if n, err := strconv.Atoi(s); err == nil {
			in.MaxUses = &n
		} else {
			bad := -1
			in.MaxUses = &bad
		}
	}
	n := len(v["contacts"])
	for _, line := range strings.Split(v.Get("invitees"), "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return in, n
}

// parseInvitee reads one line of the invitees box: "Name <email>", an
// email address, or a name.
func parseInvitee(line string) *admit.InviteeInput {
	line = strings.TrimSpace(line)
	if strings.Contains(line, "@") {
		if addr, err := mail.ParseAddress(line); err == nil {
			name := addr.Name
			if name == "" {
				name = addr.Address
			}
			return &admit.InviteeInput{Name: name, Email: addr.Address}
		}
	}
	return &admit.InviteeInput{Name: line}
}

// meetingFromForm reads the schedule form into a meeting request; EINVALID
// names the form's field.
func meetingFromForm(v url.Values, sec *admit.AccountSecurity) (*admit.MeetingInput, error) {
	in := &admit.MeetingInput{}
	topic := v.Get("topic")
	in.Topic = &topic
	tz := strings.TrimSpace(v.Get("timezone"))
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return nil, admit.FieldErrorf("timezone", "the time zone %q is not an IANA time zone name (like Europe/Paris)", tz)
	}
	in.Timezone = &tz
	start, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(v.Get("date"))+" "+strings.TrimSpace(v.Get("time")), loc)
	if err != nil {
		return nil, admit.FieldErrorf("date", "give the date as YYYY-MM-DD and the time as HH:MM")
	}
	in.Start = &start
	dur, err := strconv.Atoi(strings.TrimSpace(v.Get("duration")))
	if err != nil {
		return nil, admit.FieldErrorf("duration", "the duration is a number of minutes")
	}
	in.DurationMinutes = &dur
	if s := strings.TrimSpace(v.Get("reminder_lead_minutes")); s != "" {
		lead, err := strconv.Atoi(s)
		if err != nil {
			return nil, admit.FieldErrorf("reminder_lead_minutes", "the reminder is a number of minutes before each occurrence")
		}
		in.ReminderLeadMinutes = &lead
	}
	kind := admit.KindScheduled
	switch rec := v.Get("recurrence"); rec {
	case "", "none":
	case "daily", "weekly":
		kind = admit.KindRecurring
		count, err := strconv.Atoi(strings.TrimSpace(v.Get("recurrence_count")))
		if err != nil {
			return nil, admit.FieldErrorf("recurrence_count", "the number of occurrences is a number")
		}
		r := &admit.Recurrence{Freq: rec, Count: count}
		if rec == "weekly" {
			r.Weekdays = v["weekdays"]
		}
		in.Recurrence = r
	default:
		return nil, admit.FieldErrorf("recurrence", "recurrence must be none, daily or weekly")
	}
	in.Kind = &kind
	in.Security, _ = securityFromForm(v, sec)
	for _, c := range v["contacts"] {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return nil, admit.FieldErrorf("contacts", "no such contact")
		}
		in.Invitees = append(in.Invitees, &admit.InviteeInput{ContactID: &id})
	}
	for _, line := range strings.Split(v.Get("invitees"), "\n") {
		if strings.TrimSpace(line) != "" {
			in.Invitees = append(in.Invitees, parseInvitee(line))
		}
	}
	return in, nil
}

// handleSchedule creates the meeting and sends the host to its page.
func (a *App) handleSchedule(w http.ResponseWriter, r *http.Request, h *hostReq) {
	sec, err := a.Service.AccountSecurity(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in, err := meetingFromForm(r.PostForm, sec)
	if err == nil {
		var m *admit.MeetingView
		if m, err = a.Service.CreateMeeting(r.Context(), h.actor, in); err == nil {
			http.Redirect(w, r, "/meetings/"+m.ID+"?created=1", http.StatusSeeOther)
			return
		}
	}
	if !isUserError(err) {
		a.errorPage(w, r, err)
		return
	}
	f := formError(r.PostForm, err, scheduleFields)
	// Invitees from the address book come first in the request: an error of
	// one of them belongs to the contacts field.
	if field := admit.ErrorField(err); strings.HasPrefix(field, "invitees[") {
		if end := strings.IndexByte(field, ']'); end > 0 {
			if n, err := strconv.Atoi(field[len("invitees["):end]); err == nil && n < len(r.PostForm["contacts"]) {
				f.Field = "contacts"
			}
		}
	}
	a.renderSchedule(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), f, sec)
}

// securityCheck is the answer of the as-you-type check.
type securityCheck struct {
	PasscodeError string  `json:"passcode_error"`
	Bound         string  `json:"bound"`
	BoundWords    string  `json:"bound_words"`   // "about a 1 in 2.5 billion chance"
	CeilingWords  string  `json:"ceiling_words"` // the account's limit, in the same words
	P             float64 `json:"p"`
	BoundOK       bool    `json:"bound_ok"`
	BoundError    string  `json:"bound_error"`
	Error         string  `json:"error"`
}

// handleSecurityCheck runs the policy check and the guessing bound on the
// schedule form as it is (the script posts it as the host types), with the
// code the service runs when the meeting is saved.
func (a *App) handleSecurityCheck(w http.ResponseWriter, r *http.Request, h *hostReq) {
	sec, err := a.Service.AccountSecurity(r.Context(), h.actor)
	if err != nil {
		writeJSONError(w, err)
		return
	}
	in, n := securityFromForm(r.PostForm, sec)
	pv, err := a.Service.PreviewSecurity(r.Context(), h.actor, in, n)
	if err != nil {
		writeJSONError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, &securityCheck{PasscodeError: pv.PasscodeError, Bound: pv.Bound.String(), P: pv.Bound.P,
		BoundWords: chance(&pv.Bound), CeilingWords: chanceOf(pv.Bound.Ceiling),
		BoundOK: pv.BoundError == "" && pv.Error == "", BoundError: pv.BoundError, Error: pv.Error})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSONError(w http.ResponseWriter, err error) {
	status := edge.ErrorStatus(admit.ErrorCode(err))
	msg := admit.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		msg = "Internal error."
	}
	writeJSON(w, status, map[string]string{"error": msg})
}
