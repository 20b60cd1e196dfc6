package web

import (
	"net/http"
	"strconv"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// attendancePage is the attendance page's data.
type attendancePage struct {
	ID  string
	A   *admit.Attendance
	M   *admit.MeetingView
	TZ  string
	Occ int
}

func (a *App) handleAttendance(w http.ResponseWriter, r *http.Request, h *hostReq) {
	id := r.PathValue("id")
	att, err := a.Service.Attendance(r.Context(), h.actor, id, occurrenceParam(r))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	m, err := a.Service.HostMeeting(r.Context(), h.actor, id)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "host_attendance", h.page("Attendance: "+att.Topic, &attendancePage{ID: m.ID, A: att, M: m, TZ: userZone(h.ws.User), Occ: att.Occurrence}))
}

// handleAttendanceCSV downloads the occurrence's attendance as the API's CSV.
func (a *App) handleAttendanceCSV(w http.ResponseWriter, r *http.Request, h *hostReq) {
	att, err := a.Service.Attendance(r.Context(), h.actor, r.PathValue("id"), occurrenceParam(r))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	b, err := edge.AttendanceCSV(att)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="attendance-`+att.MeetingID+`-`+strconv.Itoa(att.Occurrence)+`.csv"`)
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}
