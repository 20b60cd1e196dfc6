package admit

import (
	"io"
	"strings"
)

// Lengths of the numeric identifiers.
const (
	MeetingIDLength = 11 // scheduled, recurring and instant meetings
	PMILength       = 10 // personal meeting rooms
)

// tollFreePrefixes may not begin a personal meeting ID: a PMI that looks like
// a North American toll-free number confuses dialling participants.
var tollFreePrefixes = []string{"800", "888", "877", "866", "855", "844", "833"}

// StripSeparators removes the spaces, dashes and dots people put in numbers.
// It returns false when s holds anything but digits and those separators.
func StripSeparators(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '\t':
		default:
			return "", false
		}
	}
	return b.String(), true
}

// ParseMeetingNumber normalises a meeting ID or personal meeting ID as people
// type it ("123 4567 8901", "123-4567-8901", "123.4567.8901") to its digits.
// It returns EINVALID naming field when the input is not a 10- or 11-digit
// number of the allowed form.
func ParseMeetingNumber(field, s string) (string, error) {
	d, ok := StripSeparators(strings.TrimSpace(s))
	if !ok {
		return "", FieldErrorf(field, "%s may hold only digits, spaces, dashes and dots", field)
	}
	switch len(d) {
	case MeetingIDLength:
		if d[0] == '0' {
			return "", FieldErrorf(field, "%s does not start with 0", field)
		}
	case PMILength:
		if err := ValidatePMI(field, d); err != nil {
			return "", err
		}
	case 0:
		return "", FieldErrorf(field, "%s is required", field)
	default:
		return "", FieldErrorf(field, "%s has 10 or 11 digits, not %d", field, len(d))
	}
	return d, nil
}

// ValidatePMI checks the rules of a personal meeting ID: 10 digits, first
// digit 2-9, and no toll-free prefix.
func ValidatePMI(field, d string) error {
	if len(d) != PMILength {
		return FieldErrorf(field, "a personal meeting ID has 10 digits, not %d", len(d))
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return FieldErrorf(field, "a personal meeting ID has only digits")
		}
	}
	if d[0] < '2' {
		return FieldErrorf(field, "a personal meeting ID starts with a digit from 2 to 9")
	}
	for _, p := range tollFreePrefixes {
		if strings.HasPrefix(d, p) {
			return FieldErrorf(field, "a personal meeting ID may not start with the toll-free prefix %s", p)
		}
	}
	return nil
}

// FormatMeetingNumber groups a meeting number for display: 11 digits as
// "123 4567 8901", 10 digits as "234 567 8901". Other input is returned as is.
func FormatMeetingNumber(d string) string {
	switch len(d) {
	case MeetingIDLength:
		return d[:3] + " " + d[3:7] + " " + d[7:]
	case PMILength:
		return d[:3] + " " + d[3:6] + " " + d[6:]
	}
	return d
}

// FormatDigits groups a numeric code in threes from the left ("123 456 789").
func FormatDigits(d string) string {
	var b strings.Builder
	for i := 0; i < len(d); i++ {
		if i > 0 && i%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(d[i])
	}
	return b.String()
}

// GenerateMeetingNumber draws an 11-digit meeting ID, first digit 1-9.
func GenerateMeetingNumber(r io.Reader) (string, error) {
	return RandomDigits(r, MeetingIDLength, NonZeroDigits)
}

// GeneratePMI draws a 10-digit personal meeting ID that obeys ValidatePMI.
func GeneratePMI(r io.Reader) (string, error) {
	for {
		d, err := RandomDigits(r, PMILength, PMIFirstDigits)
		if err != nil {
			return "", err
		}
		// Redrawing on a toll-free prefix keeps the draw uniform over the
		// allowed set.
		if ValidatePMI("pmi", d) == nil {
			return d, nil
		}
	}
}

// ParseAccessCode normalises a typed access code to its digits. It returns
// EINVALID naming field when the input is not a plausible code.
func ParseAccessCode(field, s string) (string, error) {
	d, ok := StripSeparators(strings.TrimSpace(s))
	if !ok {
		return "", FieldErrorf(field, "%s may hold only digits, spaces, dashes and dots", field)
	}
	if len(d) < MinAccessCodeLength || len(d) > MaxAccessCodeLength {
		return "", FieldErrorf(field, "%s has %d to %d digits, not %d", field, MinAccessCodeLength, MaxAccessCodeLength, len(d))
	}
	return d, nil
}

// Access code lengths.
const (
	DefaultAccessCodeLength = 9
	MinAccessCodeLength     = 8
	MaxAccessCodeLength     = 12
)

// GenerateAccessCode draws a numeric access code of n digits (any first digit).
func GenerateAccessCode(r io.Reader, n int) (string, error) {
	return RandomDigits(r, n, Digits)
}
