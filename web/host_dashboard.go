package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/admit-project/admit"
)

// dashItem is one occurrence on the dashboard.
type dashItem struct {
	ID         string // the meeting's public ID, for links
	Number     string // grouped meeting ID
	Topic      string
	Occurrence int
	Start      time.Time
	End        time.Time
	State      string
	Zone       string // the meeting's own time zone
}

// dashboard is the dashboard's data.
type dashboard struct {
	TZ       string
	Today    []*dashItem
	Upcoming []*dashItem
	Room     *admit.MeetingView
}

// upcomingDays is how far ahead the dashboard lists occurrences.
const upcomingDays = 30

// handleDashboard lists today's and the upcoming occurrences of the host's
// meetings in the host's time zone.
func (a *App) handleDashboard(w http.ResponseWriter, r *http.Request, h *hostReq) {
	tz := userZone(h.ws.User)
	now := a.Service.Now()
	local := inZone(now, tz)
	dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
	dayEnd := dayStart.AddDate(0, 0, 1)
	ms, err := a.Service.ListMeetings(r.Context(), h.actor, dayStart.Add(-24*time.Hour), dayStart.AddDate(0, 0, upcomingDays))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	d := &dashboard{TZ: tz}
	for _, m := range ms {
		if m.Kind == admit.KindPersonal {
			d.Room = m
			continue
		}
		for _, o := range m.Occurrences {
			it := &dashItem{ID: m.ID, Number: m.MeetingIDDisplay, Topic: m.Topic, Occurrence: o.Index, Start: o.Start, End: o.End, State: o.State, Zone: m.Timezone}
			switch {
			case o.State == "open" || (!o.Start.Before(dayStart) && o.Start.Before(dayEnd)) || (o.Start.Before(dayStart) && o.End.After(now) && o.State != "ended"):
				d.Today = append(d.Today, it)
			case !o.Start.Before(dayEnd) && o.Start.Before(dayStart.AddDate(0, 0, upcomingDays)):
				d.Upcoming = append(d.Upcoming, it)
			}
		}
	}
	byStart := func(s []*dashItem) {
		sort.SliceStable(s, func(i, j int) bool { return s[i].Start.Before(s[j].Start) })
	}
	byStart(d.Today)
	byStart(d.Upcoming)
	if d.Room == nil {
		if room, err := a.Service.PersonalRoom(r.Context(), h.actor); err == nil {
			d.Room = room
		}
	}
	pg := h.page("Meetings", d)
	if r.URL.Query().Get("done") == "deleted" {
		pg.Flash = "The meeting is deleted; its codes no longer work."
	}
	a.render(w, r, http.StatusOK, "host_dashboard", pg)
}
