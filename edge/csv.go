package edge

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"

	"github.com/admit-project/admit"
)

// AttendanceCSVHeader is the header row of an attendance CSV, in column
// order.
var AttendanceCSVHeader = []string{
	"participant_id", "display_name", "invitee_id", "email", "shared_credential", "channel",
	"source", "state", "joined_at", "admitted_at", "left_at", "duration_seconds",
	"media_connected_at", "media_left_at", "media_seconds",
}

// AttendanceCSV renders att as CSV: a header row, then one row per
// participant, times in RFC 3339 UTC; a cell a spreadsheet would read as a
// formula is defused with a leading single quote. The API and the web app
// both serve it.
func AttendanceCSV(att *admit.Attendance) ([]byte, error) {
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
			csvTime(row.MediaConnectedAt), csvTime(row.MediaLeftAt), strconv.FormatInt(row.MediaSeconds, 10),
		}
		for i := range rec {
			rec[i] = CSVCell(rec[i])
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

// CSVCell defuses a cell that a spreadsheet would read as a formula (it
// starts with = + - @, a tab or a carriage return) by prefixing a single
// quote.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
