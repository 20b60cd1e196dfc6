package admit

import (
	"context"
	"time"
)

// Store keeps admit's state. Implementations (sqlite, later postgres) pass
// the conformance suite in package storetest. Methods return *Error values
// with the codes their comments name; any other error is internal.
//
// The store, not the Service, guarantees the uniqueness rules: a meeting
// number is never issued twice (not even after deletion), no two access codes
// with the same Index have overlapping reservations (see
// Occurrence.ReservedFrom and ReservedUntil; revoked codes keep theirs), an
// invitee token Index is unique, and a credential Index is unique within its
// meeting. Concurrent writers cannot break them.
type Store interface {
	// CreateAccount inserts a, setting a.ID and a.CreatedAt.
	CreateAccount(ctx context.Context, a *Account) error
	// FindAccountByID returns ENOTFOUND when there is no such account.
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// FindDefaultAccount returns the first account created, or ENOTFOUND.
	FindDefaultAccount(ctx context.Context) (*Account, error)
	// UpdateAccount saves a's name, plan and security. ENOTFOUND.
	UpdateAccount(ctx context.Context, a *Account) error

	// CreateUser inserts u, setting u.ID and u.CreatedAt. ECONFLICT (field
	// "email") when the email is taken in any account.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByID and FindUserByEmail return ENOTFOUND when there is none.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUsers lists an account's users by ID.
	FindUsers(ctx context.Context, accountID int64) ([]*User, error)

	// CreateAPIToken inserts t, setting t.ID and t.CreatedAt.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// FindAPIToken returns the token whose Index is index, or ENOTFOUND.
	FindAPIToken(ctx context.Context, index []byte) (*APIToken, error)
	// FindAPITokens lists a user's tokens by ID.
	FindAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// DeleteAPIToken deletes the user's token id; ENOTFOUND when the user
	// has no such token.
	DeleteAPIToken(ctx context.Context, userID, id int64) error
	// DeleteUserAPITokens deletes all of a user's tokens and returns how
	// many there were.
	DeleteUserAPITokens(ctx context.Context, userID int64) (int, error)

	// CreateContact inserts c, setting c.ID and c.CreatedAt.
	CreateContact(ctx context.Context, c *Contact) error
	// FindContactByID returns ENOTFOUND unless the contact is in the account.
	FindContactByID(ctx context.Context, accountID, id int64) (*Contact, error)
	// FindContacts lists the account's contacts by name.
	FindContacts(ctx context.Context, accountID int64) ([]*Contact, error)
	// UpdateContact saves c's name, email and phone. ENOTFOUND.
	UpdateContact(ctx context.Context, c *Contact) error
	// DeleteContact removes a contact. ENOTFOUND.
	DeleteContact(ctx context.Context, accountID, id int64) error

	// SaveMeeting writes m whole, in one transaction. With m.PK == 0 it
	// inserts the meeting and sets every PK and CreatedAt; otherwise it makes
	// the stored meeting equal to m: occurrences are matched by Index (new
	// ones inserted, missing ones removed with their codes revoked), an access
	// code whose Index differs from the stored one replaces it (the old one
	// is revoked at now and keeps its reservation), invitees are matched by
	// PK (PK 0 inserted, missing ones removed), and credentials whose Index
	// differs are replaced. Secrets with a nil value are removed. Two things
	// are not overwritten: an occurrence's Uses (Admit owns the counter) and
	// a set EndedAt.
	// It returns ECONFLICT with Field "meeting_id" when the number was ever
	// issued to another meeting, Field "access_code" and Detail["occurrence"]
	// (the Index) when an access code's reservation overlaps another with the
	// same Index, and Field "credential" when a token or credential Index is
	// taken. Nothing is written on error.
	SaveMeeting(ctx context.Context, m *Meeting, now time.Time) error
	// FindMeetingByID returns the account's meeting, not deleted, whole (with
	// occurrences, current access codes, invitees and credentials). ENOTFOUND.
	FindMeetingByID(ctx context.Context, accountID int64, id string) (*Meeting, error)
	// FindMeetingByNumber is FindMeetingByID by meeting number.
	FindMeetingByNumber(ctx context.Context, accountID int64, number string) (*Meeting, error)
	// FindPersonalRoom returns the host's personal room, whole. ENOTFOUND.
	FindPersonalRoom(ctx context.Context, hostID int64) (*Meeting, error)
	// FindMeetings lists meetings, whole, that match f, ordered by their
	// first matching occurrence's start.
	FindMeetings(ctx context.Context, f MeetingFilter) ([]*Meeting, error)
	// DeleteMeeting marks the meeting deleted at now: its access codes are
	// revoked (keeping their reservations), its credentials and invitee
	// tokens stop matching, open occurrences end and active participants
	// leave. Its number stays reserved forever. ENOTFOUND.
	DeleteMeeting(ctx context.Context, meetingPK int64, now time.Time) error
	// EndOccurrence ends the occurrence at now (its window closes) and marks
	// active participants as left. ENOTFOUND; ECONFLICT when already ended.
	EndOccurrence(ctx context.Context, occurrencePK int64, now time.Time) error
	// OpenPersonalOccurrence returns the personal room's open occurrence at
	// now, or atomically adds the next one (Index one past the last, Start
	// now) built by make when none is open. make runs inside the store's
	// write transaction and must not call the store.
	OpenPersonalOccurrence(ctx context.Context, meetingPK int64, now time.Time, make func(index int) *Occurrence) (*Occurrence, error)

	// JoinStore is the hot path.
	JoinStore
	// ParticipantStore keeps rosters and attendance.
	ParticipantStore
	// GuessBudgetStore keeps the meetings' guess budgets.
	GuessBudgetStore
	// AuthStore keeps passwords, sessions and one-time links.
	AuthStore

	// FindSealed pages through every sealed secret in the store, from
	// cursor (the zero cursor starts), at most limit at a time; the returned
	// cursor's Done is set after the last page. Used by key rotation.
	FindSealed(ctx context.Context, cursor SealedCursor, limit int) ([]*SealedValue, SealedCursor, error)
	// ReplaceSealed swaps v's sealed copy for sealed, only if the row still
	// holds v.Sealed (so that a value changed meanwhile is left alone), and
	// reports whether it did.
	ReplaceSealed(ctx context.Context, v *SealedValue, sealed []byte) (bool, error)

	// AppendEvents appends audit events, in order, to the audit chain,
	// setting their ID, Seq, PrevHash and Hash (and At, when zero). Appends
	// by concurrent callers, and by other processes on the same store, form
	// one chain.
	AppendEvents(ctx context.Context, events ...*Event) error
	// FindEvents lists events matching f, oldest first (by Seq).
	FindEvents(ctx context.Context, f EventFilter) ([]*Event, error)
	// AuditHead returns the audit chain's last link as the store records it.
	AuditHead(ctx context.Context) (ChainHead, error)
	// ScanEvents calls fn with every event of every account after afterSeq,
	// in Seq order, as stored (not checked), and returns the chain's head,
	// all in one consistent read. It stops at fn's first error and returns
	// it. fn must not call the store.
	ScanEvents(ctx context.Context, afterSeq int64, fn func(*Event) error) (ChainHead, error)

	// Close releases the store.
	Close() error
}

