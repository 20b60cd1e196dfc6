package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// participantRoutes registers the participant's pages: /j, /j/{meeting_id},
// the access-code page, /i/{token}, waiting and joined.
func (a *App) participantRoutes() []edge.Route {
	return []edge.Route{
		{Method: "GET", Path: "/j", Handler: a.handleJoinStart},
		{Method: "GET", Path: "/j/{meeting_id}", Handler: a.handleJoinMeeting},
		{Method: "POST", Path: "/j/{meeting_id}", Handler: a.handleJoinMeetingPost},
		{Method: "GET", Path: "/code", Handler: a.handleJoinCode},
		{Method: "POST", Path: "/code", Handler: a.handleJoinCodePost},
		{Method: "GET", Path: "/i/{token}", Handler: a.handleInviteeLink},
		{Method: "POST", Path: "/i/{token}", Handler: a.handleInviteeLinkPost},
		{Method: "GET", Path: "/p/{pid}", Handler: a.handleParticipant},
		{Method: "GET", Path: "/p/{pid}/events", Handler: a.handleParticipantEvents},
		{Method: "POST", Path: "/p/{pid}/leave", Handler: a.handleLeave},
		{Method: "POST", Path: "/p/{pid}/media", Handler: a.handleParticipantMedia},
		{Method: "GET", Path: "/p/{pid}/media/open", Handler: a.handleParticipantMediaOpen},
	}
}

// RefusalText is what every join page shows for credentials that do not
// let anyone in, whatever the cause (unknown meeting, wrong passcode,
// unknown code or link): the page never tells which.
const RefusalText = "Invalid meeting ID or passcode. Check the invitation, and copy and paste it exactly."

// maxJoinForm bounds a join form's body: a few short fields.
const maxJoinForm = 8 << 10

// joinForm is the data of the participant's forms: what was typed (never
// the passcode) and the outcome of a failed attempt.
type joinForm struct {
	MeetingID  string // as typed on /j, or grouped on /j/{meeting_id}
	Digits     string // the normalised meeting ID of /j/{meeting_id}
	AccessCode string // as typed
	Name       string // as typed
	Pwd        string // a join URL's encoded passcode: the passcode field is skipped
	Invitation *admit.InviteeLink
	Token      string // the invitee link's token, for the form's action
	// DialIn are the dial-in numbers shown with the one-tap form of the
	// meeting ID: on /j/{meeting_id} those of no account (the page tells
	// nothing of the meeting), on the invitee's page the meeting's.
	DialIn []admit.DialInOption

	Error string // the alert: a refusal, a window, a rate limit or a field's error
	Field string // the field Error is about, if any
}

// formValue reads a form field of a POST whose body is bounded.
func parseJoinForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJoinForm)
	if err := r.ParseForm(); err != nil {
		return &admit.Error{Code: admit.ETOOLARGE, Message: "The form is too large."}
	}
	return nil
}

// fieldLabels name the join forms' fields as their labels do.
var fieldLabels = map[string]string{
	"meeting_id":  "Meeting ID",
	"access_code": "Access code",
	"passcode":    "Passcode",
	"pwd":         "Passcode",
	"name":        "Your name",
	"token":       "Invitation link",
}

// failJoin shows the join page name again with the outcome of a failed
// join (or look-up) in form: the uniform refusal, when the meeting opens,
// that it ended, how long to wait, or which field is wrong. Other errors go
// to the error page.
func (a *App) failJoin(w http.ResponseWriter, r *http.Request, name, title string, f *joinForm, err error) {
	status := edge.ErrorStatus(admit.ErrorCode(err))
	switch admit.ErrorCode(err) {
	case admit.EREFUSED:
		f.Error = RefusalText
		f.Pwd = "" // a join URL's pwd that failed: ask for the passcode
	case admit.ENOTOPEN, admit.EENDED:
		f.Error = admit.ErrorMessage(err)
	case admit.ERATELIMITED:
		secs := edge.RetryAfter(err, 60)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		f.Error = "Too many failed attempts from your network. Try again in " + waitText(secs) + "."
	case admit.EINVALID:
		f.Field = admit.ErrorField(err)
		f.Error = fieldMessage(f.Field, admit.ErrorMessage(err))
	default:
		a.errorPage(w, r, err)
		return
	}
	a.render(w, r, status, name, &page{Title: title, Data: f})
}

// fieldMessage puts a field's label in place of its name at the start of
// the service's message ("meeting_id has 10 or 11 digits, not 5" becomes
// "Meeting ID has 10 or 11 digits, not 5.").
func fieldMessage(field, msg string) string {
	if label, ok := fieldLabels[field]; ok {
		if rest, ok := strings.CutPrefix(msg, field); ok {
			msg = label + rest
		}
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// waitText says a wait of secs seconds in words.
func waitText(secs int) string {
	switch {
	case secs == 1:
		return "1 second"
	case secs < 120:
		return strconv.Itoa(secs) + " seconds"
	}
	return strconv.Itoa((secs+59)/60) + " minutes"
}

// joined sends the participant to their status page. The participant ID is
// the capability to that page: it goes in the Location only, never in logs.
func joined(w http.ResponseWriter, r *http.Request, res *admit.JoinResult) {
	http.Redirect(w, r, "/p/"+res.Participant.ID, http.StatusSeeOther)
}
