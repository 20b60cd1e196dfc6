package streams

import "sync"

// Bound counts the open streams per key and refuses one more than Max. The
// zero value is not usable; make one with New. It is safe for concurrent
// use.
type Bound struct {
	max  int
	mu   sync.Mutex
	open map[string]int
}

// New returns a Bound of limit open streams per key (at least 1).
func New(limit int) *Bound {
	return &Bound{max: max(limit, 1), open: map[string]int{}}
}

// Acquire takes a stream for key: it returns a release func to call once
// the stream ends, and true; or nil and false when key already holds Max
// streams (answer 429).
func (b *Bound) Acquire(key string) (release func(), ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open[key] >= b.max {
		return nil, false
	}
	b.open[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.open[key]--; b.open[key] <= 0 {
				delete(b.open, key)
			}
		})
	}, true
}

// Open returns the streams open for key.
func (b *Bound) Open(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open[key]
}

// Max is the bound per key.
func (b *Bound) Max() int { return b.max }
