package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
)

// Placeholders of hidden secrets in the invitation text; the script swaps
// them for the values once shown.
const (
	hiddenPasscode   = "(hidden: press Show next to the passcode)"
	hiddenPhone      = "(hidden: press Show next to the passcode)"
	hiddenAccessCode = "(hidden: press Show next to the access code)"
)

// meetingPage is the meeting page's data.
type meetingPage struct {
	M          *admit.MeetingView
	Occ        *admit.OccurrenceView
	TZ         string
	Passcode   *admit.Revealed // shown on request
	AccessCode *admit.Revealed
	// InviteesShown is set once the host asked to see the invitees' links,
	// PINs and passcodes (audited); the page hides them until then.
	InviteesShown bool
	Invitation    string
	// InvitationText is the invitation with its real values, once the host
	// asked for it (audited); InvitationFor says whose.
	InvitationText string
	InvitationFor  string
	// Mail is whether this deployment emails invitations; Deliveries the
	// newest message to each invitee, by invitee ID.
	Mail       admit.MailStatus
	Deliveries map[string]*admit.Delivery
	Roster     *admit.Roster // while the occurrence is open
	Attempts   []*admit.Attempt
	Notice     string
	CSRF       string
	// Room is the host's grant to the occurrence's media room (LiveKit),
	// when the host started it: the page runs the room client beside the
	// live roster.
	Room *admit.MediaGrant
	// MediaKind is the account's media backend ("" for none): the page
	// offers Start while the occurrence is open when there is one.
	MediaKind admit.MediaKind
}

// notices are the one-line results of the meeting page's forms.
var notices = map[string]string{
	"created":          "The meeting is scheduled. Invitees with an email address get their invitation by email when mail is on; otherwise copy it below and send it.",
	"regenerated":      "New values are drawn; the old ones stopped working.",
	"ended":            "The occurrence has ended; everyone in it has left.",
	"reset":            "The guess budget is reset: passcode joins are admitted directly again.",
	"decided":          "Done.",
	"restored":         "The meeting is restored: a new passcode, phone passcode and PINs are drawn and sent to the invitees, and passcode joins are admitted directly again.",
	"denied-unmatched": "Everyone who waited with a wrong passcode or PIN is denied.",
	"updated":          "Saved. Those invited before get the change by email when mail is on.",
	"unchanged":        "Nothing changed.",
	"resent":           "The message is queued again; it keeps its Message-ID, so a recipient who has it sees one message.",
	"not-open":         "The meeting room opens with the meeting: Start joins it from when it opens (see State below) until it ends.",
}

// pickOccurrence returns occurrence n, or the open one, else the next to
// open, else the last (as the service picks).
func pickOccurrence(m *admit.MeetingView, n int) *admit.OccurrenceView {
	if len(m.Occurrences) == 0 {
		return nil
	}
	for _, o := range m.Occurrences {
		if n != 0 && o.Index == n {
			return o
		}
	}
	for _, state := range []string{"open", "not_open"} {
		for _, o := range m.Occurrences {
			if o.State == state {
				return o
			}
		}
	}
	return m.Occurrences[len(m.Occurrences)-1]
}

