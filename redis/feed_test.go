package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/limittest"
	"github.com/admit-project/admit/redis"
)

// receive waits for the next change on ch (or fails after a generous
// bound: pub/sub on loopback takes milliseconds).
func receive(tb testing.TB, ch <-chan admit.Change) admit.Change {
	tb.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			tb.Fatal("feed closed")
		}
		return c
	case <-time.After(10 * time.Second):
		tb.Fatal("no change within 10 s")
	}
	return admit.Change{}
}

// TestFeedAcrossNodes publishes on one node's feed and hears the change on
// every node's, the publisher's included.
func TestFeedAcrossNodes(t *testing.T) {
	channel := limittest.Prefix(t, "admit:test:changes:")
	var feeds []*redis.Feed
	for i := 0; i < 3; i++ {
		f := redis.NewFeed(mustClient(t))
		f.Channel = channel
		feeds = append(feeds, f)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var subs []<-chan admit.Change
	for _, f := range feeds {
		ch, err := f.Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, ch)
	}
	sent := []admit.Change{
		{Kind: admit.ChangeRoster, MeetingPK: 7, OccurrencePK: 9},
		{Kind: admit.ChangeBudget, MeetingPK: 8},
		{Kind: admit.ChangeMeeting, MeetingPK: 10},
	}
	for i, c := range sent {
		if err := feeds[i].Publish(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for n, ch := range subs {
		for _, want := range sent {
			if got := receive(t, ch); got != want {
				t.Errorf("node %d heard %+v, want %+v (in order from one connection each)", n, got, want)
			}
		}
	}
}

// TestFeedIgnoresOtherChannelsAndJunk checks that a feed hears only its
// channel and survives a message that is not a change.
func TestFeedIgnoresOtherChannelsAndJunk(t *testing.T) {
	c := mustClient(t)
	channel := limittest.Prefix(t, "admit:test:changes:")
	f := redis.NewFeed(c)
	f.Channel = channel
	other := redis.NewFeed(c)
	other.Channel = channel + "other"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := f.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Publish(ctx, admit.Change{Kind: admit.ChangeRoster, MeetingPK: 1}); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, channel, "not json").Err(); err != nil {
		t.Fatal(err)
	}
	want := admit.Change{Kind: admit.ChangeMeeting, MeetingPK: 2}
	if err := f.Publish(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, ch); got != want {
		t.Errorf("heard %+v, want %+v", got, want)
	}
}

// TestFeedClosesWithContext checks that the channel closes when the
// subscription's context ends.
func TestFeedClosesWithContext(t *testing.T) {
	f := redis.NewFeed(mustClient(t))
	f.Channel = limittest.Prefix(t, "admit:test:changes:")
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := f.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("a change after the context ended")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the channel stayed open after the context ended")
	}
}
