package sip

import (
	"testing"
)

func event(code byte, end bool, duration uint16) []byte {
	p := []byte{code, 10, byte(duration >> 8), byte(duration)}
	if end {
		p[1] |= 0x80
	}
	return p
}

func TestEventDecoder(t *testing.T) {
	var d EventDecoder
	var got []byte
	feed := func(ts uint32, p []byte) {
		if k := d.Decode(ts, p); k != 0 {
			got = append(got, k)
		}
	}
	// "1": starts with duration 0 (as SIPp's pcaps), repeats, ends three times.
	feed(1000, event(1, false, 0))
	feed(1000, event(1, false, 160))
	feed(1000, event(1, false, 320))
	feed(1000, event(1, true, 480))
	feed(1000, event(1, true, 480))
	feed(1000, event(1, true, 480))
	// "1" again: a new timestamp is a new key.
	feed(2000, event(1, false, 160))
	feed(2000, event(1, true, 320))
	// "#", its first packet lost: the end packets still tell it once.
	feed(3000, event(11, true, 480))
	feed(3000, event(11, true, 480))
	// not a key (event 16, flash), and a short payload
	feed(4000, event(16, false, 0))
	feed(5000, []byte{1, 2})
	// "*" at timestamp 0 after a wrap
	feed(0, event(10, false, 0))
	feed(0, event(10, true, 160))
	// "*" replayed with the same timestamp, after its end: a new key.
	feed(0, event(10, false, 0))
	feed(0, event(10, true, 160))
	feed(0, event(10, true, 160))
	if string(got) != "11#**" {
		t.Errorf("keys = %q, want %q", got, "11#**")
	}
}

func TestInfoKey(t *testing.T) {
	tests := []struct {
		ct, body string
		want     byte
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5'},
		{"application/dtmf-relay", "Signal= #\r\nDuration=160", '#'},
		{"Application/DTMF-Relay; charset=x", "signal=11\nduration=100", '#'},
		{"application/dtmf-relay", "Signal=10", '*'},
		{"application/dtmf", "7", '7'},
		{"application/dtmf", "d", 'D'},
		{"application/dtmf-relay", "Duration=160", 0},
		{"application/dtmf-relay", "Signal=99", 0},
		{"text/plain", "Signal=5", 0},
	}
	for _, tt := range tests {
		if got := InfoKey(tt.ct, []byte(tt.body)); got != tt.want {
			t.Errorf("InfoKey(%q, %q) = %q, want %q", tt.ct, tt.body, got, tt.want)
		}
	}
}

func FuzzInfoKey(f *testing.F) {
	f.Add("application/dtmf-relay", []byte("Signal=5\r\nDuration=160"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		k := InfoKey(ct, body)
		if k != 0 && (k < '0' || k > '9') && k != '*' && k != '#' && (k < 'A' || k > 'D') {
			t.Errorf("InfoKey gave %q", k)
		}
	})
}

func TestTranscode(t *testing.T) {
	ulaw, err := Clip(PromptWelcome)
	if err != nil {
		t.Fatal(err)
	}
	alaw := transcode(ulaw, false, true)
	back := transcode(alaw, true, false)
	same := 0
	for i := range ulaw {
		if back[i] == ulaw[i] {
			same++
		}
	}
	if same*100 < len(ulaw)*85 {
		t.Errorf("mu-law to A-law and back keeps %d of %d samples, want 85%% (the laws differ in a few codes)", same, len(ulaw))
	}
	if got := transcode(ulaw, false, false); &got[0] == &ulaw[0] || string(got) != string(ulaw) {
		t.Error("transcoding to the same law is not a copy")
	}
}
