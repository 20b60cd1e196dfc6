package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// parallel runs fn(i) for i in [0, n) on n goroutines started together and
// returns their errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// tally counts nil errors and errors with the code and field; any other
// error fails the test.
func tally(t *testing.T, errs []error, code, field string) (ok, refused int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case admit.ErrorCode(err) == code && admit.ErrorField(err) == field:
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	return ok, refused
}

func testConcurrentNumbers(t *testing.T, f *fixture) {
	const n, numbers = 50, 5
	errs := parallel(n, func(i int) error {
		number := fmt.Sprintf("8223456700%d", i%numbers)
		m := f.meeting(number, occ(1, T0.Add(time.Duration(i)*day), fmt.Sprintf("cn-%d", i)))
		return f.s.SaveMeeting(f.ctx, m, T0)
	})
	ok, refused := tally(t, errs, admit.ECONFLICT, "meeting_id")
	if ok != numbers || refused != n-numbers {
		t.Errorf("%d saved, %d refused; want %d and %d", ok, refused, numbers, n-numbers)
	}
	dir, err := f.s.LoadDirectory(f.ctx, 0, T0)
	must(t, err)
	live := map[string]bool{}
	for _, m := range dir.Meetings {
		live[m.Number] = true
	}
	for i := range numbers {
		if n := fmt.Sprintf("8223456700%d", i); !live[n] {
			t.Errorf("number %d (%s) is not a live meeting's", i, n)
		}
	}
}

func testConcurrentAccessCodes(t *testing.T, f *fixture) {
	const n = 50
	// Overlapping windows (a few minutes apart) with one code: one wins.
	errs := parallel(n, func(i int) error {
		m := f.meeting(fmt.Sprintf("823456%05d", i), occ(1, T0.Add(time.Duration(i)*time.Minute), "contested"))
		return f.s.SaveMeeting(f.ctx, m, T0)
	})
	ok, refused := tally(t, errs, admit.ECONFLICT, "access_code")
	if ok != 1 || refused != n-1 {
		t.Errorf("overlapping: %d saved, %d refused; want 1 and %d", ok, refused, n-1)
	}

	// Windows further apart than the quarantine: all win.
	const apart = 4
	gap := admit.CodeQuarantine + 3*time.Hour
	errs = parallel(apart, func(i int) error {
		m := f.meeting(fmt.Sprintf("824456%05d", i), occ(1, T0.Add(time.Duration(i+1)*gap), "spaced"))
		return f.s.SaveMeeting(f.ctx, m, T0)
	})
	if ok, _ := tally(t, errs, admit.ECONFLICT, "access_code"); ok != apart {
		t.Errorf("beyond the quarantine: %d saved, want %d", ok, apart)
	}
}

func testConcurrentMaxUses(t *testing.T, f *fixture) {
	const n, max = 100, 5
	m := f.meeting("82345678000", occ(1, T0, "limited"))
	f.save(t, m)
	o := m.Occurrences[0]
	errs := parallel(n, func(i int) error {
		a := admission(m, o, participant(o, 0, "Guest", T0))
		a.ViaAccessCode, a.MaxUses = true, max
		return f.s.Admit(f.ctx, a)
	})
	ok, refused := tally(t, errs, admit.ECONFLICT, "max_uses")
	if ok != max || refused != n-max {
		t.Errorf("%d admitted, %d refused; want %d and %d", ok, refused, max, n-max)
	}
	ps, err := f.s.FindParticipants(f.ctx, o.PK)
	must(t, err)
	got, err := f.s.FindOccurrence(f.ctx, o.PK)
	must(t, err)
	if len(ps) != max || got.Uses != max {
		t.Errorf("%d participants, %d uses; want %d", len(ps), got.Uses, max)
	}
}