func occurrenceParam(r *http.Request) int {
	v := r.FormValue("occurrence")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// loadMeetingPage gathers the meeting page.
func (a *App) loadMeetingPage(r *http.Request, h *hostReq, n int) (*meetingPage, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	m, err := a.Service.HostMeeting(ctx, h.actor, id)
	if err != nil {
		return nil, err
	}
	p := &meetingPage{M: m, Occ: pickOccurrence(m, n), TZ: userZone(h.ws.User), CSRF: h.ws.CSRFToken()}
	if p.TZ == "" {
		p.TZ = "UTC"
	}
	if p.Occ != nil && p.Occ.State == admit.WindowOpen.String() {
		if p.Roster, err = a.Service.Roster(ctx, h.actor, m.ID, p.Occ.Index); err != nil {
			return nil, err
		}
	}
	if p.Attempts, err = a.Service.FailedAttempts(ctx, h.actor, m.ID, 20); err != nil {
		return nil, err
	}
	p.Mail = a.Service.MailStatus(ctx, h.actor)
	p.MediaKind = a.Service.MediaKind(ctx, h.actor)
	ds, err := a.Service.Deliveries(ctx, h.actor, m.ID)
	if err != nil && admit.ErrorCode(err) != admit.EFORBIDDEN {
		return nil, err
	}
	p.Deliveries = deliveryFor(ds)
	p.Notice = notices[r.URL.Query().Get("done")]
	if r.URL.Query().Get("created") != "" {
		p.Notice = notices["created"]
	}
	return p, nil
}

func (a *App) handleMeeting(w http.ResponseWriter, r *http.Request, h *hostReq) {
	p, err := a.loadMeetingPage(r, h, occurrenceParam(r))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.renderMeeting(w, r, h, http.StatusOK, p)
}

func (a *App) renderMeeting(w http.ResponseWriter, r *http.Request, h *hostReq, status int, p *meetingPage) {
	p.Invitation = invitation(h.ws.User, p, a.DialIn)
	if p.InvitationText != "" {
		p.Invitation = p.InvitationText
	}
	title := p.M.Topic
	if p.Roster != nil && len(p.Roster.Waiting) > 0 {
		// The tab says someone waits, also without the script.
		title = fmt.Sprintf("(%d waiting) %s", len(p.Roster.Waiting), title)
	}
	pg := h.page(title, p)
	pg.Flash = p.Notice
	a.render(w, r, status, "host_meeting", pg)
}

// invitation is the text a host copies into an email or a chat; numbers
// are the deployment's dial-in numbers.
func invitation(u *admit.User, p *meetingPage, numbers []admit.DialInNumber) string {
	m := p.M
	var b strings.Builder
	b.WriteString(u.Name + " is inviting you to a meeting.\n\n")
	b.WriteString("Topic: " + m.Topic + "\n")
	if p.Occ != nil && m.Kind != admit.KindPersonal {
		b.WriteString("Time: " + when(p.Occ.Start, m.Timezone))
		if m.Timezone != "UTC" {
			b.WriteString(" (" + m.Timezone + ")")
		}
		b.WriteString("\n")
		if m.Recurrence != nil {
			b.WriteString("Repeats " + m.Recurrence.Freq + ", " + strconv.Itoa(len(m.Occurrences)) + " times\n")
		}
	}
	b.WriteString("\nJoin: " + m.JoinURL + "\n")
	b.WriteString("Meeting ID: " + m.MeetingIDDisplay + "\n")
	phone := ""
	switch m.Security.Passcode {
	case admit.PasscodeShared:
		if p.Passcode != nil {
			b.WriteString("Passcode: " + p.Passcode.Value + "\n")
			phone = p.Passcode.Phone
			if phone == "" {
				phone = p.Passcode.Value
			}
		} else {
			b.WriteString("Passcode: " + hiddenPasscode + "\n")
			phone = hiddenPhone
		}
	case admit.PasscodeUnique:
		b.WriteString("Passcode: each invitee has their own; use the link or PIN sent to you.\n")
	}
	if m.Security.AccessCode && p.Occ != nil {
		code := hiddenAccessCode
		if p.AccessCode != nil {
			code = p.AccessCode.Display
		}
		b.WriteString("Or join with the one-time access code instead of the meeting ID: " + code + "\n")
	}
	options := admit.DialInOptions(numbers, u.AccountID, m.MeetingIDDisplay, phone)
	dial := "dial in"
	if len(options) > 0 {
		dial = "dial " + options[0].Number
	}
	b.WriteString("\nBy phone: " + dial + ", enter the meeting ID " + m.MeetingIDDisplay + " followed by #")
	if phone != "" {
		b.WriteString(", then the passcode " + phone + " followed by #")
	} else if m.Security.Passcode == admit.PasscodeUnique {
		b.WriteString(", then your PIN followed by #")
	}
	b.WriteString(".\n")
	if len(options) > 0 {
		b.WriteString("Dial-in numbers:\n")
		for _, n := range options {
			kind := ""
			if n.TollFree {
				kind = ", toll-free"
			}
			b.WriteString("  " + n.Number + " (" + n.Country + kind + "), one tap: " + n.OneTap + "\n")
		}
	}
	return b.String()
}

// handleReveal shows the passcode or an access code, audited: the page with
// the value shown, or JSON {value} for the script.
func (a *App) handleReveal(w http.ResponseWriter, r *http.Request, h *hostReq) {
	what, n := r.PostForm.Get("what"), occurrenceParam(r)
	rev, err := a.Service.Reveal(r.Context(), h.actor, r.PathValue("id"), what, n)
	wantsJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	if err != nil {
		if wantsJSON {
			writeJSONError(w, err)
		} else {
			a.errorPage(w, r, err)
		}
		return
	}
	if wantsJSON {
		if what == admit.RevealInvitees {
			writeJSON(w, http.StatusOK, map[string]any{"invitees": rev.Invitees})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"value": rev.Value, "display": rev.Display, "phone": rev.Phone, "join_url": rev.JoinURL})
		return
	}
	p, err := a.loadMeetingPage(r, h, n)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	switch what {
	case admit.RevealPasscode:
		p.Passcode = rev
	case admit.RevealInvitees:
		p.M.Invitees, p.InviteesShown = rev.Invitees, true
	default:
		p.AccessCode = rev
	}
	a.renderMeeting(w, r, h, http.StatusOK, p)
}

