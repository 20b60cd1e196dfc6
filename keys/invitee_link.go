package keys

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// InviteeLinkSize is the size of an invitee link token in bytes (22
// characters of unpadded base64url): 128 bits, beyond guessing.
const InviteeLinkSize = 16

// inviteeLinkLabel derives the key invitee link tokens are made with; it
// is a subkey of its own, so a token says nothing about the index key or
// any other subkey.
const inviteeLinkLabel = "admit invitee link v1"

// InviteeLinkToken derives the token of an invitee's link from the master
// key, the meeting's public ID, the invitee's ID and a generation number
// (which a regenerate bumps, so that the old link stops working):
//
//	base64url(HMAC-SHA256(K_link, len‖meeting ‖ len‖invitee ‖ generation)[:16])
//
// The same inputs always give the same token, so nothing secret needs to be
// stored: the store keeps only the token's keyed index (Index), the host
// can be shown the link again, and invitations and reminders can carry it.
// Without the master key nobody can compute a token, and a token reveals
// neither the key nor another invitee's token.
func (r *Ring) InviteeLinkToken(meetingID, inviteeID string, generation uint32) string {
	k, err := hkdf.Key(sha256.New, r.root, nil, inviteeLinkLabel, 32)
	if err != nil {
		panic(err) // only for lengths hkdf cannot produce
	}
	h := hmac.New(sha256.New, k)
	var n [8]byte
	for _, s := range []string{meetingID, inviteeID} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	binary.BigEndian.PutUint32(n[:4], generation)
	h.Write(n[:4])
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:InviteeLinkSize])
}
