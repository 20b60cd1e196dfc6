package admit

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// OutboxKind is why a message is sent.
type OutboxKind string

// Outbox kinds.
const (
	OutboxInvitation OutboxKind = "invitation" // a new meeting or a new invitee
	OutboxUpdate     OutboxKind = "update"     // the meeting changed (time, topic, a regenerated credential)
	OutboxCancel     OutboxKind = "cancel"     // the meeting was deleted, or the invitee removed
	OutboxReminder   OutboxKind = "reminder"   // an occurrence starts soon
)

// Valid reports whether k is a known kind.
func (k OutboxKind) Valid() bool {
	return k == OutboxInvitation || k == OutboxUpdate || k == OutboxCancel || k == OutboxReminder
}

// OutboxState is where a message is on its way to the recipient.
type OutboxState string

// Outbox states.
const (
	OutboxQueued  OutboxState = "queued"  // waiting for its first attempt
	OutboxSent    OutboxState = "sent"    // the SMTP server accepted it
	OutboxFailing OutboxState = "failing" // the last attempt failed; LastError holds the server's answer
)

// Outbox delivery policy.
const (
	// OutboxMaxAttempts is how many attempts a message gets before the
	// sender stops retrying it on its own (the host can still resend it).
	OutboxMaxAttempts = 12
	// OutboxFirstRetry is the wait after the first failed attempt; each
	// further failure doubles it, up to OutboxMaxRetry.
	OutboxFirstRetry = 30 * time.Second
	// OutboxMaxRetry bounds the wait between two attempts.
	OutboxMaxRetry = time.Hour
	// OutboxLease is how long a node holds the messages it claimed; a node
	// that dies leaves them to another after that.
	OutboxLease = 2 * time.Minute
)

// OutboxRetryDelay returns how long to wait after the attempts-th failed
// attempt (1-based): OutboxFirstRetry doubled per earlier failure, at most
// OutboxMaxRetry.
func OutboxRetryDelay(attempts int) time.Duration {
	d := OutboxFirstRetry
	for i := 1; i < attempts && d < OutboxMaxRetry; i++ {
		d *= 2
	}
	return min(d, OutboxMaxRetry)
}

// OutboxMessage is one email to one recipient, kept until the SMTP server
// has accepted it. The store keeps Payload opaque: it is the Letter, sealed
// with the deployment's keys, so that credentials in it are never stored in
// plaintext.
type OutboxMessage struct {
	ID int64 // store key
	// MessageID is the RFC 5322 Message-ID (without angle brackets), drawn
	// once at enqueue and kept across retries and resends, so that a message
	// delivered twice after a crash is one message to the recipient.
	MessageID string
	AccountID int64
	MeetingID string // public ID of the meeting
	InviteeID string // public ID of the invitee; empty for the host's copy
	// Occurrence is the 1-based index of the occurrence a reminder is for
	// (0 otherwise); with MeetingID and InviteeID it makes a reminder unique.
	Occurrence int
	Kind       OutboxKind
	To         string // the recipient's address
	Payload    []byte // the sealed Letter

	State     OutboxState
	Attempts  int
	LastError string // the SMTP server's last answer, or why the attempt failed
	// NextAttemptAt is when the message is due; zero when the sender gave up
	// (OutboxMaxAttempts) and only a resend queues it again.
	NextAttemptAt time.Time
	// LeaseOwner and LeaseUntil say which node is sending it until when.
	LeaseOwner string
	LeaseUntil time.Time

	CreatedAt time.Time
	SentAt    *time.Time
}

// Due reports whether the message should be attempted at now: not sent,
// due, and not leased by a node whose lease still runs.
func (m *OutboxMessage) Due(now time.Time) bool {
	return m.State != OutboxSent && !m.NextAttemptAt.IsZero() && !m.NextAttemptAt.After(now) &&
		(m.LeaseOwner == "" || !m.LeaseUntil.After(now))
}

// OutboxFilter selects messages for the meeting page.
type OutboxFilter struct {
	AccountID int64
	MeetingID string // optional
	InviteeID string // optional
	Limit     int    // 0 for the store's default
}

