package password_test

import (
	"strings"
	"testing"

	"github.com/admit-project/admit/password"
)

var weakPasswords = []struct {
	password string
	inputs   []string
	why      string // a part of the reason
}{
	{"iloveyou12", nil, "commonly used password"},
	{"Football2024", nil, "commonly used password"},
	{"password1234", nil, "commonly used password"},
	{"qwertyuiop12", nil, "commonly used password"},
	{"adalovelace1", []string{"ada.lovelace@example.com", "Ada Lovelace"}, "your own name"},
	{"aaaaaaaaaaaa", nil, "repeats"},
	{"abcdefghijkl", nil, "sequence"},
}

var strongPasswords = []string{
	"violet-harbour-gravel-lantern-91",
	"copper-meadow-sextant-orchid-47",
	"correct horse battery staple",
	"a-long-owner-password",
	"a-password-from-the-cli",
}

func TestWeaknessRefusesLeakedPatterns(t *testing.T) {
	for _, w := range weakPasswords {
		got := password.Weakness(w.password, w.inputs...)
		if got == "" {
			t.Errorf("Weakness(%q) = \"\"; want a reason", w.password)
			continue
		}
		if !strings.Contains(got, w.why) {
			t.Errorf("Weakness(%q) = %q; want it to say %q", w.password, got, w.why)
		}
	}
}

func TestWeaknessAcceptsStrong(t *testing.T) {
	for _, p := range strongPasswords {
		if got := password.Weakness(p, "olive@example.com"); got != "" {
			t.Errorf("Weakness(%q) = %q; want \"\"", p, got)
		}
	}
}

func TestWeaknessLongInputBounded(t *testing.T) {
	long := strings.Repeat("violet-harbour-", 2000)
	if got := password.Weakness(long); got != "" {
		t.Errorf("a 30,000-character password: %q", got)
	}
	if got := password.Weakness("\xff\xfe invalid"); got == "" {
		t.Errorf("invalid UTF-8 judged strong")
	}
}
