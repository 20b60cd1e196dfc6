package app

import (
	"context"
	"strings"

	"github.com/admit-project/admit"
)

// eventPageScans bounds the store pages one Events call reads for an actor
// who sees only some of the account's entries.
const eventPageScans = 50

// Events lists the audit entries matching f the actor may see, by ID
// (oldest first, or newest first with f.NewestFirst); f.Limit from 1 to
// 1000, 100 otherwise. Owners and admins see the account's trail; anyone
// else sees the entries of the meetings they may see (as host or
// alternative host) and the entries of their own actions, nothing of other
// people's meetings.
func (s *Service) Events(ctx context.Context, a *admit.Actor, f admit.EventFilter) ([]*admit.Event, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	f.AccountID = a.User.AccountID
	if admit.SeesAccountAudit(a.User) {
		return s.Store.FindEvents(ctx, f)
	}
	limit := f.Limit
	v := &eventVisibility{s: s, a: a, meetings: map[string]bool{}}
	var out []*admit.Event
	for range eventPageScans {
		page, err := s.Store.FindEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			ok, err := v.sees(ctx, e)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, e)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if len(page) < f.Limit {
			break
		}
		if last := page[len(page)-1]; f.NewestFirst {
			f.BeforeID = last.ID
		} else {
			f.AfterID = last.ID
		}
	}
	return out, nil
}

// eventVisibility decides which audit entries an actor who is not an owner
// or admin sees, remembering each meeting's answer for one listing.
type eventVisibility struct {
	s        *Service
	a        *admit.Actor
	meetings map[string]bool
}

// sees reports whether the actor sees e: an entry of one of their own
// actions, about themselves, or about a meeting they may see.
func (v *eventVisibility) sees(ctx context.Context, e *admit.Event) (bool, error) {
	me := "user:" + itoa(v.a.User.ID)
	if e.Actor == me || strings.HasPrefix(e.Actor, me+" ") || e.Target == me {
		return true, nil
	}
	id, ok := strings.CutPrefix(e.Target, "meeting:")
	if !ok {
		return false, nil
	}
	if seen, ok := v.meetings[id]; ok {
		return seen, nil
	}
	m, err := v.s.Store.FindMeetingByID(ctx, v.a.User.AccountID, id)
	if admit.ErrorCode(err) == admit.ENOTFOUND {
		v.meetings[id] = false
		return false, nil
	} else if err != nil {
		return false, err
	}
	seen := admit.MeetingPermissions(v.a.User, m.AccountID, m.HostID, m.AlternativeHosts).Has(admit.PermSee)
	v.meetings[id] = seen
	return seen, nil
}
