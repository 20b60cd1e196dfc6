package memory_test

import (
	"context"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/memory"
)

// TestMemoryFeed checks that every subscriber gets a published change and
// that a subscription ends with its context.
func TestMemoryFeed(t *testing.T) {
	var f memory.Feed
	ctx, cancel := context.WithCancel(context.Background())
	a, _ := f.Subscribe(ctx)
	b, _ := f.Subscribe(context.Background())
	want := admit.Change{Kind: admit.ChangeRoster, MeetingPK: 7, OccurrencePK: 9}
	if err := f.Publish(ctx, want); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]<-chan admit.Change{"a": a, "b": b} {
		if got := <-ch; got != want {
			t.Errorf("subscriber %s got %+v, want %+v", name, got, want)
		}
	}
	cancel()
	if _, ok := <-a; ok {
		t.Error("a subscription whose context is done still delivers")
	}
}
