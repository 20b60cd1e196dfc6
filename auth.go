package admit

import (
	"context"
	"time"
)

// Web sign-in: users' password hashes, sessions and one-time links. The
// password hash itself is made outside this package (argon2id, in package
// password): the root package only stores what it is given.

// Session is a signed-in browser. Only the keyed hash of its cookie value is
// stored (Index), so a copy of the database signs nobody in.
type Session struct {
	ID        int64
	Index     []byte // keyed HMAC of the cookie value
	UserID    int64
	CSRF      []byte // the session's CSRF secret (random, 32 bytes)
	CreatedAt time.Time
	ExpiresAt time.Time // absolute: a session never outlives it
	LastSeen  time.Time // idle expiry counts from here
}

// One-time link purposes.
const (
	LinkSetup  = "setup"  // the first start's link to create the owner
	LinkInvite = "invite" // an invited user's link to set a password
)

// OneTimeLink is a link that works once before it expires: the first
// start's set-up link and a user's invitation. Only its keyed hash is stored.
type OneTimeLink struct {
	ID        int64
	Index     []byte
	Purpose   string
	UserID    int64 // the invited user (0 for set-up)
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
}

// AuthStore keeps what web sign-in needs. Part of Store.
type AuthStore interface {
	// SetPassword stores the user's password hash (a PHC string; "" removes
	// it). ENOTFOUND.
	SetPassword(ctx context.Context, userID int64, hash string) error
	// FindPassword returns the user's password hash, "" when none is set.
	// ENOTFOUND when there is no such user.
	FindPassword(ctx context.Context, userID int64) (string, error)
	// UpdateUser saves u's name, role and timezone. ENOTFOUND.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes the user, in one transaction: its meetings other
	// than its personal room pass to transferTo (a user of the same
	// account), its personal room is deleted as DeleteMeeting does, and its
	// sessions, one-time links and API tokens are removed. The email may be
	// used again afterwards. ENOTFOUND (either user); EINVALID (field
	// "transfer_to") when transferTo is the user itself or in another
	// account.
	DeleteUser(ctx context.Context, userID, transferTo int64, now time.Time) error

	// CreateSession inserts s, setting s.ID.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns the session with the index, whatever its expiry
	// (the caller checks). ENOTFOUND.
	FindSession(ctx context.Context, index []byte) (*Session, error)
	// TouchSession sets the session's LastSeen to at. ENOTFOUND.
	TouchSession(ctx context.Context, id int64, at time.Time) error
	// DeleteSession removes one session (signing out). ENOTFOUND.
	DeleteSession(ctx context.Context, id int64) error
	// DeleteUserSessions removes every session of the user (on a password
	// change or a removal) and returns how many there were.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)

	// DeleteUserLinks removes every one-time link of the user still
	// outstanding (once one was used, or the password changed) and returns
	// how many there were.
	DeleteUserLinks(ctx context.Context, userID int64) (int, error)

	// CreateOneTimeLink inserts l, setting l.ID.
	CreateOneTimeLink(ctx context.Context, l *OneTimeLink) error
	// UseOneTimeLink marks the unused, unexpired link with the index and
	// purpose used at now, atomically, and returns it: of two concurrent
	// calls only one succeeds. ENOTFOUND when there is no such link, it is
	// used, expired or of another purpose (one answer for all, so that the
	// caller cannot tell them apart). Using a set-up link uses every
	// set-up link (each start, on each node, makes one), atomically, so that
	// two set-up links used at once make one owner.
	UseOneTimeLink(ctx context.Context, index []byte, purpose string, now time.Time) (*OneTimeLink, error)
}
