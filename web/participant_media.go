package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// roomPolicy is the content security policy of a page that runs the room
// client: the pages' policy, with connect-src opened to the LiveKit server
// at serverURL (its ws(s):// and http(s):// forms: the client validates a
// refused connection over HTTP).
func roomPolicy(serverURL string) string {
	connect := "'self'"
	if u, err := url.Parse(serverURL); err == nil && u.Host != "" && !strings.ContainsAny(u.Host, " ;,'\"") {
		switch u.Scheme {
		case "ws", "http":
			connect += " ws://" + u.Host + " http://" + u.Host
		case "wss", "https":
			connect += " wss://" + u.Host + " https://" + u.Host
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src " +
		connect + "; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
}

// handleParticipantMedia gives the room client a fresh grant as JSON
// ({"url", "token", ...}) while the participant stays admitted; refused
// (409) once they are not.
func (a *App) handleParticipantMedia(w http.ResponseWriter, r *http.Request) {
	pid, ok := edge.ParticipantID(r)
	if !ok {
		http.Error(w, noParticipant.Message, http.StatusNotFound)
		return
	}
	g, err := a.Service.ParticipantMedia(r.Context(), pid)
	if err != nil {
		status := edge.ErrorStatus(admit.ErrorCode(err))
		if status == http.StatusInternalServerError {
			a.logger().Error("web: participant media", "err", err)
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	b, err := json.Marshal(g)
	if err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// handleParticipantMediaOpen sends an admitted participant to the meeting
// room's own page (Jitsi, BigBlueButton) with a fresh join URL. It is a
// link, not a form: the pages' form-action 'self' would stop a form's
// redirect to the media server.
func (a *App) handleParticipantMediaOpen(w http.ResponseWriter, r *http.Request) {
	pid, ok := edge.ParticipantID(r)
	if !ok {
		a.errorPage(w, r, noParticipant)
		return
	}
	g, err := a.Service.ParticipantMedia(r.Context(), pid)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		err = noParticipant
	}
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	if g.JoinURL == "" {
		http.Redirect(w, r, "/p/"+pid, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, g.JoinURL, http.StatusSeeOther)
}
