// Package app is admit's application: Service, which implements the
// behaviour of admit (joining, the roster, meetings, sign-in, users,
// contacts, guess budgets, secrets) on the domain's Store, and the join cache
// it keeps in memory. Files are named for what they do: a join enters in
// join.go and leaves through joincache.go to the store.
//
// It may import the root package admit, memory (its defaults) and the
// standard library; never a store, an edge (http, web) or cmd.
package app
