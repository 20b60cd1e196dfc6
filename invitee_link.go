package admit

import ()

// InviteeLink is what an invitee's unique link shows before they join: whom
// it invites, and to which meeting.
type InviteeLink struct {
	Name      string // the invitee's name
	Topic     string
	MeetingID string // the meeting's number, ungrouped
	// DialIn are the dial-in numbers that reach the meeting, with the
	// one-tap form of its meeting ID.
	DialIn []DialInOption
}
