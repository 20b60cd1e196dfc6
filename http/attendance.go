package http

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// attendanceRoutes registers an occurrence's attendance record.
func (s *Server) attendanceRoutes() []route {
	return []route{{"GET", "/api/v1/meetings/{id}/attendance", s.authed(s.handleAttendance)}}
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
	b, err := attendanceCSV(att)
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
// order.
var AttendanceCSVHeader = []string{
	"participant_id", "display_name", "invitee_id", "email", "shared_credential", "channel",
	"source", "state", "joined_at", "admitted_at", "left_at", "duration_seconds",
}

// attendanceCSV renders att as CSV: a header row, then one row per
// participant, times in RFC 3339 UTC.
func attendanceCSV(att *admit.Attendance) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(AttendanceCSVHeader); err != nil {
		return nil, err
	}
	for _, row := range att.Rows {
		rec := []string{
			row.ParticipantID, row.DisplayName, row.InviteeID, row.Email,
			strconv.FormatBool(row.SharedCredential), string(row.Channel), row.Source, row.State,
			csvTime(&row.JoinedAt), csvTime(row.AdmittedAt), csvTime(row.LeftAt),
			strconv.FormatInt(row.DurationSeconds, 10),
		}
		for i := range rec {
			rec[i] = csvCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvCell defuses a cell that a spreadsheet would read as a formula (it
// starts with = + - @, a tab or a carriage return) by prefixing a single
// quote.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
