package admit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
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
	b := make([]byte, 0, 3*8+6*8+len(e.Actor)+len(e.Action)+len(e.Target)+len(e.Source)+len(e.Outcome)+len(e.Detail))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UTC().UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(e.AccountID))
	for _, s := range [...]string{e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail} {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	h.Write(b)
	return h.Sum(nil)
}

// ChainHead is the last link of the audit chain as the store records it.
type ChainHead struct {
	Seq  int64
	Hash []byte
	MAC  []byte // HeadMAC(key, Seq, Hash); nil only for the empty chain
}

// HeadMAC authenticates a chain head, so that nobody without the key can
// move the head back to an earlier entry and so hide the deletion of the
// entries after it.
func HeadMAC(key []byte, seq int64, hash []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("admit audit head\x00"))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	h.Write(n[:])
	h.Write(hash)
	return h.Sum(nil)
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
	if e.Seq == v.seq && v.seq > 0 {
		return &ChainBreak{Seq: e.Seq, Reason: "entry " + itoa(e.Seq) + " appears twice (an entry was inserted)"}
	}
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

// Finish checks the end of the chain against the recorded head. A chain
// shorter than the head breaks at its first missing entry; one longer at its
// first entry past the head; one whose last hash is not the head's at its
// last entry.
func (v *ChainVerifier) Finish(head ChainHead) *ChainBreak {
	switch {
	case head.Seq > v.seq:
		return &ChainBreak{Seq: v.seq + 1, Reason: "the chain ends at entry " + itoa(v.seq) + " but its recorded head is entry " + itoa(head.Seq) + " (entries deleted at the end)"}
	case head.Seq < v.seq:
		return &ChainBreak{Seq: head.Seq + 1, Reason: "the chain goes on to entry " + itoa(v.seq) + " past its recorded head, entry " + itoa(head.Seq) + " (entries added at the end)"}
	case !hmac.Equal(head.Hash, v.prev) && !(v.seq == 0 && len(head.Hash) == 0):
		return &ChainBreak{Seq: v.seq, Reason: "its hash is not the recorded head's (the head or the entry was changed)"}
	case head.MAC == nil && head.Seq == 0:
		return nil
	case !hmac.Equal(head.MAC, HeadMAC(v.Key, head.Seq, head.Hash)):
		return &ChainBreak{Seq: head.Seq + 1, Reason: "the recorded head (entry " + itoa(head.Seq) + ") is not authentic: it was moved back, hiding deleted entries after it"}
	}
	return nil
}

// Verify checks the whole audit chain of store under key, in one consistent
// read. It returns how many entries it checked and, when the chain is
// broken, where it first breaks.
func Verify(ctx context.Context, store Store, key []byte) (int64, *ChainBreak, error) {
	v := &ChainVerifier{Key: key}
	var bad *ChainBreak
	head, err := store.ScanEvents(ctx, 0, func(e *Event) error {
		if bad = v.Next(e); bad != nil {
			return errChainBroken
		}
		return nil
	})
	if bad != nil {
		return v.Checked, bad, nil
	}
	if err != nil {
		return v.Checked, nil, err
	}
	return v.Checked, v.Finish(head), nil
}

// errChainBroken stops a scan at the first bad entry.
var errChainBroken = errors.New("audit chain broken")

// JoinEvent is the audit entry of a join attempt: action "join.admitted",
// "join.waiting", "join.refused", "join.not_open", "join.ended" or
// "join.invalid"; actor "participant:<id>" for an admitted or waiting
// participant, else "anonymous"; target "meeting:<meetingID>" when the
// meeting is known; the attempt's internal reason (or, for a success, its
// method) as detail. Stores append it in the same write as the attempt.
func JoinEvent(a *Attempt, participantID string, accountID int64, meetingID string) *Event {
	e := &Event{At: a.At, AccountID: accountID, Actor: "anonymous", Action: "join." + a.Outcome,
		Source: a.Source, Outcome: "failed", Detail: a.Reason}
	switch a.Outcome {
	case OutcomeAdmitted, OutcomeWaiting:
		e.Outcome = "ok"
		if e.Detail == "" {
			e.Detail = a.Method
		}
	case OutcomeInvalid:
		e.Action = "join.invalid"
	}
	if participantID != "" {
		e.Actor = "participant:" + participantID
	}
	if meetingID != "" {
		e.Target = "meeting:" + meetingID
	}
	return e
}
