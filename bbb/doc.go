// Package bbb connects admit to a BigBlueButton server: it implements
// admit.MediaBackend with the server's API calls (create, join, end,
// getMeetingInfo), each signed with the checksum BigBlueButton checks:
// hex(H(call + query + secret)), H SHA-256 by default and SHA-1, SHA-384 or
// SHA-512 when configured. The host joins with role MODERATOR and everyone
// else with VIEWER; join URLs carry the meeting's createTime, so that a URL
// for one instance of a meeting never opens a later one.
//
// BigBlueButton has no API call to remove one participant: Remove returns
// EUNSUPPORTED. A fake API server that checks checksums as the real one does
// is in package bbbtest.
//
// It may import the standard library and the admit domain package.
package bbb
