// Package password hashes web sign-in passwords with argon2id
// (golang.org/x/crypto/argon2) and checks them, as PHC strings:
//
//	$argon2id$v=19$m=65536,t=2,p=2$SALT$HASH
//
// with the salt and hash in unpadded standard base64. The parameters follow
// RFC 9106's second recommended option scaled to a small server: 64 MiB of
// memory, 2 passes, 2 lanes, a 16-byte salt from crypto/rand and a 32-byte
// hash; one hash takes some tens of milliseconds on one core. A stored hash
// carries its own parameters, so raising them later keeps old hashes
// verifiable (NeedsRehash tells which to replace at the next sign-in).
//
// Hashing runs in bounded Slots (Process by default), so a flood of
// sign-ins cannot take more memory than the bound allows; Weakness judges a
// new password with zxcvbn's model (github.com/trustelem/zxcvbn).
//
// It implements admit.PasswordHasher and imports only the standard library,
// golang.org/x/crypto/argon2, github.com/trustelem/zxcvbn and the admit
// domain package.
package password
