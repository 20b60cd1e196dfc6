package password_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/password"
)

// The hasher is what the service is given.
var _ admit.PasswordHasher = (*password.Hasher)(nil)

// fast keeps the tests quick; the format and checks are the same.
var fast = &password.Hasher{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}

func TestHashVerify(t *testing.T) {
	h, err := fast.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with the parameters", h)
	}
	ok, err := fast.Verify(h, "correct horse battery")
	if err != nil || !ok {
		t.Errorf("Verify(right) = %v, %v; want true", ok, err)
	}
	ok, err = fast.Verify(h, "correct horse batterx")
	if err != nil || ok {
		t.Errorf("Verify(wrong) = %v, %v; want false", ok, err)
	}
	h2, _ := fast.Hash("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestDefaultParams(t *testing.T) {
	var h password.Hasher
	s, err := h.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("default hash %q", s)
	}
	if h.NeedsRehash(s) {
		t.Error("a fresh default hash needs a rehash")
	}
	weak, _ := fast.Hash("pw")
	if !h.NeedsRehash(weak) {
		t.Error("a hash with weaker parameters does not need a rehash")
	}
	if ok, err := h.Verify(weak, "pw"); !ok || err != nil {
		t.Errorf("a hash made with other parameters does not verify: %v %v", ok, err)
	}
}

var malformed = []string{
	"",
	"plain",
	"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
	"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
	"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", // memory out of range
	"$argon2id$v=19$m=64,t=99,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
	"$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
	"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
	"$argon2id$v=19$m=64,t=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA$",
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range malformed {
		if ok, err := fast.Verify(h, "pw"); ok || !errors.Is(err, password.ErrMalformed) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformed", h, ok, err)
		}
	}
}

// TestSlotsBoundConcurrentHashes: 16 hashes at once through Slots of 2
// running and 4 waiting: at most 2 run at once, the 10 beyond the line get
// ErrBusy, the others finish.
func TestSlotsBoundConcurrentHashes(t *testing.T) {
	sl := password.NewSlots(2, 4)
	h := &password.Hasher{Params: password.Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, Slots: sl}
	var wg sync.WaitGroup
	var busy, done atomic.Int32
	start := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := h.Hash("correct horse battery staple")
			switch {
			case errors.Is(err, password.ErrBusy):
				busy.Add(1)
			case err != nil:
				t.Errorf("Hash: %v", err)
			default:
				done.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	st := sl.Stats()
	if st.Peak > 2 || st.Running != 0 {
		t.Errorf("stats %+v; want a peak of at most 2 and none running after", st)
	}
	if int64(done.Load()) != st.Total || busy.Load()+done.Load() != 16 || int64(busy.Load()) != st.Busy {
		t.Errorf("%d done, %d busy, stats %+v", done.Load(), busy.Load(), st)
	}
	if done.Load() < 6 {
		t.Errorf("only %d of 16 hashed; want at least the 6 that fit running and waiting", done.Load())
	}
}
