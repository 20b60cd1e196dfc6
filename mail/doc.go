// Package mail sends admit's invitations, updates, cancellations and
// reminders by email, one message per recipient holding that recipient's own
// credentials only.
//
// A message starts as an admit.Letter that the application builds when the
// change happens; SealLetter seals it into an admit.OutboxMessage that the
// store enqueues in the change's transaction. A Loop, on every node, claims
// due messages with a lease (so that each is sent by one node), opens and
// composes them (Compose: plain text and HTML alternatives, the calendar
// entry inline as text/calendar and as an .ics attachment) and hands them to
// an SMTPSender (github.com/wneessen/go-mail): the deployment's, or the
// account's own server when Loop.Accounts gives one. A failed attempt is retried
// with exponential backoff (admit.OutboxRetryDelay); the Message-ID drawn at
// enqueue is kept, so that a message sent twice after a crash is one message
// to the recipient. MemoryOutbox is the in-memory admit.OutboxStore, for a
// single node and for tests.
//
// It may import the standard library, package admit, package ical and
// github.com/wneessen/go-mail. Subpackage mailtest starts a real SMTP server
// (Mailpit) for tests.
package mail
