package app

import (
	"encoding/base32"
	"strings"
)

// Participant IDs are bearer capabilities: whoever holds one sees the
// participant's state and gets their admission token. The store keeps only
// a handle derived from the ID with a keyed hash, and the roster, the
// audit trail, the attendance record and the admission token's subject name
// participants by handle, so that nothing a host, an auditor or a stolen
// copy of the store sees lets anyone act as the participant.

// participantHandlePurpose separates the handle's keyed hash from every
// other index.
const participantHandlePurpose = "participant handle"

var handleEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// participantHandle returns the handle of the participant whose bearer ID
// is pid: "p" and 16 base32 letters of the keyed hash, the shape of an ID.
func (s *Service) participantHandle(pid string) string {
	sum := s.Keys.Index(participantHandlePurpose, []byte(pid))
	return "p" + strings.ToLower(handleEncoding.EncodeToString(sum[:10]))
}
