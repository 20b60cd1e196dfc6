// Package mailtest starts a real SMTP server for tests: Mailpit
// (github.com/axllent/mailpit), built by .ci/tools, on random 127.0.0.1
// ports, and reads what arrived through its REST API.
//
// A test that calls Start without the mailpit binary is skipped, except when
// the environment has CI=true, where it fails. Everything Start starts is
// stopped by t.Cleanup. It imports the standard library only.
package mailtest
