// Package edge holds what the JSON API (http) and the pages (web) share at
// the HTTP edge: the client address behind trusted proxies, participant ID
// parsing, error code to status, Retry-After, the route table type, the
// header middleware and the attendance CSV.
//
// It may import the root package admit and the standard library; never a
// store, the application (app) or cmd.
package edge
