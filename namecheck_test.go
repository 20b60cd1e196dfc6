package admit_test

import (
	"strings"
	"testing"

	"github.com/admit-project/admit"
)

var refusedDisplayNames = []struct {
	name, why string
}{
	{"Grace\u202eHopper", "direction controls"},
	{"Ada\u2066Lovelace\u2069", "direction controls"},
	{"\u200fAda", "direction controls"},
	{"Gr\u200bace", "invisible"},
	{"Grace\u200dHopper", "invisible"},
	{"\ufeffGrace", "invisible"},
	{"Ada\u00adLovelace", "invisible"}, // soft hyphen, Cf
	{"\u3164", "invisible"},
	{"Ada\u2028Lovelace", "U+2028"},
	{"Ada\u00a0Lovelace", "ordinary spaces"},
	{"a\u0301\u0301\u0301\u0301\u0301", "accents"},
	{"\u0301Ada", "accents"},
	{"Ada\ue000", "U+E000"},
	{"", "required"},
	{"Ada\x07", "control"},
	{"Ada\xff", "not valid text"},
}

var acceptedDisplayNames = []string{
	"Grace Hopper", "José Núñez", "Zoë O'Brien-Smith", "王小明", "محمد علي", "Łukasz Żółć",
	"Nguyễn Văn A", "नमस्ते", "Ada (phone)", "O\u0308scar", // a combining mark after a letter
}

func TestValidateDisplayName(t *testing.T) {
	for _, c := range refusedDisplayNames {
		_, err := admit.ValidateDisplayName("name", c.name)
		if err == nil {
			t.Errorf("ValidateDisplayName(%q) accepted it", c.name)
			continue
		}
		if admit.ErrorCode(err) != admit.EINVALID || !strings.Contains(admit.ErrorMessage(err), c.why) {
			t.Errorf("ValidateDisplayName(%q) = %v; want EINVALID saying %q", c.name, err, c.why)
		}
	}
	for _, n := range acceptedDisplayNames {
		if got, err := admit.ValidateDisplayName("name", " "+n+" "); err != nil || got != n {
			t.Errorf("ValidateDisplayName(%q) = %q, %v; want it accepted and trimmed", n, got, err)
		}
	}
}

func TestSameDisplayName(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Grace Hopper", "grace  hopper", true},
		{"Grace Hopper", " GRACE HOPPER ", true},
		{"Grace Hopper", "Grace Hopper (2)", false},
		{"Grace Hopper", "Grace Hoper", false},
	} {
		if got := admit.SameDisplayName(c.a, c.b); got != c.same {
			t.Errorf("SameDisplayName(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}

func FuzzValidateDisplayName(f *testing.F) {
	for _, c := range refusedDisplayNames {
		f.Add(c.name)
	}
	for _, n := range acceptedDisplayNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := admit.ValidateDisplayName("name", name)
		if err != nil {
			return
		}
		for _, r := range got {
			if r == 0x202E || r == 0x200B || r == 0xFEFF || r == 0x2066 {
				t.Fatalf("accepted %q holding U+%04X", name, r)
			}
		}
	})
}
