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

// TransferTimeout is how long a REFER transfer may take, from the REFER to
// the NOTIFY of its outcome.
const TransferTimeout = 30 * time.Second

// transferTarget is the Refer-To URI of a transfer to the conference: the
// bridge URI of room with the bridge INVITE's headers as URI headers, which
// the trunk puts in the INVITE it sends the conference (RFC 3261 19.1.5).
func (c *call) transferTarget() (sip.Uri, error) {
	var to sip.Uri
	if c.g.cfg.BridgeURI == "" {
		return to, errors.New("no bridge URI configured")
	}
	room, token := c.joinedInfo()
	if room == "" || token == "" || !uriHeaderSafe(room) || !uriHeaderSafe(token) {
		return to, errors.New("no room or admission token to transfer with")
	}
	if err := sip.ParseUri(BridgeURI(c.g.cfg.BridgeURI, room), &to); err != nil {
		return to, fmt.Errorf("bridge URI: %w", err)
	}
	h := sip.NewParams()
	h.Add(HeaderRoom, room)
	h.Add(HeaderToken, token)
	if c.g.cfg.Jitsi {
		h.Add(HeaderJitsiRoom, room)
	}
	to.Headers = h
	return to, nil
}

// uriHeaderSafe reports whether s may stand in a URI header's value as it
// is: room names and admission tokens (JWTs) are letters, digits and
// "-._~".
func uriHeaderSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-._~", b) >= 0) {
			return false
		}
	}
	return true
}

// transfer asks the caller's trunk, with REFER, to call the conference in
// the gateway's place (a blind transfer, RFC 5589). It returns once the
// trunk's NOTIFY tells the conference answered (or the trunk ends the call
// after accepting the REFER), or the error: the REFER refused (not 202),
// the new call failed, or no outcome within TransferTimeout.
func (c *call) transfer(ctx context.Context) error {
	to, err := c.transferTarget()
	if err != nil {
		return err
	}
	outcome := make(chan int, 8)
	tctx, cancel := context.WithTimeout(ctx, TransferTimeout)
	defer cancel()
	err = c.d.ReferOptions(tctx, to, diago.ReferServerOptions{OnNotify: func(code int) {
		select {
		case outcome <- code:
		default:
		}
	}})
	if err != nil {
		return fmt.Errorf("REFER: %w", err)
	}
	for {
		select {
		case code := <-outcome:
			switch {
			case code >= 200 && code < 300:
				return nil
			case code >= 300:
				return fmt.Errorf("the transferred call failed: %d", code)
			}
		case <-tctx.Done():
			if ctx.Err() != nil {
				// The trunk accepted the transfer and ended this leg
				// itself before telling its outcome.
				return nil
			}
			return fmt.Errorf("no outcome of the transfer within %v", TransferTimeout)
		}
	}
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
