package web

import (
	"strings"
	"testing"
)

// TestZoneName: the sign-in with the provider keeps in its flow key only
// what looks like an IANA zone name, so that a crafted timezone parameter
// can neither break the key's "host:<account>:<zone>" form nor grow the
// state cookie.
func TestZoneName(t *testing.T) {
	for _, tz := range []string{"Europe/Berlin", "Etc/GMT+5", "Etc/GMT-14", "America/Argentina/Buenos_Aires", "UTC", "America/Port-au-Prince"} {
		if !zoneName(tz) {
			t.Errorf("zoneName(%q) = false, want true", tz)
		}
	}
	for _, tz := range []string{"", "Europe/Berlin:1", "host:1", "Europe/Berlin\n", "a b", "../etc/passwd", strings.Repeat("A", 65)} {
		if zoneName(tz) {
			t.Errorf("zoneName(%q) = true, want false", tz)
		}
	}
}
