package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"time"

	"github.com/admit-project/admit"
)

// MeetingCmd is "admit meeting": a host's meetings, as the API has them
// (output is JSON). MEETING is the meeting's id or its meeting ID.
type MeetingCmd struct {
	Email string `name:"email" required:"" env:"ADMIT_EMAIL" placeholder:"EMAIL" help:"The host to act as."`

	List       MeetingListCmd       `cmd:"" help:"List the host's meetings' occurrences between two times."`
	Show       MeetingShowCmd       `cmd:"" help:"Show a meeting with its codes and invitees."`
	Create     MeetingCreateCmd     `cmd:"" help:"Schedule a meeting, from flags or a JSON body."`
	Update     MeetingUpdateCmd     `cmd:"" help:"Change a meeting with a JSON body (as PATCH /api/v1/meetings/{id})."`
	Regenerate MeetingRegenerateCmd `cmd:"" help:"Make a new access code, passcode or invitee credential."`
	End        MeetingEndCmd        `cmd:"" help:"End an occurrence: everyone in it leaves."`
	Delete     MeetingDeleteCmd     `cmd:"" help:"Delete a meeting."`
	Roster     MeetingRosterCmd     `cmd:"" help:"Show who waits and who is in an occurrence."`
	Attendance MeetingAttendanceCmd `cmd:"" help:"Show an occurrence's attendance."`
}

// meetingArg is the meeting a subcommand acts on.
type meetingArg struct {
	ID string `arg:"" name:"meeting" help:"The meeting's id or its meeting ID."`
}

// occurrenceFlag picks an occurrence.
type occurrenceFlag struct {
	Occurrence int `name:"occurrence" placeholder:"N" help:"The occurrence (default: the open or next one)."`
}

// meetingRun opens the store as the host and prints what do returns as JSON.
func (m *Main) meetingRun(ctx context.Context, sf *storeFlags, mc *MeetingCmd, do func(svc admit.Service, a *admit.Actor) (any, error)) error {
	e, err := m.open(ctx, sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	a, err := e.actor(ctx, mc.Email)
	if err != nil {
		return err
	}
	out, err := do(e.service, a)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// MeetingListCmd is "admit meeting list".
type MeetingListCmd struct {
	From string `name:"from" placeholder:"TIME" help:"RFC 3339 lower bound (default: now)."`
	To   string `name:"to" placeholder:"TIME" help:"RFC 3339 upper bound."`
}

// Run lists the meetings.
func (c *MeetingListCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	f, err := parseTimeFlag("from", c.From)
	if err != nil {
		return err
	}
	t, err := parseTimeFlag("to", c.To)
	if err != nil {
		return err
	}
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.ListMeetings(ctx, a, f, t)
	})
}

// MeetingShowCmd is "admit meeting show".
type MeetingShowCmd struct {
	meetingArg
}

// Run shows the meeting.
func (c *MeetingShowCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.ShowMeeting(ctx, a, c.ID)
	})
}

// MeetingCreateCmd is "admit meeting create".
type MeetingCreateCmd struct {
	JSON     string `name:"json" placeholder:"FILE" xor:"body" help:"The request body as JSON (a file, or - for standard input); instead of the other flags."`
	Topic    string `name:"topic" placeholder:"TEXT" help:"Topic."`
	Kind     string `name:"kind" default:"scheduled" enum:"instant,scheduled,recurring" help:"instant, scheduled or recurring."`
	Start    string `name:"start" placeholder:"TIME" help:"RFC 3339 start, e.g. 2026-11-23T09:00:00Z."`
	Duration int    `name:"duration" default:"${default_duration}" placeholder:"MINUTES" help:"Duration in minutes; default ${default}."`
	Timezone string `name:"timezone" placeholder:"ZONE" help:"IANA time zone, e.g. Europe/Berlin."`
	// ReminderLead is the meeting's own reminder lead; 0 leaves the
	// account's default.
	ReminderLead int `name:"reminder-lead" placeholder:"MINUTES" help:"Minutes before each occurrence its reminder is emailed; default the account's (or the deployment's hour)."`
}

