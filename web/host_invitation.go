package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// invitationRoutes registers the invitation's copy, calendar file and
// resend on the meeting page, and the invitee's calendar file on their join
// page.
func (a *App) invitationRoutes() []edge.Route {
	return []edge.Route{
		{Method: "POST", Path: "/meetings/{id}/invitation", Handler: a.host(a.handleInvitationText)},
		{Method: "GET", Path: "/meetings/{id}/invitation.ics", Handler: a.host(a.handleInvitationICS)},
		{Method: "POST", Path: "/meetings/{id}/deliveries/{delivery}/resend", Handler: a.host(a.handleResend)},
		{Method: "POST", Path: "/meetings/{id}/invitees/{invitee}/remove", Handler: a.host(a.handleRemoveInvitee)},
		{Method: "GET", Path: "/i/{token}/invite.ics", Handler: a.handleInviteeICS},
	}
}

// deliveryFor returns the newest delivery to each invitee (the list is
// newest first).
func deliveryFor(ds []*admit.Delivery) map[string]*admit.Delivery {
	out := map[string]*admit.Delivery{}
	for _, d := range ds {
		if _, ok := out[d.InviteeID]; !ok && d.InviteeID != "" {
			out[d.InviteeID] = d
		}
	}
	return out
}

// handleInvitationText puts the invitation with its real values (an
// invitee's own, or the shared ones) in the page's invitation box, or
// answers it as JSON for the copy button. It is audited as a reveal is.
func (a *App) handleInvitationText(w http.ResponseWriter, r *http.Request, h *hostReq) {
	invitee := r.PostForm.Get("invitee")
	text, err := a.Service.InvitationText(r.Context(), h.actor, r.PathValue("id"), invitee)
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
		writeJSON(w, http.StatusOK, map[string]string{"text": text})
		return
	}
	p, err := a.loadMeetingPage(r, h, occurrenceParam(r))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	p.InvitationText = text
	p.InvitationFor = "everyone"
	for _, inv := range p.M.Invitees {
		if inv.ID == invitee {
			p.InvitationFor = inv.Name
		}
	}
	a.renderMeeting(w, r, h, http.StatusOK, p)
}

// handleInvitationICS downloads the meeting's calendar file: an invitee's
// (?invitee=ID) or the host's own.
func (a *App) handleInvitationICS(w http.ResponseWriter, r *http.Request, h *hostReq) {
	b, err := a.Service.InvitationICS(r.Context(), h.actor, r.PathValue("id"), r.URL.Query().Get("invitee"))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	writeICS(w, b)
}

func writeICS(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="invite.ics"`)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// handleResend queues a message again.
func (a *App) handleResend(w http.ResponseWriter, r *http.Request, h *hostReq) {
	id := r.PathValue("id")
	n, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil {
		a.errorPage(w, r, admit.FieldErrorf("delivery", "delivery must be a message number"))
		return
	}
	if _, err := a.Service.Resend(r.Context(), h.actor, id, n); err != nil {
		a.errorPage(w, r, err)
		return
	}
	back(w, r, id, occurrenceParam(r), "resent")
}

// handleInviteeICS downloads the calendar file of the invitee whose link
// this is; an unknown link gets the uniform refusal.
func (a *App) handleInviteeICS(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	b, err := a.Service.InviteeICS(r.Context(), admit.ChannelWeb, a.clientIP(r), token)
	if err != nil {
		a.failJoin(w, r, "join_invite", "Your invitation", &joinForm{}, err)
		return
	}
	writeICS(w, b)
}

func init() {
	notices["removed"] = "The invitee is removed: their link and codes stopped working. With mail on, they get a cancellation; the others get nothing."
}

// handleRemoveInvitee removes one invitee (the service decides who may);
// with mail on, they alone get a cancellation.
func (a *App) handleRemoveInvitee(w http.ResponseWriter, r *http.Request, h *hostReq) {
	id := r.PathValue("id")
	if _, err := a.Service.RemoveInvitee(r.Context(), h.actor, id, r.PathValue("invitee")); err != nil {
		a.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/meetings/"+id+"?done=removed", http.StatusSeeOther)
}
