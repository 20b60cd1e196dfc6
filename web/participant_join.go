package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/admit-project/admit"
)

// handleJoinStart shows the meeting ID form, and sends a submitted meeting
// ID (grouped, spaced or dashed as people type it) on to its passcode
// prompt.
func (a *App) handleJoinStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("meeting_id") {
		a.render(w, r, http.StatusOK, "join_start", &page{Title: "Join a meeting", Data: &joinForm{}})
		return
	}
	raw := q.Get("meeting_id")
	d, err := admit.ParseMeetingNumber("meeting_id", raw)
	if err != nil {
		a.failJoin(w, r, "join_start", "Join a meeting", &joinForm{MeetingID: raw}, err)
		return
	}
	http.Redirect(w, r, "/j/"+d, http.StatusSeeOther)
}

// meetingForm returns the form of /j/{meeting_id}, or shows /j with the
// meeting ID's error and returns nil.
func (a *App) meetingForm(w http.ResponseWriter, r *http.Request) *joinForm {
	raw := r.PathValue("meeting_id")
	d, err := admit.ParseMeetingNumber("meeting_id", raw)
	if err != nil {
		a.failJoin(w, r, "join_start", "Join a meeting", &joinForm{MeetingID: raw}, err)
		return nil
	}
	return &joinForm{MeetingID: admit.FormatMeetingNumber(d), Digits: d, DialIn: admit.DialInOptions(a.DialIn, 0, d, "")}
}

// handleJoinMeeting shows the passcode and name prompt of a meeting ID. It
// says nothing of the meeting (not even whether it exists); a join URL's
// ?pwd= skips the passcode field.
func (a *App) handleJoinMeeting(w http.ResponseWriter, r *http.Request) {
	f := a.meetingForm(w, r)
	if f == nil {
		return
	}
	f.Pwd = r.URL.Query().Get("pwd")
	a.render(w, r, http.StatusOK, "join_meeting", &page{Title: "Join meeting " + f.MeetingID, Data: f})
}

// handleJoinMeetingPost joins with a meeting ID and a passcode (or a join
// URL's pwd).
func (a *App) handleJoinMeetingPost(w http.ResponseWriter, r *http.Request) {
	f := a.meetingForm(w, r)
	if f == nil {
		return
	}
	title := "Join meeting " + f.MeetingID
	if err := parseJoinForm(w, r); err != nil {
		a.failJoin(w, r, "join_meeting", title, f, err)
		return
	}
	f.Name = strings.TrimSpace(r.PostForm.Get("name"))
	f.Pwd = r.PostForm.Get("pwd")
	req := &admit.JoinRequest{MeetingID: f.Digits, Passcode: r.PostForm.Get("passcode"), Pwd: f.Pwd,
		Name: f.Name, Channel: admit.ChannelWeb, Source: a.clientIP(r)}
	if req.Pwd != "" {
		req.Passcode = ""
	}
	req.Identity = a.participantIdentity(r)
	res, err := a.Service.Join(r.Context(), req)
	if admit.ErrorCode(err) == admit.ESIGNIN && a.SignIns != nil {
		back := "/j/" + f.Digits
		if f.Pwd != "" {
			back += "?pwd=" + url.QueryEscape(f.Pwd)
		}
		a.startParticipantSignIn(w, r, err, back)
		return
	}
	if err != nil {
		a.failJoin(w, r, "join_meeting", title, f, err)
		return
	}
	joined(w, r, res)
}

// handleJoinCode shows the access code form.
func (a *App) handleJoinCode(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "join_code", &page{Title: "Join with an access code", Data: &joinForm{}})
}

// handleJoinCodePost joins with a one-time access code (and the meeting's
// passcode, if it has one).
func (a *App) handleJoinCodePost(w http.ResponseWriter, r *http.Request) {
	f := &joinForm{}
	const title = "Join with an access code"
	if err := parseJoinForm(w, r); err != nil {
		a.failJoin(w, r, "join_code", title, f, err)
		return
	}
	f.AccessCode = strings.TrimSpace(r.PostForm.Get("access_code"))
	f.Name = strings.TrimSpace(r.PostForm.Get("name"))
	if f.AccessCode == "" {
		a.failJoin(w, r, "join_code", title, f, admit.FieldErrorf("access_code", "access_code is required"))
		return
	}
	res, err := a.Service.Join(r.Context(), &admit.JoinRequest{AccessCode: f.AccessCode, Passcode: r.PostForm.Get("passcode"),
		Name: f.Name, Channel: admit.ChannelWeb, Source: a.clientIP(r), Identity: a.participantIdentity(r)})
	if admit.ErrorCode(err) == admit.ESIGNIN && a.SignIns != nil {
		a.startParticipantSignIn(w, r, err, "/join/code")
		return
	}
	if err != nil {
		a.failJoin(w, r, "join_code", title, f, err)
		return
	}
	joined(w, r, res)
}