// Run creates the meeting.
func (c *MeetingCreateCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	in := &admit.MeetingInput{}
	if c.JSON != "" {
		if err := readJSON(c.JSON, in); err != nil {
			return err
		}
	} else {
		k := admit.Kind(c.Kind)
		in.Kind, in.DurationMinutes = &k, &c.Duration
		if c.Topic != "" {
			in.Topic = &c.Topic
		}
		if c.Timezone != "" {
			in.Timezone = &c.Timezone
		}
		if c.ReminderLead != 0 {
			in.ReminderLeadMinutes = &c.ReminderLead
		}
		if c.Start != "" {
			st, err := parseTimeFlag("start", c.Start)
			if err != nil {
				return err
			}
			in.Start = &st
		}
	}
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.CreateMeeting(ctx, a, in)
	})
}

// MeetingUpdateCmd is "admit meeting update".
type MeetingUpdateCmd struct {
	meetingArg
	JSON string `name:"json" required:"" placeholder:"FILE" help:"The changes as JSON (a file, or - for standard input)."`
}

// Run changes the meeting.
func (c *MeetingUpdateCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	in := &admit.MeetingInput{}
	if err := readJSON(c.JSON, in); err != nil {
		return err
	}
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.UpdateMeeting(ctx, a, c.ID, in)
	})
}

// MeetingRegenerateCmd is "admit meeting regenerate".
type MeetingRegenerateCmd struct {
	meetingArg
	What    string `name:"what" required:"" enum:"access_code,passcode,invitee" help:"access_code, passcode or invitee."`
	Invitee string `name:"invitee" placeholder:"ID" help:"The invitee's id (with --what invitee)."`
	occurrenceFlag
}

// Run makes the new credential.
func (c *MeetingRegenerateCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.Regenerate(ctx, a, c.ID, c.What, c.Occurrence, c.Invitee)
	})
}

// MeetingEndCmd is "admit meeting end".
type MeetingEndCmd struct {
	meetingArg
	occurrenceFlag
}

// Run ends the occurrence.
func (c *MeetingEndCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.EndMeeting(ctx, a, c.ID, c.Occurrence)
	})
}

// MeetingDeleteCmd is "admit meeting delete".
type MeetingDeleteCmd struct {
	meetingArg
}

// Run deletes the meeting.
func (c *MeetingDeleteCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		if err := svc.DeleteMeeting(ctx, a, c.ID); err != nil {
			return nil, err
		}
		return map[string]string{"deleted": c.ID}, nil
	})
}

// MeetingRosterCmd is "admit meeting roster".
type MeetingRosterCmd struct {
	meetingArg
	occurrenceFlag
}

// Run prints the roster.
func (c *MeetingRosterCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.Roster(ctx, a, c.ID, c.Occurrence)
	})
}

// MeetingAttendanceCmd is "admit meeting attendance".
type MeetingAttendanceCmd struct {
	meetingArg
	occurrenceFlag
}

// Run prints the attendance.
func (c *MeetingAttendanceCmd) Run(ctx context.Context, m *Main, sf *storeFlags, mc *MeetingCmd) error {
	return m.meetingRun(ctx, sf, mc, func(svc admit.Service, a *admit.Actor) (any, error) {
		return svc.Attendance(ctx, a, c.ID, c.Occurrence)
	})
}

func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, admit.FieldErrorf(name, "--%s must be an RFC 3339 time such as 2026-11-23T09:00:00Z", name)
	}
	return t, nil
}

// readJSON decodes a request body from a file or standard input, refusing
// unknown fields as the API does.
func readJSON(path string, v any) error {
	if path == "" {
		return admit.FieldErrorf("json", "--json is required")
	}
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return admit.FieldErrorf("json", "--json: %v", err)
	}
	return nil
}
