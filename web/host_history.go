package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// historyRow is one past (or running) occurrence in the list.
type historyRow struct {
	ID         string
	Number     string
	Topic      string
	Occurrence int
	Start, End time.Time
	State      string
	Zone       string
}

// historyData is the past meetings page's data.
type historyData struct {
	Q     string
	TZ    string
	Rows  []*historyRow
	More  int // rows left out beyond historyLimit
	Total int
}

// historyLimit is how many occurrences the list shows at once; a search
// narrows it.
const historyLimit = 100

// handleHistory lists the host's past occurrences, newest first, searchable
// by topic or meeting ID, each with its attendance. Who may: the signed-in
// user, for their own meetings (ListMeetings answers for the actor only).
func (a *App) handleHistory(w http.ResponseWriter, r *http.Request, h *hostReq) {
	now := a.Service.Now()
	ms, err := a.Service.ListMeetings(r.Context(), h.actor, time.Time{}, now)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	d := &historyData{Q: q, TZ: userZone(h.ws.User)}
	for _, m := range ms {
		if m.Kind == admit.KindPersonal || !matchesSearch(m, q) {
			continue
		}
		for _, o := range m.Occurrences {
			if !o.Start.Before(now) {
				continue
			}
			d.Rows = append(d.Rows, &historyRow{ID: m.ID, Number: m.MeetingIDDisplay, Topic: m.Topic, Occurrence: o.Index,
				Start: o.Start, End: o.End, State: o.State, Zone: m.Timezone})
		}
	}
	sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Start.After(d.Rows[j].Start) })
	d.Total = len(d.Rows)
	if len(d.Rows) > historyLimit {
		d.More = len(d.Rows) - historyLimit
		d.Rows = d.Rows[:historyLimit]
	}
	a.render(w, r, http.StatusOK, "host_history", h.page("Past meetings", d))
}

// matchesSearch reports whether the meeting's topic holds q (any case), or
// its meeting ID holds q's digits; an empty q matches every meeting.
func matchesSearch(m *admit.MeetingView, q string) bool {
	if q == "" {
		return true
	}
	if strings.Contains(strings.ToLower(m.Topic), strings.ToLower(q)) {
		return true
	}
	if digits, ok := admit.StripSeparators(q); ok && digits != "" {
		return strings.Contains(m.MeetingID, digits)
	}
	return false
}
