package admit

import (
	"context"
	"io"
	"time"
)

// Service is what the edges (the JSON API, the pages) ask of the
// application: every interface below. Package app implements it; the edges
// hold this interface, never the concrete service.
type Service interface {
	JoinService
	MeetingService
	RosterService
	AuthService
	UserService
	AccountService
	ContactService
	TokenService
	MediaService
	SSOService
	// Changes returns the feed of roster, budget and meeting changes that
	// live views follow.
	Changes() ChangeFeed
	// Now returns the service's time (its injected clock).
	Now() time.Time
}

// JoinService is the participant's side: joining and following a join.
type JoinService interface {
	Join(ctx context.Context, req *JoinRequest) (*JoinResult, error)
	ParticipantStatus(ctx context.Context, pid string) (*JoinResult, error)
	Leave(ctx context.Context, pid string) (*Participant, error)
	InviteeLink(ctx context.Context, channel Channel, source, token string) (*InviteeLink, error)
}

// MeetingService is the host's side of meetings: scheduling, changing,
// revealing and ending them.
type MeetingService interface {
	CreateMeeting(ctx context.Context, a *Actor, in *MeetingInput) (*MeetingView, error)
	ListMeetings(ctx context.Context, a *Actor, from, to time.Time) ([]*MeetingView, error)
	ShowMeeting(ctx context.Context, a *Actor, id string) (*MeetingView, error)
	HostMeeting(ctx context.Context, a *Actor, id string) (*MeetingView, error)
	UpdateMeeting(ctx context.Context, a *Actor, id string, in *MeetingInput) (*MeetingView, error)
	DeleteMeeting(ctx context.Context, a *Actor, id string) error
	EndMeeting(ctx context.Context, a *Actor, id string, n int) (*MeetingView, error)
	Regenerate(ctx context.Context, a *Actor, id, what string, occurrence int, inviteeID string) (*MeetingView, error)
	Reveal(ctx context.Context, a *Actor, id, what string, n int) (*Revealed, error)
	PreviewSecurity(ctx context.Context, a *Actor, in *SecurityInput, invitees int) (*SecurityPreview, error)
	PersonalRoom(ctx context.Context, a *Actor) (*MeetingView, error)
	Plan(ctx context.Context, a *Actor) (Plan, error)
	// SetPlan sets the actor's account's plan: owners only.
	SetPlan(ctx context.Context, a *Actor, plan Plan) (Plan, error)
	SuggestPasscode(ctx context.Context, a *Actor) (string, error)
	ResetBudget(ctx context.Context, a *Actor, id string) (*GuessBudgetView, error)
	// RestoreMeeting restores normal joining after an attack in one step:
	// every guessable credential is redrawn and sent to the invitees, and
	// the guess budget is reset.
	RestoreMeeting(ctx context.Context, a *Actor, id string) (*MeetingView, error)
	WatchMeeting(ctx context.Context, a *Actor, id string) (<-chan struct{}, error)
	InvitationService
}

// InvitationService is what the host does with invitations: see each
// message's delivery, resend one, download a calendar file and copy an
// invitation with its real values (audited, as a reveal is). Every method
// needs the meeting's host or an owner or admin of its account.
type InvitationService interface {
	// MailStatus says whether changes of a's account send mail.
	MailStatus(ctx context.Context, a *Actor) MailStatus
	AccountMailService
	Deliveries(ctx context.Context, a *Actor, id string) ([]*Delivery, error)
	Resend(ctx context.Context, a *Actor, id string, deliveryID int64) (*Delivery, error)
	InvitationICS(ctx context.Context, a *Actor, id, inviteeID string) ([]byte, error)
	InvitationText(ctx context.Context, a *Actor, id, inviteeID string) (string, error)
	// RemoveInvitee removes one invitee; with mail on, they alone get a
	// cancellation. ENOTFOUND, EFORBIDDEN.
	RemoveInvitee(ctx context.Context, a *Actor, id, inviteeID string) (*MeetingView, error)
	// InviteeICS is the calendar file of the invitee whose link token is
	// token, for their join page; limited per source as a join is.
	// EREFUSED (the uniform refusal) for an unknown token.
	InviteeICS(ctx context.Context, channel Channel, source, token string) ([]byte, error)
}

