package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMeetingCreateReminderLead: "admit meeting create --reminder-lead"
// sets the meeting's own reminder lead; a bad one names the field.
func TestMeetingCreateReminderLead(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut}
	run := func(args ...string) (string, error) {
		t.Helper()
		out.Reset()
		errOut.Reset()
		err := m.Run(ctx, append(args, "--data", data))
		return out.String(), err
	}
	if _, err := run("user", "create", "--email", "ada@example.com", "--name", "Ada", "--base-url", "http://admit.test"); err != nil {
		t.Fatalf("user create: %v\n%s", err, errOut.String())
	}
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute).Format(time.RFC3339)
	got, err := run("meeting", "create", "--email", "ada@example.com", "--start", start, "--reminder-lead", "45")
	if err != nil {
		t.Fatalf("meeting create: %v\n%s", err, errOut.String())
	}
	var v struct {
		ReminderLeadMinutes int `json:"reminder_lead_minutes"`
	}
	if err := json.Unmarshal([]byte(got), &v); err != nil || v.ReminderLeadMinutes != 45 {
		t.Errorf("created meeting's reminder lead %d (%v), want 45:\n%s", v.ReminderLeadMinutes, err, got)
	}
	_, err = run("meeting", "create", "--email", "ada@example.com", "--start", start, "--reminder-lead=99999")
	if err == nil || !strings.Contains(err.Error()+errOut.String(), "reminder_lead_minutes") {
		t.Errorf("a lead over a week: %v %s, want an error naming reminder_lead_minutes", err, errOut.String())
	}
}
