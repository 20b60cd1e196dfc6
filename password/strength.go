package password

import (
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// MinScore is the least zxcvbn score (0 to 4) a new password must reach:
// 3 means about 10^8 guesses or more under zxcvbn's model, which an
// attacker holding a stolen hash of ours (argon2id, tens of milliseconds
// each) cannot make in years on one machine.
const MinScore = 3

// maxJudged bounds the characters the estimator reads: its matching is
// superlinear, and a password longer than this is not weak for its length.
const maxJudged = 100

// Weakness judges a new password with zxcvbn's model, built on frequency
// lists of real leaked passwords, names and common words. It returns "" when
// the password is strong enough (MinScore or more), else a sentence for
// the user saying why it is weak. userInputs are words the password must not
// lean on (the user's email address, name, the product's name); they count
// as the most common words.
func Weakness(password string, userInputs ...string) string {
	if !utf8.ValidString(password) {
		return "It is not valid text."
	}
	judged := password
	if utf8.RuneCountInString(judged) > maxJudged {
		judged = string([]rune(judged)[:maxJudged])
	}
	var inputs []string
	for _, in := range userInputs {
		in = strings.ToLower(strings.TrimSpace(in))
		if in == "" {
			continue
		}
		inputs = append(inputs, in)
		if local, _, ok := strings.Cut(in, "@"); ok && local != "" {
			inputs = append(inputs, local)
		}
		inputs = append(inputs, strings.Fields(in)...)
		// "ada.lovelace@…" and "Ada Lovelace" as one word too.
		joined := strings.Map(func(r rune) rune {
			if r == '.' || r == '_' || r == '-' || r == '+' || r == ' ' {
				return -1
			}
			return r
		}, strings.SplitN(in, "@", 2)[0])
		inputs = append(inputs, joined)
	}
	r := zxcvbn.PasswordStrength(judged, inputs)
	if r.Score >= MinScore {
		return ""
	}
	return reason(r.Sequence, inputs)
}

// reason explains a weak password by the longest part of it the estimator
// recognised, as zxcvbn's own feedback does.
func reason(seq []*match.Match, inputs []string) string {
	var longest *match.Match
	for _, m := range seq {
		if m.Pattern == "bruteforce" {
			continue
		}
		if longest == nil || len(m.Token) > len(longest.Token) {
			longest = m
		}
	}
	const more = " Add a few uncommon words; length helps more than symbols."
	if longest == nil {
		return "It is too short to resist guessing." + more
	}
	switch longest.Pattern {
	case "dictionary":
		for _, in := range inputs {
			if strings.EqualFold(longest.MatchedWord, in) {
				return "It is built on your own name or email address." + more
			}
		}
		var why string
		switch {
		case longest.DictionaryName == "passwords" && longest.Rank <= 100 && len(seq) == 1:
			why = "It is one of the hundred most common passwords."
		case longest.DictionaryName == "passwords" && len(seq) == 1:
			why = "It is a commonly used password."
		case longest.DictionaryName == "passwords":
			why = "It is built on a commonly used password (\"" + strings.ToLower(longest.Token) + "\")."
		case longest.DictionaryName == "english_wikipedia" || longest.DictionaryName == "us_tv_and_film":
			why = "It is built on a common word, and words alone are easy to guess."
		default:
			why = "It is built on a common name, and names alone are easy to guess."
		}
		if longest.L33t || longest.Reversed || longest.UppercaseVariations > 1 {
			why += " Capitals, reversed words and digits for letters do not help much."
		}
		return why + more
	case "spatial":
		return "It holds a row of keys on the keyboard, which is easy to guess." + more
	case "repeat":
		return "It repeats characters or a pattern, which is easy to guess." + more
	case "sequence":
		return "It holds a sequence like abc or 6543, which is easy to guess." + more
	case "regex", "date":
		return "It holds a year or a date, which is easy to guess." + more
	}
	return "It is too predictable." + more
}

// Weakness implements admit.PasswordJudge with the package's Weakness.
func (h *Hasher) Weakness(password string, userInputs ...string) string {
	return Weakness(password, userInputs...)
}