// RosterService is the host's view of who joins: the roster, decisions,
// attendance and failed attempts.
type RosterService interface {
	Roster(ctx context.Context, a *Actor, id string, n int) (*Roster, error)
	Decide(ctx context.Context, a *Actor, id, pid, decision string) (*Participant, error)
	// DenyUnmatched denies every waiting entry a spent guess budget held
	// with a wrong passcode or PIN, and returns how many.
	DenyUnmatched(ctx context.Context, a *Actor, id string) (int, error)
	Attendance(ctx context.Context, a *Actor, id string, n int) (*Attendance, error)
	FailedAttempts(ctx context.Context, a *Actor, id string, limit int) ([]*Attempt, error)
}

// AuthService authenticates API tokens and web sessions.
type AuthService interface {
	Authenticate(ctx context.Context, token, source string) (*Actor, error)
	HasUsers(ctx context.Context) (bool, error)
	CompleteSetup(ctx context.Context, token string, in SetupInput, source string) (*WebSession, error)
	SignIn(ctx context.Context, email, password, source string) (*WebSession, error)
	SignOut(ctx context.Context, w *WebSession, source string) error
	SessionByCookie(ctx context.Context, cookie string) (*WebSession, error)
	AcceptInvite(ctx context.Context, token, password, confirm, source string) (*WebSession, error)
	ChangePassword(ctx context.Context, w *WebSession, current, password, confirm, source string) error
}

// UserService manages an account's users.
type UserService interface {
	Users(ctx context.Context, a *Actor) ([]*User, error)
	InviteUser(ctx context.Context, a *Actor, email, name string, role Role) (*Invitation, error)
	PasswordLink(ctx context.Context, a *Actor, userID int64) (string, error)
	ChangeRole(ctx context.Context, a *Actor, userID int64, role Role) (*User, error)
	RemoveUser(ctx context.Context, a *Actor, userID, transferTo int64) error
	UpdateProfile(ctx context.Context, a *Actor, name, timezone string) (*User, error)
	// ProposeTimezone takes the browser's zone as the user's when they have
	// none yet; it reports whether it did. An unknown zone is ignored.
	ProposeTimezone(ctx context.Context, ws *WebSession, timezone, source string) (bool, error)
}

// AccountService holds an account's security defaults and audit trail.
type AccountService interface {
	AccountSecurity(ctx context.Context, a *Actor) (*AccountSecurity, error)
	UpdateAccountSecurity(ctx context.Context, a *Actor, in *AccountSecurityInput) (*AccountSecurity, error)
	// Events lists the actor's account's audit entries matching f (its
	// AccountID is the actor's), by ID: oldest first, or newest first with
	// f.NewestFirst; f.Limit from 1 to 1000 (100 when 0).
	Events(ctx context.Context, a *Actor, f EventFilter) ([]*Event, error)
	// AuditCheckpoint returns the audit log's latest signed checkpoint and
	// its public key. Owners and admins only (EFORBIDDEN); ENOTFOUND
	// before the first checkpoint.
	AuditCheckpoint(ctx context.Context, a *Actor) (*AuditCheckpoint, error)
	// AuditProof returns the proof that entry seq is in the latest
	// checkpoint's tree. Owners and admins only (EFORBIDDEN); ENOTFOUND
	// when no checkpoint covers it yet.
	AuditProof(ctx context.Context, a *Actor, seq int64) (*AuditInclusion, error)
	// AuditConsistency returns the proof that the latest checkpoint
	// extends the tree of its first oldSize entries. Owners and admins only
	// (EFORBIDDEN); EINVALID for a size past the latest checkpoint.
	AuditConsistency(ctx context.Context, a *Actor, oldSize int64) (*AuditConsistency, error)
}

// ContactService manages an account's contacts.
type ContactService interface {
	Contacts(ctx context.Context, a *Actor) ([]*Contact, error)
	CreateContact(ctx context.Context, a *Actor, in *ContactInput) (*Contact, error)
	UpdateContact(ctx context.Context, a *Actor, id int64, in *ContactInput) (*Contact, error)
	DeleteContact(ctx context.Context, a *Actor, id int64) error
	ImportContacts(ctx context.Context, a *Actor, r io.Reader) (*ContactImport, error)
}