// back redirects to the meeting page with a notice.
func back(w http.ResponseWriter, r *http.Request, id string, n int, done string) {
	u := "/meetings/" + id + "?done=" + done
	if n != 0 {
		u += "&occurrence=" + strconv.Itoa(n)
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (a *App) handleRegenerate(w http.ResponseWriter, r *http.Request, h *hostReq) {
	n := occurrenceParam(r)
	m, err := a.Service.Regenerate(r.Context(), h.actor, r.PathValue("id"), r.PostForm.Get("what"), n, r.PostForm.Get("invitee"))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	back(w, r, m.ID, n, "regenerated")
}

// endData is the End confirmation's data.
type endData struct {
	ID        string // the meeting's id, for links
	MeetingID string // grouped
	Roster    *admit.Roster
}

// handleEndForm asks the host to confirm ending an open occurrence, saying
// how many people it sends away. Only the meeting's host (or an owner or
// admin of the account) reaches it: Roster decides.
func (a *App) handleEndForm(w http.ResponseWriter, r *http.Request, h *hostReq) {
	id := r.PathValue("id")
	ro, err := a.Service.Roster(r.Context(), h.actor, id, occurrenceParam(r))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "host_end", h.page("End the meeting", &endData{ID: id, MeetingID: admit.FormatMeetingNumber(ro.MeetingID), Roster: ro}))
}

func (a *App) handleEnd(w http.ResponseWriter, r *http.Request, h *hostReq) {
	n := occurrenceParam(r)
	m, err := a.Service.EndMeeting(r.Context(), h.actor, r.PathValue("id"), n)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	back(w, r, m.ID, n, "ended")
}

func (a *App) handleResetBudget(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if _, err := a.Service.ResetBudget(r.Context(), h.actor, r.PathValue("id")); err != nil {
		a.errorPage(w, r, err)
		return
	}
	back(w, r, r.PathValue("id"), 0, "reset")
}

// handleRestore restores normal joining after an attack: new guessable
// credentials, sent to the invitees, and the budget reset.
func (a *App) handleRestore(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if _, err := a.Service.RestoreMeeting(r.Context(), h.actor, r.PathValue("id")); err != nil {
		a.errorPage(w, r, err)
		return
	}
	back(w, r, r.PathValue("id"), 0, "restored")
}

// handleDenyUnmatched denies every entry the spent budget held with a
// wrong passcode or PIN.
func (a *App) handleDenyUnmatched(w http.ResponseWriter, r *http.Request, h *hostReq) {
	n, _ := strconv.Atoi(r.PostForm.Get("occurrence"))
	if _, err := a.Service.DenyUnmatched(r.Context(), h.actor, r.PathValue("id")); err != nil {
		a.errorPage(w, r, err)
		return
	}
	back(w, r, r.PathValue("id"), n, "denied-unmatched")
}

func (a *App) handleDeleteForm(w http.ResponseWriter, r *http.Request, h *hostReq) {
	m, err := a.Service.HostMeeting(r.Context(), h.actor, r.PathValue("id"))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "host_delete", h.page("Delete "+m.Topic, m))
}

