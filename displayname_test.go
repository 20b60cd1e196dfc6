package admit

import "testing"

var nextSharedSeqTests = []struct {
	used []int
	want int
}{
	{nil, 1},
	{[]int{}, 1},
	{[]int{1}, 2},
	{[]int{1, 2}, 3},
	{[]int{1, 3}, 2},
	{[]int{2}, 3},
	{[]int{1, 2, 3, 5}, 4},
	{[]int{5, 1, 2, 3, 4}, 6},
	{[]int{1, 1, 2}, 3},
}

func TestNextSharedSeq(t *testing.T) {
	for _, tt := range nextSharedSeqTests {
		if got := NextSharedSeq(tt.used); got != tt.want {
			t.Errorf("NextSharedSeq(%v) = %d, want %d", tt.used, got, tt.want)
		}
	}
}

var sharedDisplayNameTests = []struct {
	base string
	seq  int
	want string
}{
	{"Ada", 1, "Ada"},
	{"Ada", 0, "Ada"},
	{"Ada", 2, "Ada (2)"},
	{"Ada (2)", 3, "Ada (2) (3)"},
	{"", 2, " (2)"},
}

func TestSharedDisplayName(t *testing.T) {
	for _, tt := range sharedDisplayNameTests {
		if got := SharedDisplayName(tt.base, tt.seq); got != tt.want {
			t.Errorf("SharedDisplayName(%q, %d) = %q, want %q", tt.base, tt.seq, got, tt.want)
		}
	}
}
