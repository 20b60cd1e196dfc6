// Package e2e holds the end-to-end tests of admit: they build the real
// binary, start `admit serve --test-clock` on a random port, and drive it as
// a client would, over HTTP and through the CLI.
package e2e
