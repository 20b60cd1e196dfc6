package sip

import (
	"strings"
)

// telephoneEventKeys maps RFC 4733 event codes 0-15 to keys.
const telephoneEventKeys = "0123456789*#ABCD"

// EventDecoder decodes RFC 4733 telephone events of one RTP stream into
// keys: one key per RTP timestamp, told on the first packet of an event
// (whatever its duration, 0 included, as some senders begin) and never again
// for the packets that repeat it or end it. A packet that is not an end,
// after the end of the event of its timestamp, begins a new event: senders
// that replay a recorded key (SIPp's pcaps) reuse its timestamp.
type EventDecoder struct {
	seen  bool
	ended bool
	last  uint32
}

// Decode takes one telephone-event packet's RTP timestamp and payload and
// returns the key it begins, or 0 when it begins none (a repeat, an end
// packet of a told event, a short payload, or an event that is not a key).
func (d *EventDecoder) Decode(timestamp uint32, payload []byte) byte {
	if len(payload) < 4 {
		return 0
	}
	end := payload[1]&0x80 != 0
	if d.seen && timestamp == d.last && !(d.ended && !end) {
		d.ended = d.ended || end
		return 0
	}
	d.seen, d.last, d.ended = true, timestamp, end
	if int(payload[0]) >= len(telephoneEventKeys) {
		return 0
	}
	return telephoneEventKeys[payload[0]]
}

// InfoKey reads the key of a SIP INFO body: "Signal=5\r\nDuration=160" for
// application/dtmf-relay, or the bare key for application/dtmf. It returns 0
// when the body holds no key.
func InfoKey(contentType string, body []byte) byte {
	ct, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
	switch strings.TrimSpace(ct) {
	case "application/dtmf-relay":
		for _, line := range strings.Split(string(body), "\n") {
			name, value, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "signal") {
				return keyOf(strings.TrimSpace(value))
			}
		}
	case "application/dtmf":
		return keyOf(strings.TrimSpace(string(body)))
	}
	return 0
}

// keyOf reads one key: "0"-"9", "*", "#", "A"-"D", or the event codes
// "10" (*) and "11" (#) some senders use.
func keyOf(s string) byte {
	switch s {
	case "10":
		return '*'
	case "11":
		return '#'
	}
	if len(s) != 1 {
		return 0
	}
	c := s[0]
	if c >= 'a' && c <= 'd' {
		c -= 'a' - 'A'
	}
	if strings.IndexByte(telephoneEventKeys, c) < 0 {
		return 0
	}
	return c
}
