package mail

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// Sealer seals and opens payloads with associated data; *keys.Ring is one.
type Sealer interface {
	Seal(plaintext, ad []byte) ([]byte, error)
	Open(sealed, ad []byte) ([]byte, error)
}

// NewMessageID draws a Message-ID (without angle brackets) of 128 random
// bits at domain, the domain of the sender's address.
func NewMessageID(random io.Reader, domain string) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("mail: drawing a Message-ID: %w", err)
	}
	domain = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return -1
	}, domain)
	if domain == "" {
		domain = "admit.invalid"
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}

// letterAD binds a sealed letter to its message, so that a payload cannot be
// moved to another message.
func letterAD(messageID string) []byte { return []byte("admit/outbox/" + messageID) }

// NewOutboxMessage makes the outbox message that carries l to its invitee:
// a fresh Message-ID at the From domain, the letter sealed. The caller sets
// AccountID and MeetingID, and enqueues it.
func NewOutboxMessage(random io.Reader, s Sealer, fromDomain string, l *admit.Letter, meetingID, inviteeID string) (*admit.OutboxMessage, error) {
	if !l.Kind.Valid() {
		return nil, fmt.Errorf("mail: letter kind %q", l.Kind)
	}
	if err := admit.ValidateRecipient("invitee.email", l.Invitee.Email); err != nil {
		return nil, err
	}
	id, err := NewMessageID(random, fromDomain)
	if err != nil {
		return nil, err
	}
	payload, err := SealLetter(s, id, l)
	if err != nil {
		return nil, err
	}
	m := &admit.OutboxMessage{MessageID: id, MeetingID: meetingID, InviteeID: inviteeID, Kind: l.Kind,
		To: l.Invitee.Email, Payload: payload}
	if l.Kind == admit.OutboxReminder && l.Occurrence != nil {
		m.Occurrence = l.Occurrence.Index
	}
	return m, nil
}

// SealLetter encodes and seals l for the message messageID.
func SealLetter(s Sealer, messageID string, l *admit.Letter) ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("mail: encoding a letter: %w", err)
	}
	return s.Seal(b, letterAD(messageID))
}

// OpenLetter opens the letter of m.
func OpenLetter(s Sealer, m *admit.OutboxMessage) (*admit.Letter, error) {
	b, err := s.Open(m.Payload, letterAD(m.MessageID))
	if err != nil {
		return nil, fmt.Errorf("mail: opening the letter of message %d: %w", m.ID, err)
	}
	var l admit.Letter
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("mail: decoding the letter of message %d: %w", m.ID, err)
	}
	return &l, nil
}

// location loads the letter's zone; UTC when it names none.
func location(l *admit.Letter) (*time.Location, error) {
	if l.Timezone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(l.Timezone)
	if err != nil {
		return nil, fmt.Errorf("mail: time zone %q: %w", l.Timezone, err)
	}
	return loc, nil
}
