package admit

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxCombiningRun is the most combining marks one character of a display
// name may carry: enough for any script's accents, too few to stack marks
// over the names around it on a roster.
const MaxCombiningRun = 4

// invisibleFillers are letters that render as blank space: a name of them
// looks empty, or like another name with a blank in it.
var invisibleFillers = map[rune]bool{
	0x115F: true, 0x1160: true, 0x3164: true, 0xFFA0: true, // Hangul fillers
	0x2800: true, // braille blank
	0x180E: true, // Mongolian vowel separator (a format character in older Unicode)
}

// ValidateDisplayName checks a name a person gives themselves (a
// participant's display name, a host's or an invitee's name) with
// ValidateName's rules, and refuses what makes a name show other than it
// reads: bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E,
// U+200F, U+061C), which reorder the roster's text; zero-width and other
// format characters (U+200B–U+200D, U+2060, U+FEFF and every character of
// Unicode's Cf category), which make two different names look the same;
// letters that render blank; unassigned and private-use code points; and
// more than MaxCombiningRun combining marks on one character. It returns
// the trimmed name or EINVALID naming field and what is wrong.
func ValidateDisplayName(field, name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", FieldErrorf(field, "%s is not valid text", field)
	}
	name, err := ValidateName(field, name)
	if err != nil {
		return "", err
	}
	run := 0
	for i, r := range name {
		switch {
		case r == 0x202A || r == 0x202B || r == 0x202C || r == 0x202D || r == 0x202E ||
			(r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C:
			return "", FieldErrorf(field, "%s may not hold direction controls (they reorder the text around them)", field)
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || unicode.Is(unicode.Cf, r) || invisibleFillers[r]:
			return "", FieldErrorf(field, "%s may not hold invisible characters (U+%04X)", field, r)
		case unicode.Is(unicode.Co, r) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs):
			return "", FieldErrorf(field, "%s may not hold U+%04X", field, r)
		case unicode.Is(unicode.Zs, r) && r != ' ':
			return "", FieldErrorf(field, "%s may use only ordinary spaces", field)
		}
		if unicode.Is(unicode.M, r) {
			run++
			if run > MaxCombiningRun || i == 0 {
				return "", FieldErrorf(field, "%s has too many accents stacked on one letter", field)
			}
		} else {
			run = 0
		}
	}
	return name, nil
}

// SameDisplayName reports whether two display names would read alike on a
// roster: equal after case folding and collapsing runs of spaces. A guest
// may not take a name that is the same as an invitee's of the meeting.
func SameDisplayName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}
