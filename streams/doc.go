// Package streams bounds the long-lived responses (server-sent event
// streams) held open per key: per participant, per host session, per
// meeting. Each open stream holds a goroutine, a connection and a feed
// subscription; without a bound one bearer of a participant ID or one
// session could hold thousands.
//
// It imports only the standard library.
package streams
