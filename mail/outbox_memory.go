package mail

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/admit-project/admit"
)

// MemoryOutbox is an admit.OutboxStore in memory: for a single node without
// a database, and the fake of tests. Its zero value is ready.
type MemoryOutbox struct {
	mu   sync.Mutex
	next int64
	msgs []*admit.OutboxMessage
}

var _ admit.OutboxStore = (*MemoryOutbox)(nil)

func copyMsg(m *admit.OutboxMessage) *admit.OutboxMessage {
	c := *m
	c.Payload = slices.Clone(m.Payload)
	if m.SentAt != nil {
		t := *m.SentAt
		c.SentAt = &t
	}
	return &c
}

// EnqueueOutbox implements admit.OutboxStore.
func (o *MemoryOutbox) EnqueueOutbox(ctx context.Context, now time.Time, msgs ...*admit.OutboxMessage) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		if m.MessageID == "" || m.To == "" || !m.Kind.Valid() {
			return admit.FieldErrorf("outbox", "an outbox message needs a Message-ID, a recipient and a kind")
		}
	}
	for _, m := range msgs {
		if o.has(m) {
			continue
		}
		o.next++
		m.ID, m.CreatedAt = o.next, now
		m.State, m.Attempts, m.LastError, m.NextAttemptAt = admit.OutboxQueued, 0, "", now
		m.LeaseOwner, m.LeaseUntil, m.SentAt = "", time.Time{}, nil
		o.msgs = append(o.msgs, copyMsg(m))
	}
	return nil
}

// has reports whether m is in the outbox already: its Message-ID, or the
// same reminder.
func (o *MemoryOutbox) has(m *admit.OutboxMessage) bool {
	for _, x := range o.msgs {
		if x.MessageID == m.MessageID {
			return true
		}
		if m.Kind == admit.OutboxReminder && x.Kind == admit.OutboxReminder && x.MeetingID == m.MeetingID &&
			x.InviteeID == m.InviteeID && x.Occurrence == m.Occurrence {
			return true
		}
	}
	return false
}

// ClaimOutbox implements admit.OutboxStore.
func (o *MemoryOutbox) ClaimOutbox(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]*admit.OutboxMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []*admit.OutboxMessage
	for _, m := range o.msgs {
		if m.Due(now) {
			due = append(due, m)
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].NextAttemptAt.Before(due[j].NextAttemptAt) })
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	out := make([]*admit.OutboxMessage, len(due))
	for i, m := range due {
		m.LeaseOwner, m.LeaseUntil = node, now.Add(lease)
		out[i] = copyMsg(m)
	}
	return out, nil
}

func (o *MemoryOutbox) leased(id int64, node string) (*admit.OutboxMessage, error) {
	for _, m := range o.msgs {
		if m.ID == id {
			if m.LeaseOwner != node {
				return nil, admit.Errorf(admit.ECONFLICT, "message %d is leased to another node", id)
			}
			return m, nil
		}
	}
	return nil, admit.Errorf(admit.ENOTFOUND, "no outbox message %d", id)
}

// MarkOutboxSent implements admit.OutboxStore.
func (o *MemoryOutbox) MarkOutboxSent(ctx context.Context, id int64, node string, now time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.leased(id, node)
	if err != nil {
		return err
	}
	m.State, m.SentAt, m.LeaseOwner, m.LeaseUntil, m.NextAttemptAt = admit.OutboxSent, &now, "", time.Time{}, time.Time{}
	return nil
}

// MarkOutboxFailed implements admit.OutboxStore.
func (o *MemoryOutbox) MarkOutboxFailed(ctx context.Context, id int64, node string, answer string, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.leased(id, node)
	if err != nil {
		return err
	}
	m.State, m.Attempts, m.LastError, m.NextAttemptAt = admit.OutboxFailing, m.Attempts+1, answer, next
	m.LeaseOwner, m.LeaseUntil = "", time.Time{}
	return nil
}

// ResendOutbox implements admit.OutboxStore.
func (o *MemoryOutbox) ResendOutbox(ctx context.Context, accountID, id int64, now time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range o.msgs {
		if m.ID == id && m.AccountID == accountID {
			m.State, m.Attempts, m.NextAttemptAt, m.SentAt = admit.OutboxQueued, 0, now, nil
			m.LeaseOwner, m.LeaseUntil = "", time.Time{}
			return nil
		}
	}
	return admit.Errorf(admit.ENOTFOUND, "no outbox message %d", id)
}

// FindOutbox implements admit.OutboxStore.
func (o *MemoryOutbox) FindOutbox(ctx context.Context, f admit.OutboxFilter) ([]*admit.OutboxMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*admit.OutboxMessage
	for i := len(o.msgs) - 1; i >= 0; i-- {
		m := o.msgs[i]
		if m.AccountID != f.AccountID || (f.MeetingID != "" && m.MeetingID != f.MeetingID) || (f.InviteeID != "" && m.InviteeID != f.InviteeID) {
			continue
		}
		out = append(out, copyMsg(m))
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}
