package web

import "testing"

// chanceTests are guessing bounds and how a host reads them.
var chanceTests = []struct {
	p    float64
	want string
}{
	{4e-10, "about a 1 in 2.5 billion chance"},
	{1e-6, "about a 1 in 1 million chance"},
	{1.0001e-6, "about a 1 in 1 million chance"},
	{3.3e-7, "about a 1 in 3 million chance"},
	{1e-11, "about a 1 in 100 billion chance"},
	{4e-12, "about a 1 in 250 billion chance"},
	{1.5e-13, "about a 1 in 6.7 trillion chance"},
	{4e-4, "about a 1 in 2,500 chance"},
	{1.0 / 1234.0, "about a 1 in 1,200 chance"},
	{0.5, "about a 1 in 2 chance"},
	{1, "a certain way in"},
	{0, "no chance"},
	{1e-20, "less than a 1 in a quintillion chance"},
}

func TestChanceInWords(t *testing.T) {
	for _, c := range chanceTests {
		if got := chanceOf(c.p); got != c.want {
			t.Errorf("chanceOf(%g) = %q, want %q", c.p, got, c.want)
		}
	}
}