// OutboxStore keeps the outbox. A message that a change causes is enqueued by
// the same store call that writes the change, in its transaction (see
// OutboxSaver), so that a committed change always has its messages and a
// failed one never does; EnqueueOutbox is for messages caused by nothing
// else (reminders, resends to a new address).
//
// Several nodes share one outbox: ClaimOutbox leases messages to one node,
// and only the lease holder may record the outcome. A node that dies after
// sending but before MarkOutboxSent leaves the message to be sent again after
// the lease; its Message-ID is the same, so the recipient sees one message.
type OutboxStore interface {
	// EnqueueOutbox inserts msgs as queued and due at now, setting ID and
	// CreatedAt. A message whose MessageID is already in the outbox is
	// skipped (ID stays 0), and so is a reminder whose (MeetingID,
	// InviteeID, Occurrence) is, so that reminders are enqueued once however
	// many nodes schedule them. EINVALID when a message has no MessageID,
	// recipient or valid kind.
	EnqueueOutbox(ctx context.Context, now time.Time, msgs ...*OutboxMessage) error
	// ClaimOutbox leases to node, until now+lease, up to limit messages that
	// are Due at now, oldest NextAttemptAt first, and returns them. Two
	// concurrent claims never return the same message.
	ClaimOutbox(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]*OutboxMessage, error)
	// MarkOutboxSent records that the server accepted message id: state
	// sent, SentAt now, the lease released. ECONFLICT when node no longer
	// holds the lease (the message went to another node).
	MarkOutboxSent(ctx context.Context, id int64, node string, now time.Time) error
	// MarkOutboxFailed records a failed attempt: state failing, Attempts
	// plus one, LastError answer, NextAttemptAt next (zero: no further
	// attempt), the lease released. ECONFLICT as for MarkOutboxSent.
	MarkOutboxFailed(ctx context.Context, id int64, node string, answer string, next time.Time) error
	// ResendOutbox queues the account's message id again, due at now, with
	// the same MessageID and Payload and Attempts reset. ENOTFOUND.
	ResendOutbox(ctx context.Context, accountID, id int64, now time.Time) error
	// FindOutbox lists messages matching f, newest first.
	FindOutbox(ctx context.Context, f OutboxFilter) ([]*OutboxMessage, error)
}

// OutboxSaver is implemented by a store that can write a meeting change and
// the messages it causes in one transaction: a committed change has its
// messages, a failed one none. The application uses it when mail is on.
type OutboxSaver interface {
	// SaveMeetingWithOutbox is Store.SaveMeeting that also enqueues msgs
	// (as EnqueueOutbox, due at now) in the same transaction. Its errors
	// are SaveMeeting's and EnqueueOutbox's.
	SaveMeetingWithOutbox(ctx context.Context, m *Meeting, now time.Time, msgs []*OutboxMessage) error
	// DeleteMeetingWithOutbox is Store.DeleteMeeting that also enqueues
	// msgs in the same transaction.
	DeleteMeetingWithOutbox(ctx context.Context, meetingPK int64, now time.Time, msgs []*OutboxMessage) error
}

// Letter is what one message says to one recipient: the meeting as the
// recipient may see it and that recipient's own credentials only. The
// Service builds it when the change happens; the outbox keeps it sealed; the
// mail package writes it as text, HTML and an iCalendar entry.
type Letter struct {
	Kind OutboxKind `json:"kind"`
	// UID is the calendar entry's UID, the same for every message about the
	// meeting; Sequence rises with every change that matters.
	UID      string `json:"uid"`
	Sequence int    `json:"sequence"`
	// Stamp is when the letter was made (the calendar's DTSTAMP).
	Stamp time.Time `json:"stamp"`

	Topic           string      `json:"topic"`
	Timezone        string      `json:"timezone"` // IANA name
	Start           time.Time   `json:"start"`    // first occurrence (UTC)
	DurationMinutes int         `json:"duration_minutes"`
	Recurrence      *Recurrence `json:"recurrence,omitempty"`
	// Occurrences lists the series as it stands (recurring meetings only),
	// so that moved and cancelled occurrences become calendar overrides.
	Occurrences []LetterOccurrence `json:"occurrences,omitempty"`
	// Occurrence is, in an invitation, the next occurrence (whose access
	// code the letter carries) and, in a reminder, the occurrence it is for.
	Occurrence *LetterOccurrence `json:"occurrence,omitempty"`

	Organizer Addressee `json:"organizer"`
	Invitee   Addressee `json:"invitee"`
	// CancelOccurrence, in a cancel letter, is the one occurrence cancelled
	// (its Index); zero cancels the meeting for the invitee.
	CancelOccurrence int `json:"cancel_occurrence,omitempty"`

	// The invitee's credentials; empty ones are left out of the message.
	JoinURL       string   `json:"join_url"`
	MeetingNumber string   `json:"meeting_number"`
	Passcode      string   `json:"passcode,omitempty"`       // unique or shared
	PhonePasscode string   `json:"phone_passcode,omitempty"` // numeric form
	PIN           string   `json:"pin,omitempty"`
	AccessCode    string   `json:"access_code,omitempty"` // of Occurrence only
	DialIn        []string `json:"dial_in,omitempty"`     // phone numbers of the deployment
}

