package sqlstore

import (
	"testing"
	"time"
)

type countingObserver struct{ groups, ops int }

func (c *countingObserver) ObserveWriteGroup(size int, wait, commit time.Duration, err error) {
	c.groups++
	c.ops += size
}

func TestWriteObserver(t *testing.T) {
	var w WriteObserver
	if o := w.Load(); o != nil {
		t.Fatalf("zero WriteObserver loads %v, want none", o)
	}
	c := &countingObserver{}
	w.Set(c)
	o := w.Load()
	if o == nil {
		t.Fatal("set observer not loaded")
	}
	o.ObserveWriteGroup(3, 0, 0, nil)
	if c.groups != 1 || c.ops != 3 {
		t.Fatalf("observer told of %d groups, %d ops; want 1, 3", c.groups, c.ops)
	}
	w.Set(nil)
	if o := w.Load(); o != nil {
		t.Fatalf("after Set(nil) loads %v, want none", o)
	}
}
