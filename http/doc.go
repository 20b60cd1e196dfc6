// Package http serves admit's JSON API over net/http: hosts schedule and
// manage meetings with bearer API tokens, and participants join (and poll
// their standing) without one.
//
// Routes are Go 1.22 ServeMux method patterns, registered from one file per
// resource. Every error goes through Error, the one place where admit error
// codes become HTTP statuses; internal details are logged, never shown. The
// API is described by an embedded OpenAPI document served at
// /api/v1/openapi.json, and a test keeps the two in step.
//
// The package imports the standard library and the admit domain package
// only; it does not know which store, keyring or signer the Service uses.
// Its tests drive a real Service on SQLite and check the handler against
// the OpenAPI document with github.com/getkin/kin-openapi.
package http
