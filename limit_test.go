package admit_test

import (
	"testing"

	"github.com/admit-project/admit"
)

func TestSourceKey(t *testing.T) {
	tests := []struct {
		ch   admit.Channel
		src  string
		want string
	}{
		{admit.ChannelWeb, "192.0.2.7", "192.0.2.7"},
		{admit.ChannelWeb, "::ffff:192.0.2.7", "192.0.2.7"},
		{admit.ChannelAPI, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{admit.ChannelAPI, "2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{admit.ChannelPhone, "+44 20 7946 0000", "tel:+44 20 7946 0000"},
		{admit.ChannelPhone, "192.0.2.8", "192.0.2.8"},
	}
	for _, tt := range tests {
		if got := admit.SourceKey(tt.ch, tt.src); got != tt.want {
			t.Errorf("SourceKey(%s, %q) = %q, want %q", tt.ch, tt.src, got, tt.want)
		}
	}
}
