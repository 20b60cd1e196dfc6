package app

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/admit-project/admit"
)

// PhoneAdmitter is the application's side of the phone gateway (package
// sip): joins with channel phone, the caller's number as their source, and
// the changes of a caller's status. It implements admit.PhoneAdmitter.
type PhoneAdmitter struct {
	Service *Service
	// Poll is how often Follow reads a caller's status when no change
	// arrives (changes may be lost); one second when zero.
	Poll time.Duration
}

var _ admit.PhoneAdmitter = (*PhoneAdmitter)(nil)

// PhoneSource is the source recorded for a caller's number: the number
// masked to its last four digits, and a keyed hash that tells one number
// from another (for the per-source limits). The full number is stored
// sealed only (Participant.CallerSealed, see CallerNumber).
func (s *Service) PhoneSource(number string) string {
	if number == "" {
		number = "anonymous"
	}
	h := hex.EncodeToString(s.Keys.Index("phone-caller", []byte(number)))
	return admit.MaskPhoneNumber(number) + "#" + h[:16]
}

// Join decides a caller's attempt as a web one is decided (limits and
// guess budget included), with channel phone and the caller's number
// (req.Source, as the gateway passes it), masked and hashed, as the source;
// the full number is sealed with the participant. A caller who gives no
// invitee PIN is named "Caller ending 1234".
func (p *PhoneAdmitter) Join(ctx context.Context, req *admit.JoinRequest) (*admit.JoinResult, error) {
	r := *req
	r.Channel = admit.ChannelPhone
	if r.Name == "" {
		r.Name = admit.PhoneCallerName(req.Source)
	}
	r.CallerNumber = req.Source
	r.Source = p.Service.PhoneSource(req.Source)
	return p.Service.Join(ctx, &r)
}

// CallerNumber opens a phone participant's sealed number; "" for a
// participant who did not call in (or whose caller gave no number). It is
// for the service's own use (such as calling back), never to be shown or
// logged: every place a caller is shown has the masked form.
func (s *Service) CallerNumber(p *admit.Participant) (string, error) {
	if len(p.CallerSealed) == 0 {
		return "", nil
	}
	b, err := s.Keys.Open(p.CallerSealed, admit.CallerNumberAD(p.ID))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Leave ends the attendance of a caller who hung up. ENOTFOUND; a caller
// who is no longer in the meeting is not an error.
func (p *PhoneAdmitter) Leave(ctx context.Context, pid string) error {
	_, err := p.Service.Leave(ctx, pid)
	if admit.ErrorCode(err) == admit.ECONFLICT {
		return nil
	}
	return err
}

// Follow tells a caller's status as it is now (when it is not waiting),
// then its changes (admitted from the waiting room, denied, removed, left,
// or the meeting ended) until ctx is done or the caller's attendance is
// over. ENOTFOUND.
func (p *PhoneAdmitter) Follow(ctx context.Context, pid string) (<-chan admit.PhoneEvent, error) {
	s := p.Service
	if _, _, _, err := s.participant(ctx, s.participantHandle(pid)); err != nil {
		return nil, err
	}
	changes, err := s.Changes().Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	poll := p.Poll
	if poll <= 0 {
		poll = time.Second
	}
	out := make(chan admit.PhoneEvent, 1)
	go func() {
		defer close(out)
		// The first check tells the status as it is now: it may have changed
		// since the join's answer.
		last := ""
		tick := time.NewTicker(poll)
		defer tick.Stop()
		for first := true; ; first = false {
			if !first {
				select {
				case <-ctx.Done():
					return
				case _, ok := <-changes:
					if !ok {
						changes = nil
					}
				case <-tick.C:
				}
			}
			ev, done, err := p.check(ctx, pid, &last)
			if err != nil {
				if ctx.Err() == nil {
					s.logger().Warn("phone: reading a caller's status", "err", err)
				}
				continue
			}
			if ev != nil {
				select {
				case out <- *ev:
				case <-ctx.Done():
					return
				}
			}
			if done {
				return
			}
		}
	}()
	return out, nil
}

// check reads the caller's status and returns the event to tell, if any,
// and whether their attendance is over.
func (p *PhoneAdmitter) check(ctx context.Context, pid string, last *string) (*admit.PhoneEvent, bool, error) {
	s := p.Service
	part, m, o, err := s.participant(ctx, s.participantHandle(pid))
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	if o.EndedAt != nil || o.State(now) == admit.WindowClosed {
		// The end of the meeting moves its participants out: told as the end.
		return &admit.PhoneEvent{Ended: true}, true, nil
	}
	if part.State == *last {
		return nil, false, nil
	}
	*last = part.State
	switch part.State {
	case admit.StateAdmitted:
		res, err := s.joinResult(m, o, part, pid, s.now())
		if err != nil {
			return nil, false, err
		}
		return &admit.PhoneEvent{Status: admit.StatusAdmitted, AdmissionToken: res.AdmissionToken}, false, nil
	case admit.StateDenied, admit.StateRemoved, admit.StateLeft:
		return &admit.PhoneEvent{Status: admit.JoinStatus(part.State)}, true, nil
	}
	return nil, false, nil
}