// LetterOccurrence is one occurrence as a letter shows it.
type LetterOccurrence struct {
	Index int       `json:"index"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Addressee is a display name and an email address.
type Addressee struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ValidateRecipient checks that addr is an address mail can be sent to:
// what ValidateEmail accepts, and also one plain local@domain with a dotted
// domain, no quoted local part, no space, control character or any of
// "<>(),;:\[]. It returns EINVALID naming field otherwise. Scheduling checks
// invitees' addresses with it, so that the error names the invitee's field.
func ValidateRecipient(field, addr string) error {
	if addr == "" {
		return FieldErrorf(field, "%s is required", field)
	}
	if len(addr) > MaxEmailLength {
		return FieldErrorf(field, "%s is longer than %d characters", field, MaxEmailLength)
	}
	if strings.ContainsAny(addr, " \t\r\n\"<>(),;:\\[]") || strings.ContainsFunc(addr, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return FieldErrorf(field, "%s %q is not an email address (one address like name@example.com)", field, addr)
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return FieldErrorf(field, "%s %q is not an email address (one address like name@example.com)", field, addr)
	}
	at := strings.LastIndexByte(addr, '@')
	domain := addr[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return FieldErrorf(field, "%s %q has no valid domain after @", field, addr)
	}
	return nil
}

// SMTPSecurity is how the connection to the SMTP server is protected.
type SMTPSecurity string

// SMTP connection security.
const (
	SMTPStartTLS    SMTPSecurity = "starttls" // plain connection upgraded with STARTTLS (required); port 587
	SMTPImplicitTLS SMTPSecurity = "tls"      // TLS from the first byte; port 465
	SMTPNone        SMTPSecurity = "none"     // no TLS: for a local relay or a test server only
)

// SMTPSettings say where and how to send mail, per deployment (flags and
// environment) or per account (its settings, password sealed).
type SMTPSettings struct {
	Host     string       `json:"host"`
	Port     int          `json:"port"`
	Security SMTPSecurity `json:"security"`
	// Username and Password authenticate (SMTP AUTH PLAIN or LOGIN, over
	// TLS only unless Security is none); empty Username: no authentication.
	Username string `json:"username,omitempty"`
	Password string `json:"-"`
	// From is the sender address; FromName its display name.
	From     string `json:"from"`
	FromName string `json:"from_name,omitempty"`
	// ReplyToHost puts the meeting's host in Reply-To.
	ReplyToHost bool `json:"reply_to_host"`
	// HELO is the name given to the server; the library's default when empty.
	HELO string `json:"helo,omitempty"`
}

// Enabled reports whether mail is configured at all. Without it, invitations
// are copied and downloaded, and the pages say that mail is off.
func (s *SMTPSettings) Enabled() bool { return s != nil && s.Host != "" }

// Validate checks the settings, filling in the port for the security mode,
// and returns EINVALID naming the field at fault.
func (s *SMTPSettings) Validate() error {
	if s.Host == "" || strings.ContainsAny(s.Host, " /\r\n@") {
		return FieldErrorf("smtp.host", "smtp.host must be a host name or address")
	}
	switch s.Security {
	case "":
		s.Security = SMTPStartTLS
	case SMTPStartTLS, SMTPImplicitTLS, SMTPNone:
	default:
		return FieldErrorf("smtp.security", "smtp.security must be starttls, tls or none, not %q", s.Security)
	}
	if s.Port == 0 {
		switch s.Security {
		case SMTPImplicitTLS:
			s.Port = 465
		case SMTPStartTLS:
			s.Port = 587
		default:
			s.Port = 25
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		return FieldErrorf("smtp.port", "smtp.port must be from 1 to 65535")
	}
	if s.Username == "" && s.Password != "" {
		return FieldErrorf("smtp.username", "smtp.username is required with a password")
	}
	if err := ValidateRecipient("smtp.from", s.From); err != nil {
		return err
	}
	if strings.ContainsAny(s.FromName, "\r\n") {
		return FieldErrorf("smtp.from_name", "smtp.from_name must be one line")
	}
	return nil
}

// MailChange describes, to a Mailer, a change that sends mail.
type MailChange struct {
	Kind      OutboxKind
	Organizer Addressee // the meeting's host
	// Sequence is the meeting's calendar SEQUENCE after the change.
	Sequence int
	Now      time.Time
	// InviteeIDs limits the messages to these invitees (an invitee added
	// or removed); empty: every invitee with an address.
	InviteeIDs []string
	// CancelOccurrence, with Kind cancel, cancels that occurrence only.
	CancelOccurrence int
	// Occurrence, with Kind reminder, is the occurrence reminded of.
	Occurrence int
}

// Mailer writes what invitations say: the sealed outbox messages of a
// change (one per invitee, with that invitee's credentials only), the
// calendar file to download and the text to copy. The application gets one
// from cmd/admit (package mail implements it); without SMTP it still
// writes files and text. v is the meeting's view with its secrets shown.
type Mailer interface {
	// Messages returns the messages of c, ready to enqueue with the change;
	// AccountID and MeetingID are set.
	Messages(v *MeetingView, accountID int64, c MailChange) ([]*OutboxMessage, error)
	// ICS returns the calendar file for invitee inviteeID, or for the host
	// when inviteeID is empty. ENOTFOUND for an unknown invitee.
	ICS(v *MeetingView, inviteeID string, c MailChange) ([]byte, error)
	// InvitationText returns the invitation as plain text for invitee
	// inviteeID, or with the shared values when inviteeID is empty.
	// ENOTFOUND for an unknown invitee.
	InvitationText(v *MeetingView, inviteeID string, c MailChange) (string, error)
}

// OccurrenceRef names one occurrence of a meeting across accounts, with
// the reminder leads that apply to it (0: not set at that level).
type OccurrenceRef struct {
	AccountID int64
	MeetingID string // public ID
	Index     int
	Start     time.Time
	// MeetingLead and AccountLead are the meeting's and its account's
	// reminder leads (see EffectiveReminderLead).
	MeetingLead time.Duration
	AccountLead time.Duration
}

// ReminderStore finds the occurrences whose reminders may be due.
type ReminderStore interface {
	// FindStartingOccurrences lists the occurrences, in every account, of
	// meetings not deleted, neither ended nor removed, whose reminder is
	// due at from: their start is in [from, from+lead), lead being
	// EffectiveReminderLead of the meeting's, the account's and
	// defaultLead. By start, at most limit (0: the store's default), with
	// the meeting's and the account's leads.
	FindStartingOccurrences(ctx context.Context, from time.Time, defaultLead time.Duration, limit int) ([]OccurrenceRef, error)
}

// Delivery is one message of a meeting as its host sees it: to whom, why,
// and where it is (queued, sent, failing with the server's answer).
type Delivery struct {
	ID            int64       `json:"id"`
	InviteeID     string      `json:"invitee_id,omitempty"`
	To            string      `json:"to"`
	Kind          OutboxKind  `json:"kind"`
	Occurrence    int         `json:"occurrence,omitempty"`
	State         OutboxState `json:"state"`
	Attempts      int         `json:"attempts"`
	LastError     string      `json:"last_error,omitempty"`
	NextAttemptAt *time.Time  `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time   `json:"created_at"`
	SentAt        *time.Time  `json:"sent_at,omitempty"`
}

// NewDelivery returns the host's view of m (never its payload).
func NewDelivery(m *OutboxMessage) *Delivery {
	d := &Delivery{ID: m.ID, InviteeID: m.InviteeID, To: m.To, Kind: m.Kind, Occurrence: m.Occurrence, State: m.State,
		Attempts: m.Attempts, LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt}
	if !m.NextAttemptAt.IsZero() && m.State != OutboxSent {
		t := m.NextAttemptAt
		d.NextAttemptAt = &t
	}
	return d
}

// MailStatus says whether an account's changes send mail.
type MailStatus struct {
	// Enabled is true when SMTP is configured, the deployment's or the
	// account's own: changes send invitations. Without it invitations are
	// copied and downloaded.
	Enabled bool `json:"enabled"`
	// AccountSMTP is true when the account sends through its own SMTP
	// server rather than the deployment's.
	AccountSMTP bool `json:"account_smtp"`
}