// MeetingFilter selects meetings. Zero fields do not filter.
type MeetingFilter struct {
	AccountID int64 // required
	HostID    int64 // only this host's meetings
	// From and To select meetings with an occurrence whose [Start, End)
	// overlaps [From, To); personal rooms match any range.
	From, To time.Time
	Limit    int
}

// JoinStore holds the lookups and the commits of the join path. Lookups
// never return deleted meetings or removed credentials.
type JoinStore interface {
	// FindJoinMeetingByPK returns the meeting with the primary key, without
	// occurrences or invitees (the Passcode fields hold Index only).
	// ENOTFOUND.
	FindJoinMeetingByPK(ctx context.Context, pk int64) (*Meeting, error)
	// Admit commits an accepted join atomically (filling in the
	// participant's PK, DisplayName, SharedCredential and AdmittedAt, and the
	// attempt's ID and ParticipantPK): it consumes an access-code
	// use when asked (ECONFLICT, field "max_uses", when none is left), names
	// the participant (BaseName, or "BaseName (n)" with SharedCredential set
	// when an earlier holder of the same invitee credential is still active;
	// n is the smallest from 2 not used by an active holder), inserts the
	// participant (setting PK) and the attempt. Nothing is written on error.
	// Once Admit returns, the admission survives a crash of the process.
	Admit(ctx context.Context, a *Admission) error
	// FindJoinDataByPK returns, in one consistent read, what the join path
	// needs of the live meeting with the primary key (the join path finds
	// the key in its Directory): its join fields (the Passcode fields hold
	// Index only), every credential by index, and its occurrences by Index
	// with their current access codes (removed ones left out, ended ones
	// with EndedAt). ENOTFOUND.
	FindJoinDataByPK(ctx context.Context, pk int64) (*JoinData, error)
	// LoadDirectory returns every identifier a join may present: live
	// meetings' numbers, access codes reserved at now, and live meetings'
	// invitee tokens. With meetingPK != 0 it returns that meeting's only.
	LoadDirectory(ctx context.Context, meetingPK int64, now time.Time) (*Directory, error)
	// MeetingChanges returns the meetings whose join data changed after
	// seq, by any writer, and the latest seq. With all set, the log does not
	// reach back to seq (or never reached it): the caller must forget
	// everything it cached. Admit, RecordAttempt and participant changes
	// are not meeting changes.
	MeetingChanges(ctx context.Context, afterSeq int64) (latest int64, meetingPKs []int64, all bool, err error)
	// RecordAttempt appends a refused attempt. Once it returns, the record
	// survives a crash of the process.
	RecordAttempt(ctx context.Context, a *Attempt) error
}

