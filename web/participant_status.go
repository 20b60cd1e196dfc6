package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

var noParticipant = &admit.Error{Code: admit.ENOTFOUND, Message: "There is no such participant. Join the meeting again."}

// statusView is the data of the participant's status page.
type statusView struct {
	PID   string
	State string
	Name  string
	// NameWhy says where the name comes from, after it: ", the name on
	// your invitation".
	NameWhy   string
	Topic     string
	MeetingID string // grouped
	// Media is how to connect to the meeting's media room, while admitted
	// and when the account has a media server.
	Media *admit.MediaGrant
	// Ended is set when the participant left because the host ended the
	// occurrence, not by their own Leave.
	Ended bool
}

// RoomClient reports whether the page runs admit's room client (LiveKit).
func (v *statusView) RoomClient() bool {
	return v.State == admit.StateAdmitted && v.Media != nil && v.Media.Backend == admit.MediaLiveKit
}

// endedByHost reports whether the participant left when the host ended
// their occurrence (a participant who left before keeps "You left").
func endedByHost(res *admit.JoinResult) bool {
	p, end := res.Participant, res.Meeting.EndedAt
	return p.State == admit.StateLeft && end != nil && p.LeftAt != nil && !p.LeftAt.Before(*end)
}

// Waiting reports whether the host has yet to decide.
func (v *statusView) Waiting() bool { return v.State == admit.StateWaiting }

// Live reports whether the page follows the participant's state: while
// they wait, and while they are in (the host may remove them).
func (v *statusView) Live() bool { return !final(v.State) }

// handleParticipant shows where a participant stands: in the meeting (with
// a Leave button), waiting (the page follows the host's decision by itself),
// denied, removed or left.
func (a *App) handleParticipant(w http.ResponseWriter, r *http.Request) {
	pid, ok := edge.ParticipantID(r)
	if !ok {
		a.errorPage(w, r, noParticipant)
		return
	}
	res, err := a.Service.ParticipantStatus(r.Context(), pid)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		err = noParticipant
	}
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	v := &statusView{PID: pid, State: res.Participant.State, Name: res.Participant.DisplayName}
	signedIn := ""
	if id := a.participantIdentity(r); id != nil {
		signedIn = id.Name
	}
	v.NameWhy = nameWhy(res.Participant, signedIn)
	if res.Meeting != nil {
		v.Topic, v.MeetingID = res.Meeting.Topic, admit.FormatMeetingNumber(res.Meeting.MeetingID)
		v.Ended = endedByHost(res)
	}
	v.Media = res.Media
	if v.RoomClient() {
		// The room client connects to the LiveKit server: the one origin
		// besides this one the page may reach.
		w.Header().Set("Content-Security-Policy", roomPolicy(v.Media.URL))
	}
	title := statusTitle(v.State)
	if v.Ended {
		title = "The host ended the meeting"
	}
	a.render(w, r, http.StatusOK, "join_status", &page{Title: title, Data: v})
}

// nameWhy tells a participant why they are in the meeting under their
// name, which may not be what they typed: an invitation's credential
// carries its invitee's name (numbered when it was used already), a
// sign-in with the organisation's provider its name. signedIn is the name
// of the participant's sign-in, "" without one.
func nameWhy(p *admit.Participant, signedIn string) string {
	switch {
	case p.InviteeID != "" && p.SharedCredential:
		return ": you came with " + p.BaseName + "'s invitation, which someone used already, and the host sees that"
	case signedIn != "" && p.BaseName == signedIn:
		return ", the name your organisation's sign-in gives you"
	case p.InviteeID != "":
		return ", the name on your invitation"
	case p.BaseName == admit.DefaultGuestName:
		return ", since you gave no name"
	}
	return ", the name you gave"
}

// statusTitle is the status page's title (and #status heading) for a state.
func statusTitle(state string) string {
	switch state {
	case admit.StateAdmitted:
		return "You are in the meeting"
	case admit.StateWaiting:
		return "Waiting for the host to let you in"
	case admit.StateDenied:
		return "The host did not let you in"
	case admit.StateRemoved:
		return "The host removed you from the meeting"
	}
	return "You left the meeting"
}

// handleLeave records that the participant left, and shows their status.
func (a *App) handleLeave(w http.ResponseWriter, r *http.Request) {
	pid, ok := edge.ParticipantID(r)
	if !ok {
		a.errorPage(w, r, noParticipant)
		return
	}
	_, err := a.Service.Leave(r.Context(), pid)
	switch admit.ErrorCode(err) {
	case "", admit.ECONFLICT: // already out: the status page says how
	case admit.ENOTFOUND:
		a.errorPage(w, r, noParticipant)
		return
	default:
		a.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/p/"+pid, http.StatusSeeOther)
}

// eventsRecheck is how often the events stream reads the status again
// without news from the change feed (which may drop changes), and writes a
// comment that tells a dead connection.
const eventsRecheck = 20 * time.Second

// handleParticipantEvents streams the participant's state as server-sent
// events ("event: status", the state as data): first the current state,
// then each change, read again on every roster change of the participant's
// occurrence. The stream ends once the state is final (denied, removed,
// left).
func (a *App) handleParticipantEvents(w http.ResponseWriter, r *http.Request) {
	pid, ok := edge.ParticipantID(r)
	if !ok {
		http.Error(w, noParticipant.Message, http.StatusNotFound)
		return
	}
	byParticipant, _ := a.streamBounds()
	release, ok := byParticipant.Acquire(pid)
	if !ok {
		http.Error(w, "Too many pages follow this participant; close one.", http.StatusTooManyRequests)
		return
	}
	defer release()
	ctx := r.Context()
	// Subscribe before reading, so that no change falls between the two.
	changes, err := a.Service.Changes().Subscribe(ctx)
	if err != nil {
		a.logger().Error("web: subscribe to changes", "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	res, err := a.Service.ParticipantStatus(ctx, pid)
	if err != nil {
		status := edge.ErrorStatus(admit.ErrorCode(err))
		if status == http.StatusInternalServerError {
			a.logger().Error("web: participant status", "err", err)
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	occ := res.Participant.OccurrencePK
	rc := http.NewResponseController(w)
	// The server's read and write timeouts are for ordinary requests; this
	// one lasts as long as the participant waits.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	state := res.Participant.State
	if _, err := fmt.Fprintf(w, "retry: 3000\nevent: status\ndata: %s\n\n", state); err != nil || rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(eventsRecheck)
	defer tick.Stop()
	stop := a.stopped()
	for !final(state) {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case c, ok := <-changes:
			if !ok {
				return
			}
			if c.Kind != admit.ChangeRoster || c.OccurrencePK != occ {
				continue
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": still here\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
		res, err := a.Service.ParticipantStatus(ctx, pid)
		if err != nil {
			return
		}
		if s := res.Participant.State; s != state {
			state = s
			if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", state); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// final reports whether a participant's state can change no more.
func final(state string) bool {
	return state == admit.StateDenied || state == admit.StateRemoved || state == admit.StateLeft
}
