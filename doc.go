// Package admit is the domain of the admit service: meetings, occurrences,
// one-time access codes, passcodes, invitees, participants, join attempts and
// accounts, with the rules that govern them and the interfaces that the
// dependency packages (sqlite, http, keys, jwt) implement or consume.
//
// It imports only the standard library; a test enforces that. The Service type
// in this package holds the behaviour (scheduling, regeneration and the join
// decision) on top of a Store, a Keyring, a Clock and a source of randomness,
// all injected, so that every backend shares one implementation of the rules.
package admit
