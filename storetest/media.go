package storetest

import (
	"testing"
	"time"

	"github.com/admit-project/admit"
)

// RunMedia runs the conformance tests of admit.MediaStore on the stores
// open returns (a store that is both an admit.Store and an
// admit.MediaStore).
func RunMedia(t *testing.T, open func(tb testing.TB) admit.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture, ms admit.MediaStore)
	}{
		{"MediaBackend", testMediaBackend},
		{"MediaPresence", testMediaPresence},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, open)
			ms, ok := f.s.(admit.MediaStore)
			if !ok {
				t.Fatalf("%T is not an admit.MediaStore", f.s)
			}
			tt.fn(t, f, ms)
		})
	}
}

func testMediaBackend(t *testing.T, f *fixture, ms admit.MediaStore) {
	_, err := ms.FindMediaBackend(f.ctx, f.account.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
	b := &admit.StoredMediaBackend{AccountID: f.account.ID, Kind: admit.MediaLiveKit,
		Settings: []byte(`{"backend":"livekit"}`), SecretSealed: []byte("sealed-1"), TokenTTL: time.Minute}
	must(t, ms.PutMediaBackend(f.ctx, b))
	if b.UpdatedAt.IsZero() {
		t.Error("UpdatedAt not set")
	}
	got, err := ms.FindMediaBackend(f.ctx, f.account.ID)
	must(t, err)
	if got.Kind != admit.MediaLiveKit || string(got.Settings) != `{"backend":"livekit"}` || string(got.SecretSealed) != "sealed-1" || got.TokenTTL != time.Minute {
		t.Errorf("FindMediaBackend = %+v", got)
	}
	b2 := &admit.StoredMediaBackend{AccountID: f.account.ID, Kind: admit.MediaJitsi, Settings: []byte(`{}`), SecretSealed: []byte("sealed-2")}
	must(t, ms.PutMediaBackend(f.ctx, b2))
	got, err = ms.FindMediaBackend(f.ctx, f.account.ID)
	must(t, err)
	if got.Kind != admit.MediaJitsi || string(got.SecretSealed) != "sealed-2" || got.TokenTTL != 0 {
		t.Errorf("after replacing: %+v", got)
	}
	must(t, ms.DeleteMediaBackend(f.ctx, f.account.ID))
	wantCode(t, ms.DeleteMediaBackend(f.ctx, f.account.ID), admit.ENOTFOUND, "")
	_, err = ms.FindMediaBackend(f.ctx, f.account.ID)
	wantCode(t, err, admit.ENOTFOUND, "")
}

func testMediaPresence(t *testing.T, f *fixture, ms admit.MediaStore) {
	m := f.meeting("81234567960", occ(1, T0, ""))
	f.save(t, m)
	o := m.Occurrences[0]
	p := participant(o, 0, "Ada", T0)
	must(t, f.s.Admit(f.ctx, admission(m, o, p)))

	joined := func(id string, at time.Time) *admit.MediaConnection {
		return &admit.MediaConnection{OccurrencePK: o.PK, ParticipantPK: p.PK, Identity: "pada", ConnectedAt: at}
	}
	left := func(at time.Time) *admit.MediaConnection {
		return &admit.MediaConnection{OccurrencePK: o.PK, Identity: "pada", LeftAt: &at}
	}
	record := func(id, kind string, c *admit.MediaConnection, want bool) {
		t.Helper()
		fresh, err := ms.RecordMediaEvent(f.ctx, id, kind, c)
		must(t, err)
		if fresh != want {
			t.Errorf("event %s taken: %v, want %v", id, fresh, want)
		}
	}
	record("EV_1", admit.MediaEventJoined, joined("EV_1", T0.Add(time.Minute)), true)
	record("EV_1", admit.MediaEventJoined, joined("EV_1", T0.Add(time.Minute)), false) // replayed
	record("EV_2", admit.MediaEventLeft, left(T0.Add(5*time.Minute)), true)
	record("EV_2", admit.MediaEventLeft, left(T0.Add(9*time.Minute)), false)
	record("EV_3", admit.MediaEventJoined, joined("EV_3", T0.Add(6*time.Minute)), true)
	record("EV_4", admit.MediaEventRoomStarted, &admit.MediaConnection{OccurrencePK: o.PK}, true)

	cs, err := ms.FindMediaConnections(f.ctx, o.PK)
	must(t, err)
	if len(cs) != 2 {
		t.Fatalf("%d connections, want 2: %+v", len(cs), cs)
	}
	if cs[0].ParticipantPK != p.PK || !sameTime(cs[0].ConnectedAt, T0.Add(time.Minute)) || cs[0].LeftAt == nil || !sameTime(*cs[0].LeftAt, T0.Add(5*time.Minute)) {
		t.Errorf("first connection %+v", cs[0])
	}
	if !sameTime(cs[1].ConnectedAt, T0.Add(6*time.Minute)) || cs[1].LeftAt != nil {
		t.Errorf("second connection %+v", cs[1])
	}
}
