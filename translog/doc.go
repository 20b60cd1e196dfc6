// Package translog makes the audit trail a transparency log in the manner of
// Certificate Transparency (RFC 6962/9162) and Go's checksum database.
//
// Writers append audit entries to the store without any lock shared by all
// writers: an entry gets its identity from the store and commits with the
// change it records. One Integrator per store (elected among the nodes by
// the store, see Store.TryLead) takes the entries not yet in the tree, gives
// them their place (Seq), adds their leaf hashes to an RFC 6962 Merkle tree,
// saves the tree's state and signs a checkpoint (origin, size, root hash) in
// the signed-note format of golang.org/x/mod/sumdb/note, with an Ed25519 key
// kept apart from the sealing keys. Checkpoints are published to Witnesses
// outside the store (an append-only file, an HTTP endpoint), each of which
// refuses a checkpoint that does not extend the last one it holds.
//
// Verify recomputes every leaf hash from the entry's contents, rebuilds the
// tree in one streaming pass (memory does not grow with the log) and checks
// it against a checkpoint the caller trusts (a witnessed one) and every
// signed checkpoint the store holds, naming the first bad entry, or, when the
// entries' recorded hashes were rewritten as well, the first checkpoint the
// log fails and the range of entries it covers. InclusionProof and
// ConsistencyProof give the RFC 6962 proofs, verified before they are
// returned.
//
// Imports: the standard library, the domain package admit (for admit.Event),
// github.com/transparency-dev/merkle (hashing, compact ranges, proofs),
// github.com/transparency-dev/formats/log (the checkpoint body) and
// golang.org/x/mod/sumdb/note. Never a store, the HTTP edge or the
// application. The in-memory Store for tests is the sibling package
// translog/memstore.
package translog