// JoinData is a meeting as the join path needs it. It is shared by the
// join cache: nobody may change it.
type JoinData struct {
	Meeting     *Meeting               // join fields, without occurrences or invitees
	Credentials map[string]*Credential // by string(Index)
	Occurrences []*Occurrence          // by Index
}

// SealedValue is a sealed secret as stored, with what its additional data
// is made of.
type SealedValue struct {
	Kind       string // a credential kind, "access_code" or "invitee_token"
	MeetingPK  int64
	MeetingID  string // the meeting's public ID
	Occurrence int    // access codes: the occurrence's Index
	InviteeID  string // invitee credentials and tokens
	// ParticipantID is the participant's public ID (caller numbers).
	ParticipantID string
	Sealed        []byte

	RowPK int64  // access codes and invitees: the row's key
	Index []byte // credentials: the row's index
}

// SealedCursor is a position in FindSealed's walk.
type SealedCursor struct {
	Stage int    // 0 credentials, 1 access codes, 2 invitee tokens, 3 media secrets, 4 SMTP passwords, 5 caller numbers
	PK    int64  // the last row's key (credentials: meeting_pk)
	Index []byte // credentials: the last row's index
	Done  bool
}

// Credential kinds.
const (
	CredPasscode             = "passcode"
	CredPhonePasscode        = "phone_passcode"
	CredInviteePasscode      = "invitee_passcode"
	CredInviteePhonePasscode = "invitee_phone_passcode"
	CredInviteePIN           = "invitee_pin"
)

// Credential is a passcode-like secret of a meeting found by its index.
type Credential struct {
	Kind        string
	InviteePK   int64 // 0 for the shared passcode
	InviteeID   string
	InviteeName string
}

// ParticipantStore keeps participants.
type ParticipantStore interface {
	// FindParticipant returns the participant with the public id, with
	// Occurrence set. ENOTFOUND.
	FindParticipant(ctx context.Context, id string) (*Participant, error)
	// FindOccurrence returns an occurrence by primary key, with MeetingPK and
	// its current AccessCode. ENOTFOUND.
	FindOccurrence(ctx context.Context, pk int64) (*Occurrence, error)
	// FindParticipants lists the occurrence's participants by join time.
	FindParticipants(ctx context.Context, occurrencePK int64) ([]*Participant, error)
	// TransitionParticipant moves the participant from one of the states in
	// from to state to at now (setting AdmittedAt for admitted, LeftAt for
	// left, denied and removed) and returns it. ECONFLICT when it is in none
	// of from; ENOTFOUND.
	TransitionParticipant(ctx context.Context, pk int64, from []string, to string, now time.Time) (*Participant, error)
	// FindAttempts lists the meeting's most recent attempts, newest first.
	FindAttempts(ctx context.Context, meetingPK int64, limit int) ([]*Attempt, error)
}

// Event is an entry of the audit trail.
type Event struct {
	ID        int64     `json:"id"`
	Seq       int64     `json:"seq,omitempty"` // position in the audit chain, from 1
	At        time.Time `json:"at"`
	AccountID int64     `json:"account_id,omitempty"`
	Actor     string    `json:"actor"`  // "user:12", "participant:p…", "system", "cli"
	Action    string    `json:"action"` // "meeting.create", "code.view", …
	Target    string    `json:"target,omitempty"`
	Source    string    `json:"source,omitempty"`
	Outcome   string    `json:"outcome"`
	Detail    string    `json:"detail,omitempty"`
	PrevHash  []byte    `json:"prev_hash,omitempty"` // the previous entry's Hash
	Hash      []byte    `json:"hash,omitempty"`      // ChainHash(key, PrevHash, entry)
}

// EventFilter selects audit events.
type EventFilter struct {
	AccountID int64
	Target    string    // exact ("meeting:<id>" for a meeting's)
	Actor     string    // exact
	Action    string    // a prefix ("join." or "join.refused")
	Since     time.Time // At on or after, when set
	Until     time.Time // At before, when set
	AfterID   int64     // only events with a greater ID
	BeforeID  int64     // only events with a smaller ID, when set
	AfterSeq  int64     // only events placed in the audit log after this position (0: every event, placed or not)
	// NewestFirst orders by ID descending (the order written); else
	// oldest first.
	NewestFirst bool
	Limit       int
}

// Keyring holds the keys that protect secrets at rest.
type Keyring interface {
	// Index returns a keyed HMAC of value for lookups, separated by purpose.
	Index(purpose string, value []byte) []byte
	// Seal encrypts plaintext with AES-256-GCM, binding additional data ad.
	Seal(plaintext, ad []byte) ([]byte, error)
	// Open decrypts what Seal made with the same ad.
	Open(sealed, ad []byte) ([]byte, error)
}

// AdmissionClaims are what a signed admission token says to the media side.
type AdmissionClaims struct {
	ParticipantID string
	DisplayName   string
	MeetingID     string // the meeting number (the room name)
	Occurrence    int
	IssuedAt      time.Time
	ExpiresAt     time.Time
}

// AdmissionSigner signs admission tokens for the media side.
type AdmissionSigner interface {
	SignAdmission(c AdmissionClaims) (string, error)
}
