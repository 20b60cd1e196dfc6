package admit_test

import (
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

var parseMeetingNumberTests = []struct {
	in, want string
	ok       bool
}{
	{"123 4567 8901", "12345678901", true},
	{"123-4567-8901", "12345678901", true},
	{"123.4567.8901", "12345678901", true},
	{" 12345678901 ", "12345678901", true},
	{"234 567 8901", "2345678901", true},
	{"02345678901", "", false},  // 11 digits starting with 0
	{"1234567890", "", false},   // PMI starting with 1
	{"8001234567", "", false},   // toll-free prefix
	{"8551234567", "", false},   // toll-free prefix
	{"123456789", "", false},    // too short
	{"123456789012", "", false}, // too long
	{"123 4567 890a", "", false},
	{"", "", false},
	{"１２３４５６７８９０１", "", false}, // full-width digits
}

func TestParseMeetingNumber(t *testing.T) {
	for _, tt := range parseMeetingNumberTests {
		got, err := admit.ParseMeetingNumber("meeting_id", tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseMeetingNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if !tt.ok {
			if err == nil {
				t.Errorf("ParseMeetingNumber(%q) = %q, want an error", tt.in, got)
			} else if admit.ErrorField(err) != "meeting_id" || admit.ErrorCode(err) != admit.EINVALID {
				t.Errorf("ParseMeetingNumber(%q) error %v does not name meeting_id", tt.in, err)
			}
		}
	}
}

func TestFormat(t *testing.T) {
	if got := admit.FormatMeetingNumber("12345678901"); got != "123 4567 8901" {
		t.Errorf("FormatMeetingNumber = %q", got)
	}
	if got := admit.FormatMeetingNumber("2345678901"); got != "234 567 8901" {
		t.Errorf("FormatMeetingNumber(PMI) = %q", got)
	}
	if got := admit.FormatDigits("123456789"); got != "123 456 789" {
		t.Errorf("FormatDigits = %q", got)
	}
}

func FuzzParseMeetingNumber(f *testing.F) {
	for _, tt := range parseMeetingNumberTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := admit.ParseMeetingNumber("meeting_id", s)
		if err != nil {
			if admit.ErrorCode(err) != admit.EINVALID || admit.ErrorField(err) != "meeting_id" {
				t.Fatalf("error %v is not EINVALID naming meeting_id", err)
			}
			return
		}
		if len(d) != 10 && len(d) != 11 || strings.Trim(d, "0123456789") != "" {
			t.Fatalf("ParseMeetingNumber(%q) = %q: not 10 or 11 digits", s, d)
		}
		again, err := admit.ParseMeetingNumber("meeting_id", admit.FormatMeetingNumber(d))
		if err != nil || again != d {
			t.Fatalf("round trip of %q gave %q, %v", d, again, err)
		}
	})
}

func FuzzParseAccessCode(f *testing.F) {
	for _, s := range []string{"123 456 789", "123-456-789", "12345678", "1", "abc", "123456789012345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := admit.ParseAccessCode("access_code", s)
		if err != nil {
			if admit.ErrorCode(err) != admit.EINVALID || admit.ErrorField(err) != "access_code" {
				t.Fatalf("error %v is not EINVALID naming access_code", err)
			}
			return
		}
		if len(d) < admit.MinAccessCodeLength || len(d) > admit.MaxAccessCodeLength || strings.Trim(d, "0123456789") != "" {
			t.Fatalf("ParseAccessCode(%q) = %q", s, d)
		}
	})
}
