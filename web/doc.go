// Package web serves admit's server-rendered web app: the host's dashboard,
// scheduling, meeting pages, live roster, attendance, audit log, users and
// settings, and the participant's join pages.
//
// Pages are html/template files embedded in the binary and parsed once at
// start; static assets (CSS, one small vendored script) are embedded too.
// Every form works without JavaScript: scripts only improve pages (live
// updates, copy buttons). Hosts sign in with email and password; sessions
// live in the store (only a keyed hash of the cookie), and every form that
// changes state carries the session's CSRF token.
//
// The package imports the standard library, the admit domain package and
// the API package (for its one mapping of error codes to statuses);
// cmd/admit mounts it beside the JSON API.
package web