func (a *App) handleDelete(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if err := a.Service.DeleteMeeting(r.Context(), h.actor, r.PathValue("id")); err != nil {
		a.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/?done=deleted", http.StatusSeeOther)
}

// handleAdmitAll admits everyone waiting in the occurrence. Roster and
// Decide make the authorization decision (a user of the meeting's
// account); one who left meanwhile is passed over.
func (a *App) handleAdmitAll(w http.ResponseWriter, r *http.Request, h *hostReq) {
	n, id := occurrenceParam(r), r.PathValue("id")
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	fail := func(err error) {
		if wantJSON {
			writeJSONError(w, err)
			return
		}
		a.errorPage(w, r, err)
	}
	ro, err := a.Service.Roster(r.Context(), h.actor, id, n)
	if err != nil {
		fail(err)
		return
	}
	for _, p := range ro.Waiting {
		if _, err := a.Service.Decide(r.Context(), h.actor, id, p.ID, "admit"); err != nil && admit.ErrorCode(err) != admit.ECONFLICT {
			fail(err)
			return
		}
	}
	if wantJSON {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	back(w, r, id, ro.Occurrence, "decided")
}

// handleDecide admits, denies or removes a participant.
func (a *App) handleDecide(w http.ResponseWriter, r *http.Request, h *hostReq) {
	n := occurrenceParam(r)
	if _, err := a.Service.Decide(r.Context(), h.actor, r.PathValue("id"), r.PathValue("pid"), r.PathValue("decision")); err != nil {
		if strings.Contains(r.Header.Get("Accept"), "application/json") {
			writeJSONError(w, err)
			return
		}
		a.errorPage(w, r, err)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	back(w, r, r.PathValue("id"), n, "decided")
}

// rosterFragment renders the live roster section's content.
func (a *App) rosterFragment(p *meetingPage) ([]byte, error) {
	var buf bytes.Buffer
	err := a.tmpl["host_meeting"].ExecuteTemplate(&buf, "roster", p)
	return buf.Bytes(), err
}

// handleMeetingRoom is the host's Start: it opens the occurrence's media
// room, joins the host to it as its admin (LiveKit: the room client on this
// page, beside the live roster; Jitsi and BigBlueButton: their own page)
// and, when the account has no media server, shows the meeting page.
//
// Start is a link (the dashboard's, the meeting page's), so it is a GET
// that changes something: it opens the room and turns the host's camera
// and microphone on. Another site must not do that in the host's browser
// (their session cookie is SameSite=Lax, sent on a top-level navigation):
// a navigation that the browser says came from another origin
// (Sec-Fetch-Site other than same-origin, or none for a typed URL or a
// bookmark) leads to the meeting page instead, where Start is the host's
// to press.
func (a *App) handleMeetingRoom(w http.ResponseWriter, r *http.Request, h *hostReq) {
	id, n := r.PathValue("id"), occurrenceParam(r)
	meetingPage := func() {
		target := "/meetings/" + url.PathEscape(id)
		if n > 0 {
			target += "?occurrence=" + strconv.Itoa(n)
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		meetingPage()
		return
	}
	g, err := a.Service.StartMedia(r.Context(), h.actor, id, n)
	if admit.ErrorCode(err) == admit.EUNSUPPORTED {
		meetingPage()
		return
	}
	if admit.ErrorCode(err) == admit.ECONFLICT {
		// Not open (yet, or any more): the meeting page says so and when.
		back(w, r, id, n, "not-open")
		return
	}
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	if g.Backend != admit.MediaLiveKit && g.JoinURL != "" {
		http.Redirect(w, r, g.JoinURL, http.StatusSeeOther)
		return
	}
	p, err := a.loadMeetingPage(r, h, n)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	p.Room = g
	w.Header().Set("Content-Security-Policy", roomPolicy(g.URL))
	a.renderMeeting(w, r, h, http.StatusOK, p)
}

// isDigits reports whether s is a non-empty string of digits (a passcode's
// phone form, as a one-tap dial string can carry it).
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
