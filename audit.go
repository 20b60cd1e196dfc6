package admit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// The audit trail is a hash chain: each entry's Hash is a keyed MAC over the
// previous entry's Hash and the entry's own fields, so that editing,
// deleting, reordering or inserting any entry breaks every later link, and
// without the key (kept outside the database) nobody can forge a new chain.
// The store keeps the chain's head (last Seq and Hash) beside it, so that
// deleting the last entries is caught too.

// ChainHash returns HMAC-SHA256(key, prev ‖ canonical(e)). The canonical
// form is length-prefixed, so no two different entries encode alike.
func ChainHash(key, prev []byte, e *Event) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(prev)
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	num(e.Seq)
	num(e.At.UTC().UnixNano())
	num(e.AccountID)
	for _, s := range []string{e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail} {
		field([]byte(s))
	}
	return h.Sum(nil)
}

// ChainHead is the last link of the audit chain as the store records it.
type ChainHead struct {
	Seq  int64
	Hash []byte
}

// ChainBreak describes the first entry at which a chain fails to verify.
type ChainBreak struct {
	Seq    int64  `json:"seq"`    // the first bad entry (or the head's, for a truncated chain)
	Reason string `json:"reason"` // what is wrong
}

// ChainVerifier checks a chain entry by entry, in Seq order.
type ChainVerifier struct {
	Key     []byte
	prev    []byte
	seq     int64
	Checked int64
}

// Next checks the next entry; it returns a ChainBreak at the first bad one.
func (v *ChainVerifier) Next(e *Event) *ChainBreak {
	if e.Seq != v.seq+1 {
		return &ChainBreak{Seq: v.seq + 1, Reason: "entry " + itoa(v.seq+1) + " is missing or out of order (found " + itoa(e.Seq) + ")"}
	}
	if !hmac.Equal(e.PrevHash, v.prev) && !(v.seq == 0 && len(e.PrevHash) == 0) {
		return &ChainBreak{Seq: e.Seq, Reason: "its link to the previous entry does not match"}
	}
	if want := ChainHash(v.Key, v.prev, e); !hmac.Equal(e.Hash, want) {
		return &ChainBreak{Seq: e.Seq, Reason: "its contents do not match its hash (edited)"}
	}
	v.prev, v.seq = e.Hash, e.Seq
	v.Checked++
	return nil
}

// Finish checks the end of the chain against the recorded head.
func (v *ChainVerifier) Finish(head ChainHead) *ChainBreak {
	if head.Seq != v.seq || !hmac.Equal(head.Hash, v.prev) {
		return &ChainBreak{Seq: v.seq + 1, Reason: "the chain ends at entry " + itoa(v.seq) + " but its recorded head is entry " + itoa(head.Seq) + " (entries deleted or added at the end)"}
	}
	return nil
}
