package translog

import (
	"encoding/binary"

	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/admit-project/admit"
)

// leafTag starts every leaf: it names the encoding, so that a later one can
// never be read as this one.
const leafTag = "admit-audit-entry/v1\x00"

// LeafData returns the canonical encoding of an audit entry, which is the
// data of its leaf in the tree: the tag "admit-audit-entry/v1\x00", then
// Seq, the time (Unix nanoseconds, UTC) and AccountID as 8-byte big-endian
// integers, then Actor, Action, Target (which names the meeting as
// "meeting:<id>" for a join), Source, Outcome and Detail, each as an 8-byte
// big-endian length and its bytes. No two different entries encode alike.
// The store's own row id, and the hashes, are not part of it.
func LeafData(e *admit.Event) []byte {
	b := make([]byte, 0, len(leafTag)+3*8+6*8+len(e.Actor)+len(e.Action)+len(e.Target)+len(e.Source)+len(e.Outcome)+len(e.Detail))
	return appendLeafData(b, e)
}

func appendLeafData(b []byte, e *admit.Event) []byte {
	b = append(b, leafTag...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UTC().UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(e.AccountID))
	for _, s := range [...]string{e.Actor, e.Action, e.Target, e.Source, e.Outcome, e.Detail} {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// LeafHash returns the RFC 6962 leaf hash of e: SHA-256(0x00 ‖ LeafData(e)).
func LeafHash(e *admit.Event) []byte {
	return rfc6962.DefaultHasher.HashLeaf(LeafData(e))
}

// leafHasher hashes leaves reusing one buffer (for the verifier's pass).
type leafHasher struct{ buf []byte }

func (h *leafHasher) hash(e *admit.Event) []byte {
	h.buf = appendLeafData(h.buf[:0], e)
	return rfc6962.DefaultHasher.HashLeaf(h.buf)
}
