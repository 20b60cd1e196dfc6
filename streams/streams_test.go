package streams_test

import (
	"sync"
	"testing"

	"github.com/admit-project/admit/streams"
)

func TestBound(t *testing.T) {
	b := streams.New(3)
	var releases []func()
	for i := range 3 {
		r, ok := b.Acquire("p1")
		if !ok {
			t.Fatalf("stream %d refused under the bound", i)
		}
		releases = append(releases, r)
	}
	if _, ok := b.Acquire("p1"); ok {
		t.Fatal("a fourth stream of p1 was allowed")
	}
	if r, ok := b.Acquire("p2"); !ok {
		t.Fatal("another key was refused")
	} else {
		r()
	}
	releases[0]()
	releases[0]() // twice is once
	if b.Open("p1") != 2 {
		t.Fatalf("open %d after one release; want 2", b.Open("p1"))
	}
	if _, ok := b.Acquire("p1"); !ok {
		t.Fatal("a stream was refused after one ended")
	}
}

func TestBoundConcurrent(t *testing.T) {
	b := streams.New(4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := 0
	var rel []func()
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, ok := b.Acquire("k"); ok {
				mu.Lock()
				got++
				rel = append(rel, r)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got != 4 {
		t.Errorf("%d of 100 concurrent streams allowed; want 4", got)
	}
	for _, r := range rel {
		r()
	}
	if b.Open("k") != 0 {
		t.Errorf("%d open after all ended", b.Open("k"))
	}
}
