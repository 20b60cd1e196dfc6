// Package keys implements admit.Keyring: the master key kept in a file
// outside the database, subkeys derived from it with HKDF-SHA256, keyed
// HMAC-SHA256 indexes for lookups by value, and AES-256-GCM sealing for
// secrets hosts must be able to display; the key's fingerprint (which stores
// record, so that a lost key file is noticed instead of replaced) and invitee
// link tokens derived from the key, so that no link needs storing.
//
// It imports only the standard library and the admit domain package.
package keys
