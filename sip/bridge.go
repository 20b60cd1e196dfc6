package sip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"
)

// Headers of the bridge INVITE.
const (
	HeaderRoom      = "X-Admit-Room"
	HeaderToken     = "X-Admit-Token"
	HeaderJitsiRoom = "Jitsi-Conference-Room"
)

// BridgeTimeout is how long the conference may take to answer.
const BridgeTimeout = 30 * time.Second

// bridgeLeg is the call from the gateway to the conference for one caller.
type bridgeLeg struct {
	d       *diago.DialogClientSession
	w       *media.RTPPacketWriter
	alaw    bool
	audioPT uint8
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex // serialises writes
}

// BridgeURI is the conference URI of room: the template with "{room}"
// replaced.
func BridgeURI(template, room string) string {
	return strings.ReplaceAll(template, "{room}", room)
}

// bridge calls the conference for the joined caller and relays audio
// between the two legs.
func (c *call) bridge(ctx context.Context) (*bridgeLeg, error) {
	if c.g.cfg.BridgeURI == "" {
		return nil, errors.New("no bridge URI configured")
	}
	room, token := c.joinedInfo()
	if room == "" || token == "" || strings.ContainsAny(room, "\r\n") || strings.ContainsAny(token, "\r\n") {
		return nil, errors.New("no room or admission token to bridge with")
	}
	var to sip.Uri
	if err := sip.ParseUri(BridgeURI(c.g.cfg.BridgeURI, room), &to); err != nil {
		return nil, fmt.Errorf("bridge URI: %w", err)
	}
	headers := []sip.Header{sip.NewHeader(HeaderRoom, room), sip.NewHeader(HeaderToken, token)}
	if c.g.cfg.Jitsi {
		headers = append(headers, sip.NewHeader(HeaderJitsiRoom, room))
	}
	ictx, cancel := context.WithTimeout(ctx, BridgeTimeout)
	defer cancel()
	d, med, err := c.g.dg.Invite(ictx, to, diago.InviteOptions{Headers: headers})
	if err != nil {
		return nil, fmt.Errorf("calling the conference: %w", err)
	}
	leg := &bridgeLeg{d: d, w: med.RTPPacketWriter, done: make(chan struct{})}
	leg.audioPT, leg.alaw = pickAudio(med.MediaSession().CommonCodecs())
	go func() {
		<-d.Context().Done()
		leg.once.Do(func() { close(leg.done) })
	}()
	go leg.readConference(d.Context(), med.RTPPacketReader, c.play, c.alaw)
	return leg, nil
}

// send relays a frame of the caller's audio to the conference.
func (l *bridgeLeg) send(frame []byte, fromAlaw bool) {
	b := transcode(frame, fromAlaw, l.alaw)
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.WriteSamples(b, uint32(len(b)), false, l.audioPT)
}

// readConference relays the conference's audio to the caller's player.
func (l *bridgeLeg) readConference(ctx context.Context, r *media.RTPPacketReader, p *player, toAlaw bool) {
	buf := make([]byte, media.RTPBufSize)
	for ctx.Err() == nil {
		n, err := r.Read(buf)
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return
			}
			continue
		}
		if r.PacketHeader.PayloadType != l.audioPT || n != frameSize {
			continue
		}
		p.send(transcode(buf[:n], l.alaw, toAlaw))
	}
}

// hangup ends the conference leg.
func (l *bridgeLeg) hangup() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.d.Hangup(ctx)
	_ = l.d.Close()
	l.once.Do(func() { close(l.done) })
}
