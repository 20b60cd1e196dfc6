package http

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// attendanceRoutes registers an occurrence's attendance record.
func (s *Server) attendanceRoutes() []edge.Route {
	return []edge.Route{{Method: "GET", Path: "/api/v1/meetings/{id}/attendance", Handler: s.authed(s.handleAttendance)}}
}

// handleAttendance answers with the attendance of occurrence ?occurrence=n
// (default: the open or next one) as JSON, or as CSV when the client prefers
// text/csv.
func (s *Server) handleAttendance(w http.ResponseWriter, r *http.Request, a *admit.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := occurrenceParam(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	att, err := s.Service.Attendance(r.Context(), a, id, n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !prefersCSV(r.Header.Get("Accept")) {
		s.writeJSON(w, r, http.StatusOK, att)
		return
	}
	b, err := edge.AttendanceCSV(att)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="attendance-`+att.MeetingID+`-`+strconv.Itoa(att.Occurrence)+`.csv"`)
	w.Header().Add("Vary", "Accept")
	writeBytes(w, http.StatusOK, csvContentType, b)
}

// prefersCSV reports whether an Accept header ranks text/csv above
// application/json.
func prefersCSV(accept string) bool {
	if accept == "" {
		return false
	}
	csvQ, jsonQ := -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "text/csv":
			csvQ = max(csvQ, q)
		case "application/json", "application/*", "*/*":
			jsonQ = max(jsonQ, q)
		}
	}
	return csvQ > 0 && csvQ > jsonQ
}

// AttendanceCSVHeader is the header row of an attendance CSV, in column
// order (the CSV itself is edge.AttendanceCSV, shared with the web app).
var AttendanceCSVHeader = edge.AttendanceCSVHeader
