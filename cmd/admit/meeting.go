package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/admit-project/admit"
)

const meetingUsage = `usage:
  admit meeting list --email E [--from T] [--to T]
  admit meeting show ID --email E
  admit meeting create --email E (--json FILE|- | --topic T --start T --duration N --timezone Z [--kind K])
  admit meeting update ID --email E --json FILE|-
  admit meeting regenerate ID --email E --what access_code|passcode|invitee [--occurrence N] [--invitee ID]
  admit meeting end ID --email E [--occurrence N]
  admit meeting delete ID --email E
  admit meeting attendance ID --email E [--occurrence N]
ID is the meeting's id or its meeting ID. Output is JSON.`

func (m *Main) runMeeting(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, meetingUsage)
		return errUsage
	}
	verb, args := args[0], args[1:]
	var id string
	switch verb {
	case "show", "update", "regenerate", "end", "delete", "attendance", "roster":
		if len(args) == 0 || len(args[0]) == 0 || args[0][0] == '-' {
			fmt.Fprintf(m.Stderr, "admit meeting %s: the meeting's id comes first\n%s\n", verb, meetingUsage)
			return errUsage
		}
		id, args = args[0], args[1:]
	case "list", "create":
	default:
		fmt.Fprintln(m.Stderr, meetingUsage)
		return errUsage
	}
	var sf storeFlags
	fs := m.newFlags("meeting "+verb, &sf)
	email := fs.String("email", m.Getenv("ADMIT_EMAIL"), "the host to act as ($ADMIT_EMAIL)")
	from := fs.String("from", "", "list: RFC 3339 lower bound")
	to := fs.String("to", "", "list: RFC 3339 upper bound")
	jsonFile := fs.String("json", "", "create/update: the request body as JSON (a file, or - for standard input)")
	topic := fs.String("topic", "", "create: topic")
	kind := fs.String("kind", "scheduled", "create: instant, scheduled or recurring")
	start := fs.String("start", "", "create: RFC 3339 start")
	duration := fs.Int("duration", admit.DefaultDurationMinutes, "create: duration in minutes")
	timezone := fs.String("timezone", "", "create: IANA time zone")
	what := fs.String("what", "", "regenerate: access_code, passcode or invitee")
	occurrence := fs.Int("occurrence", 0, "the occurrence (default: the open or next one)")
	invitee := fs.String("invitee", "", "regenerate: the invitee's id")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	e, err := m.open(ctx, &sf, admit.SystemClock{}, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	a, err := e.actor(ctx, *email)
	if err != nil {
		return err
	}
	svc := e.service
	var out any
	switch verb {
	case "list":
		var f, t time.Time
		if f, err = parseTimeFlag("from", *from); err != nil {
			return err
		}
		if t, err = parseTimeFlag("to", *to); err != nil {
			return err
		}
		out, err = svc.ListMeetings(ctx, a, f, t)
	case "show":
		out, err = svc.ShowMeeting(ctx, a, id)
	case "create":
		in := &admit.MeetingInput{}
		if *jsonFile != "" {
			if err := readJSON(*jsonFile, in); err != nil {
				return err
			}
		} else {
			k := admit.Kind(*kind)
			in.Kind, in.DurationMinutes = &k, duration
			if *topic != "" {
				in.Topic = topic
			}
			if *timezone != "" {
				in.Timezone = timezone
			}
			if *start != "" {
				st, err := parseTimeFlag("start", *start)
				if err != nil {
					return err
				}
				in.Start = &st
			}
		}
		out, err = svc.CreateMeeting(ctx, a, in)
	case "update":
		in := &admit.MeetingInput{}
		if err := readJSON(*jsonFile, in); err != nil {
			return err
		}
		out, err = svc.UpdateMeeting(ctx, a, id, in)
	case "regenerate":
		out, err = svc.Regenerate(ctx, a, id, *what, *occurrence, *invitee)
	case "end":
		out, err = svc.EndMeeting(ctx, a, id, *occurrence)
	case "delete":
		if err = svc.DeleteMeeting(ctx, a, id); err == nil {
			out = map[string]string{"deleted": id}
		}
	case "attendance":
		out, err = svc.Attendance(ctx, a, id, *occurrence)
	case "roster":
		out, err = svc.Roster(ctx, a, id, *occurrence)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
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
