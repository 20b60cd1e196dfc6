package admit

import "sort"

// RemovedOccurrences returns, in ascending order, the Indexes among stored
// (those of a meeting's stored occurrences) that m no longer has: saving m
// removes them. An Index removed and added again in the same save is kept,
// not removed and inserted.
func (m *Meeting) RemovedOccurrences(stored []int) []int {
	have := make(map[int]bool, len(m.Occurrences))
	for _, o := range m.Occurrences {
		have[o.Index] = true
	}
	var out []int
	for _, idx := range stored {
		if !have[idx] {
			out = append(out, idx)
		}
	}
	sort.Ints(out)
	return out
}
