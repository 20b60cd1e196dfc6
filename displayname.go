package admit

import "fmt"

// NextSharedSeq returns the number for the next holder of a shared
// credential (an invitee's link used by several people at once), given the
// numbers the active holders use: 1 (no suffix) when no holder is active,
// else the smallest n from 2 that no active holder uses. Stores call it
// inside the transaction that read used.
func NextSharedSeq(used []int) int {
	if len(used) == 0 {
		return 1
	}
	taken := make(map[int]bool, len(used))
	for _, s := range used {
		taken[s] = true
	}
	n := 2
	for taken[n] {
		n++
	}
	return n
}

// SharedDisplayName returns the display name of the holder numbered seq
// (see NextSharedSeq) of a credential whose name is base: base itself for
// the first holder, "base (n)" for the others.
func SharedDisplayName(base string, seq int) string {
	if seq > 1 {
		return fmt.Sprintf("%s (%d)", base, seq)
	}
	return base
}
