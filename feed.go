package admit

import (
	"context"
)

// Change kinds carried by a ChangeFeed.
const (
	ChangeRoster  = "roster"  // an occurrence's participants changed
	ChangeBudget  = "budget"  // a meeting's guess budget was spent or reset
	ChangeMeeting = "meeting" // a meeting's join data changed (code revoked, …)
	ChangeAccount = "account" // an account's security defaults changed
)

// Change is news that every node serving the same store must hear of: the
// host's live roster on one node follows joins admitted by another.
type Change struct {
	Kind         string `json:"kind"`
	AccountID    int64  `json:"account_id,omitempty"`
	MeetingPK    int64  `json:"meeting_pk,omitempty"`
	OccurrencePK int64  `json:"occurrence_pk,omitempty"`
}

// ChangeFeed carries Changes between the nodes of one service. Delivery is
// at most once and may lag; a subscriber that falls behind loses changes,
// so subscribers treat a change as "read again", never as the data itself.
type ChangeFeed interface {
	// Publish sends c to every subscriber on every node, this one included.
	Publish(ctx context.Context, c Change) error
	// Subscribe returns a channel of changes until ctx is done; then the
	// channel is closed.
	Subscribe(ctx context.Context) (<-chan Change, error)
}
