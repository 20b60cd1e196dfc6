package web

import (
	"net/http"

	"github.com/admit-project/admit"
)

// handleInviteeLink greets the invitee of a unique link by name, with one button
// that joins. An unknown link gets the uniform refusal.
func (a *App) handleInviteeLink(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	f := &joinForm{Token: token}
	inv, err := a.Service.InviteeLink(r.Context(), admit.ChannelWeb, a.clientIP(r), token)
	if err != nil {
		f.Token = ""
		a.failJoin(w, r, "join_invite", "Your invitation", f, err)
		return
	}
	f.DialIn = inv.DialIn
	inv.MeetingID = admit.FormatMeetingNumber(inv.MeetingID)
	f.Invitation = inv
	a.render(w, r, http.StatusOK, "join_invite", &page{Title: "Your invitation", Data: f})
}

// handleInviteeLinkPost joins with the invitee's link.
func (a *App) handleInviteeLinkPost(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	res, err := a.Service.Join(r.Context(), &admit.JoinRequest{Token: token, Channel: admit.ChannelWeb, Source: a.clientIP(r)})
	if err == nil {
		joined(w, r, res)
		return
	}
	f := &joinForm{}
	if admit.ErrorCode(err) != admit.EREFUSED && admit.ErrorCode(err) != admit.ERATELIMITED {
		// A valid link outside its meeting's window: greet again, say when.
		if inv, ierr := a.Service.InviteeLink(r.Context(), admit.ChannelWeb, a.clientIP(r), token); ierr == nil {
			inv.MeetingID = admit.FormatMeetingNumber(inv.MeetingID)
			f.Invitation, f.Token = inv, token
		}
	}
	a.failJoin(w, r, "join_invite", "Your invitation", f, err)
}
