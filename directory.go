package admit

import "time"

// Directory is every identifier a join may present, as the join path holds
// it in memory (see JoinCache): the live meetings' numbers, the access codes
// still reserved, and the live meetings' invitee link tokens, by their keyed
// indexes. Answering all of them from memory is what lets a refusal do the
// same work whatever was wrong.
type Directory struct {
	Meetings []DirMeeting
	Codes    []DirCode
	Tokens   []DirToken
}

// DirMeeting is a live meeting's number.
type DirMeeting struct {
	PK     int64
	Number string
}

// DirCode is an access code's reservation.
type DirCode struct {
	Index        []byte
	MeetingPK    int64
	OccurrencePK int64 // 0 when the occurrence was removed
	Occurrence   int
	From, Until  time.Time
	Revoked      bool
}

// DirToken is an invitee link token of a live meeting.
type DirToken struct {
	Index     []byte
	MeetingPK int64
	InviteePK int64
	InviteeID string
	Name      string
}
