package sip

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// fakeMeeting is a meeting of the fake admitter, by its entry (meeting ID or
// access code).
type fakeMeeting struct {
	passcode string
	waiting  bool      // callers wait for the host
	opensAt  time.Time // not open yet, when set
	ended    bool
	account  int64 // the meeting's account; 0 is any
}

// fakeAdmitter is an admit.PhoneAdmitter over a few meetings, for tests of
// the gateway alone.
type fakeAdmitter struct {
	mu       sync.Mutex
	meetings map[string]fakeMeeting
	joins    []admit.JoinRequest
	parts    map[string]*fakeParticipant
	leaves   []string
	n        int
	joined   chan string // participant IDs as they join
}

type fakeParticipant struct {
	entry  string
	events chan admit.PhoneEvent
}

func newFakeAdmitter(meetings map[string]fakeMeeting) *fakeAdmitter {
	return &fakeAdmitter{meetings: meetings, parts: map[string]*fakeParticipant{}, joined: make(chan string, 100)}
}

func fakeToken(entry string) string { return "token-for-" + entry }

func (f *fakeAdmitter) Join(ctx context.Context, req *admit.JoinRequest) (*admit.JoinResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.joins = append(f.joins, *req)
	if req.Channel != admit.ChannelPhone {
		return nil, admit.FieldErrorf("channel", "not phone")
	}
	entry := req.MeetingID + req.AccessCode
	if entry == "" || req.MeetingID != "" && req.AccessCode != "" {
		return nil, admit.FieldErrorf("meeting_id", "give exactly one of meeting_id, access_code and token")
	}
	m, ok := f.meetings[entry]
	if !ok || req.Passcode != m.passcode || req.AccountID != 0 && m.account != 0 && req.AccountID != m.account {
		return nil, &admit.Error{Code: admit.EREFUSED, Message: admit.RefusalMessage}
	}
	if m.ended {
		return nil, &admit.Error{Code: admit.EENDED, Message: "This meeting has ended."}
	}
	if !m.opensAt.IsZero() {
		return nil, &admit.Error{Code: admit.ENOTOPEN, Message: "not open", Detail: map[string]any{"opens_at": m.opensAt.Format(time.RFC3339)}}
	}
	f.n++
	pid := fmt.Sprintf("p%d", f.n)
	f.parts[pid] = &fakeParticipant{entry: entry, events: make(chan admit.PhoneEvent, 4)}
	res := &admit.JoinResult{Status: admit.StatusAdmitted, Participant: &admit.Participant{ID: pid, Channel: admit.ChannelPhone},
		Meeting: &admit.JoinMeeting{MeetingID: entry}}
	if m.waiting {
		res.Status = admit.StatusWaiting
	} else {
		res.AdmissionToken = fakeToken(entry)
	}
	f.joined <- pid
	return res, nil
}

func (f *fakeAdmitter) Follow(ctx context.Context, pid string) (<-chan admit.PhoneEvent, error) {
	f.mu.Lock()
	p := f.parts[pid]
	f.mu.Unlock()
	if p == nil {
		return nil, admit.Errorf(admit.ENOTFOUND, "no participant %s", pid)
	}
	out := make(chan admit.PhoneEvent)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-p.events:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func (f *fakeAdmitter) Leave(ctx context.Context, pid string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.parts[pid] == nil {
		return admit.Errorf(admit.ENOTFOUND, "no participant %s", pid)
	}
	f.leaves = append(f.leaves, pid)
	return nil
}

// tell sends ev to the participant's follower.
func (f *fakeAdmitter) tell(pid string, ev admit.PhoneEvent) {
	f.mu.Lock()
	p := f.parts[pid]
	f.mu.Unlock()
	if p != nil {
		p.events <- ev
	}
}

func (f *fakeAdmitter) admit(pid string) {
	f.mu.Lock()
	entry := f.parts[pid].entry
	f.mu.Unlock()
	f.tell(pid, admit.PhoneEvent{Status: admit.StatusAdmitted, AdmissionToken: fakeToken(entry)})
}

func (f *fakeAdmitter) joinCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.joins)
}

func (f *fakeAdmitter) leaveCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.leaves)
}

func (f *fakeAdmitter) joinRequests() []admit.JoinRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]admit.JoinRequest(nil), f.joins...)
}
