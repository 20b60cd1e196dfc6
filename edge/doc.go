// Package edge holds what the JSON API (http) and the pages (web) share at
// the HTTP edge: presentation helpers such as the attendance CSV.
//
// It may import the root package admit and the standard library; never a
// store, the application's concrete service or cmd.
package edge
