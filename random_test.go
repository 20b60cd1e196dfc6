package admit_test

import (
	"bytes"
	"crypto/rand"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/admit-project/admit"
)

// chiSquare returns the chi-square statistic of counts against a uniform
// expectation.
func chiSquare(counts map[byte]int, symbols int, total int) float64 {
	exp := float64(total) / float64(symbols)
	var x float64
	seen := 0
	for _, c := range counts {
		d := float64(c) - exp
		x += d * d / exp
		seen++
	}
	// Symbols never drawn contribute exp each.
	x += float64(symbols-seen) * exp
	return x
}

// chiCritical approximates the 99.99th percentile of chi-square with k
// degrees of freedom (Wilson–Hilferty), so the test fails by chance about
// once in 10,000 runs.
func chiCritical(k int) float64 {
	const z = 3.719 // standard normal 0.9999 quantile
	kf := float64(k)
	return kf * math.Pow(1-2/(9*kf)+z*math.Sqrt(2/(9*kf)), 3)
}

var uniformityTests = []struct {
	name     string
	alphabet string
	draw     func() (string, error)
}{
	{"digits", admit.Digits, func() (string, error) { return admit.RandomString(rand.Reader, admit.Digits, 64) }},
	{"clear alphabet", admit.ClearAlphabet, func() (string, error) { return admit.RandomString(rand.Reader, admit.ClearAlphabet, 64) }},
	{"access code", admit.Digits, func() (string, error) { return admit.GenerateAccessCode(rand.Reader, 9) }},
	{"meeting id tail", admit.Digits, func() (string, error) {
		s, err := admit.GenerateMeetingNumber(rand.Reader)
		return s[1:], err
	}},
	{"meeting id head", admit.NonZeroDigits, func() (string, error) {
		s, err := admit.GenerateMeetingNumber(rand.Reader)
		return s[:1], err
	}},
}

func TestUniformity(t *testing.T) {
	for _, tt := range uniformityTests {
		t.Run(tt.name, func(t *testing.T) {
			counts := map[byte]int{}
			total := 0
			for total < 200000 {
				s, err := tt.draw()
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < len(s); i++ {
					if !strings.ContainsRune(tt.alphabet, rune(s[i])) {
						t.Fatalf("drew %q outside the alphabet", s[i])
					}
					counts[s[i]]++
					total++
				}
			}
			x := chiSquare(counts, len(tt.alphabet), total)
			if limit := chiCritical(len(tt.alphabet) - 1); x > limit {
				t.Errorf("chi-square = %.1f over %d symbols, above %.1f: not uniform", x, len(tt.alphabet), limit)
			}
		})
	}
}

// countingReader yields bytes 0..255 in turn: a source under which a modulo
// reduction would favour low symbols.
type countingReader struct{ n byte }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.n
		c.n++
	}
	return len(p), nil
}

func TestNoModuloBias(t *testing.T) {
	// Over one full cycle of byte values, rejection sampling must give every
	// digit exactly 25 times (250 accepted bytes).
	s, err := admit.RandomString(&countingReader{}, admit.Digits, 250)
	if err != nil {
		t.Fatal(err)
	}
	for d := '0'; d <= '9'; d++ {
		if n := strings.Count(s, string(d)); n != 25 {
			t.Errorf("digit %c drawn %d times, want 25", d, n)
		}
	}
}

func TestRandomSourceIsInjected(t *testing.T) {
	a, _ := admit.GenerateMeetingNumber(bytes.NewReader(bytes.Repeat([]byte{7, 9, 11}, 100)))
	b, _ := admit.GenerateMeetingNumber(bytes.NewReader(bytes.Repeat([]byte{7, 9, 11}, 100)))
	if a != b {
		t.Errorf("same source, different numbers: %s, %s", a, b)
	}
	if _, err := admit.GenerateMeetingNumber(bytes.NewReader(nil)); err == nil {
		t.Error("an exhausted source gave no error")
	}
}

func TestGeneratedShapes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n, err := admit.GenerateMeetingNumber(rand.Reader)
		if err != nil || len(n) != 11 || n[0] == '0' {
			t.Fatalf("meeting number %q, %v", n, err)
		}
		if got, err := admit.ParseMeetingNumber("id", admit.FormatMeetingNumber(n)); err != nil || got != n {
			t.Fatalf("parse(format(%s)) = %q, %v", n, got, err)
		}
		pmi, err := admit.GeneratePMI(rand.Reader)
		if err != nil || admit.ValidatePMI("pmi", pmi) != nil {
			t.Fatalf("PMI %q breaks the rules: %v", pmi, err)
		}
		length := rapid.IntRange(admit.MinAccessCodeLength, admit.MaxAccessCodeLength).Draw(t, "length")
		code, err := admit.GenerateAccessCode(rand.Reader, length)
		if err != nil || len(code) != length || strings.Trim(code, admit.Digits) != "" {
			t.Fatalf("access code %q (length %d)", code, length)
		}
		pol := admit.DefaultPasscodePolicy()
		pol.Length = rapid.IntRange(admit.MinPasscodeLength, admit.MaxPasscodeLength).Draw(t, "passcode length")
		pol.NumericOnly = rapid.Bool().Draw(t, "numeric")
		if !pol.NumericOnly {
			pol.RequireClasses = rapid.SliceOfDistinct(rapid.SampledFrom([]string{"upper", "lower", "digit"}), rapid.ID[string]).Draw(t, "classes")
		}
		p, err := pol.Generate(rand.Reader)
		if err != nil || len(p) != pol.Length {
			t.Fatalf("passcode %q, want length %d: %v", p, pol.Length, err)
		}
		if strings.ContainsAny(p, "0Oo1lI") && !pol.NumericOnly {
			t.Fatalf("passcode %q holds a look-alike", p)
		}
		for _, c := range pol.RequireClasses {
			ok := strings.ContainsAny(p, map[string]string{"upper": "ABCDEFGHJKLMNPQRSTUVWXYZ", "lower": "abcdefghijkmnpqrstuvwxyz", "digit": "23456789"}[c])
			if !ok {
				t.Fatalf("passcode %q lacks class %s", p, c)
			}
		}
		if admit.PhoneFormNeeded(p) {
			ph, err := admit.GeneratePhoneForm(rand.Reader, p)
			if err != nil || len(ph) < 8 || strings.Trim(ph, admit.Digits) != "" {
				t.Fatalf("phone form %q of %q", ph, p)
			}
		}
		tok, err := admit.RandomToken(rand.Reader, 16)
		if err != nil || len(tok) != 22 || strings.Trim(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("token %q", tok)
		}
	})
}
