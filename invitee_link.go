package admit

import ()

// InviteeLink is what an invitee's unique link shows before they join: whom
// it invites, and to which meeting.
type InviteeLink struct {
	Name      string // the invitee's name
	Topic     string
	MeetingID string // the meeting's number, ungrouped
}
