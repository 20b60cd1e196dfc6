package admit

import (
	"reflect"
	"testing"
)

var removedOccurrencesTests = []struct {
	have   []int
	stored []int
	want   []int
}{
	{nil, nil, nil},
	{[]int{1, 2}, []int{1, 2}, nil},
	{[]int{1}, []int{3, 1, 2}, []int{2, 3}},
	{nil, []int{2, 1}, []int{1, 2}},
	{[]int{4, 5}, nil, nil},
}

func TestRemovedOccurrences(t *testing.T) {
	for _, tt := range removedOccurrencesTests {
		m := &Meeting{}
		for _, idx := range tt.have {
			m.Occurrences = append(m.Occurrences, &Occurrence{Index: idx})
		}
		if got := m.RemovedOccurrences(tt.stored); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("meeting with %v: RemovedOccurrences(%v) = %v, want %v", tt.have, tt.stored, got, tt.want)
		}
	}
}
