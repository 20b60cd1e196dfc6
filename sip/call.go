package sip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/admit-project/admit"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"
	"github.com/zaf/g711"
)

// call is one caller's call: the menu, its prompts and the bridge.
type call struct {
	g       *Gateway
	d       *diago.DialogServerSession
	source  string
	account int64 // the account the called number selects, or 0 for any
	refer   bool  // the caller's trunk takes REFER transfers

	keys    chan byte
	alaw    bool  // the caller's leg speaks A-law
	audioPT uint8 // the caller's audio payload type
	eventPT int   // the caller's telephone-event payload type, or -1

	play *player
	leg  atomic.Pointer[bridgeLeg] // set while bridged

	mu    sync.Mutex
	room  string // the media room, once joined
	token string // the admission token, once admitted
}

func newCall(g *Gateway, d *diago.DialogServerSession, source string) *call {
	return &call{g: g, d: d, source: source, keys: make(chan byte, 64), eventPT: -1}
}

// inDialog reports whether req belongs to this call's dialog.
func (c *call) inDialog(req *sip.Request) bool {
	id, err := sip.DialogIDFromRequestUAS(req)
	return err == nil && id == c.d.ID
}

// key takes a key the caller pressed (from RTP or SIP INFO).
func (c *call) key(k byte) {
	select {
	case c.keys <- k:
	default: // a caller pressing faster than the menu reads loses keys
	}
}

// decision is the answer to a join attempt.
type decision struct {
	res *admit.JoinResult
	err error
}

// run answers the call and runs the menu until the call ends.
func (c *call) run() error {
	log := c.g.log.With("call", c.d.InviteRequest.CallID().Value())
	if err := c.d.Trying(); err != nil {
		return err
	}
	med, err := c.d.Answer(diago.AnswerOptions{})
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	c.audioPT, c.alaw = pickAudio(med.MediaSession().CommonCodecs())
	for _, codec := range med.MediaSession().CommonCodecs() {
		if strings.EqualFold(codec.Name, "telephone-event") {
			c.eventPT = int(codec.PayloadType)
		}
	}
	ctx, cancel := context.WithCancel(c.d.Context())
	defer cancel()

	c.play = newPlayer(med.RTPPacketWriter, c.alaw)
	go c.play.run(ctx)
	go c.readCaller(ctx, med.RTPPacketReader)

	var (
		menu      Menu
		pending   Step // what to do once the prompt has played
		playing   bool
		playGen   uint64
		timer     = time.NewTimer(time.Hour)
		waitTimer = time.NewTimer(time.Hour)
		decided   = make(chan decision, 1)
		events    <-chan admit.PhoneEvent
		pid       string // the participant, once joined
		final     bool   // the participant's attendance is over for the admitter
		leg       *bridgeLeg
		legDone   <-chan struct{}
	)
	timer.Stop()
	waitTimer.Stop()
	defer func() {
		if leg != nil {
			leg.hangup()
		}
		if pid != "" && !final {
			lctx, lcancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := c.g.cfg.Admitter.Leave(lctx, pid); err != nil && admit.ErrorCode(err) != admit.ENOTFOUND {
				log.Warn("sip: ending a caller's attendance failed", "error", err)
			}
			lcancel()
		}
	}()

	collectTimer := func() {
		if menu.Digits() == 0 {
			timer.Reset(c.g.cfg.FirstDigit)
		} else {
			timer.Reset(c.g.cfg.InterDigit)
		}
	}
	// afterPlay does what a step asks once its prompts have played; it
	// returns false when the call is to end.
	afterPlay := func(s Step) bool {
		switch {
		case s.Hangup:
			return false
		case s.Collect:
			collectTimer()
		case s.Wait:
			waitTimer.Reset(c.g.cfg.WaitRepeat)
		case s.Bridge:
			if c.refer {
				err := c.transfer(ctx)
				if err == nil {
					// The trunk calls the conference itself: this leg ends,
					// and the participant stays in the meeting (their
					// presence is the media server's to tell).
					log.Info("sip: caller transferred with REFER")
					final = true
					return false
				}
				log.Warn("sip: transfer with REFER failed, relaying instead", "error", err)
			}
			l, err := c.bridge(ctx)
			if err != nil {
				log.Warn("sip: bridging failed", "error", err)
				return c.failAndEnd(ctx)
			}
			log.Info("sip: caller bridged")
			leg = l
			legDone = l.done
			c.leg.Store(l)
		}
		return true
	}
	// do starts a step; it returns false when the call is to end.
	do := func(s Step) bool {
		if s.Join != nil {
			timer.Stop()
			req := admit.PhoneJoinRequest(s.Join.Entry, s.Join.Passcode, c.source)
			if s.Join.Invalid {
				req = admit.PhoneJoinRequest("", "", c.source)
			}
			req.AccountID = c.account
			go func() {
				start := time.Now()
				res, err := c.g.cfg.Admitter.Join(ctx, req)
				if wait := c.g.cfg.Decision - time.Since(start); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
					}
				}
				decided <- decision{res, err}
			}()
		}
		if len(s.Play) > 0 {
			if s.Hangup || s.Bridge {
				timer.Stop()
				waitTimer.Stop()
			}
			if s.Hangup && leg != nil {
				c.leg.Store(nil)
				leg.hangup()
				leg, legDone = nil, nil
			}
			b, err := Render(s.Play, c.alaw)
			if err != nil {
				log.Error("sip: prompt", "error", err)
				return false
			}
			playGen = c.play.start(b)
			playing, pending = true, s
			return true
		}
		if s.Collect {
			collectTimer()
			return true
		}
		return s.Join != nil || s.Wait || afterPlay(s)
	}

	if !do(menu.Start()) {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case gen := <-c.play.done:
			if gen != playGen || !playing {
				continue
			}
			playing = false
			if !afterPlay(pending) {
				return c.hangup()
			}
		case k := <-c.keys:
			if !menu.Collecting() {
				continue
			}
			if playing {
				// Barge in: a key stops the prompt.
				c.play.stop()
				playing = false
			}
			if !do(menu.Digit(k)) {
				return c.hangup()
			}
		case <-timer.C:
			if playing {
				continue
			}
			if !do(menu.Timeout()) {
				return c.hangup()
			}
		case <-waitTimer.C:
			if !do(menu.WaitTick()) {
				return c.hangup()
			}
		case dc := <-decided:
			o := OutcomeOf(dc.res, dc.err)
			if dc.err != nil && o == OutcomeFailed {
				log.Warn("sip: join failed", "error", dc.err)
			}
			if o == OutcomeAdmitted || o == OutcomeWaiting {
				log.Info("sip: caller joined", "status", string(dc.res.Status))
				pid = dc.res.Participant.ID
				c.setJoined(dc.res)
				ch, err := c.g.cfg.Admitter.Follow(ctx, pid)
				if err != nil {
					log.Warn("sip: following the participant failed", "error", err)
					o = OutcomeFailed
				}
				events = ch
			}
			if !do(menu.Decided(o, opensAtOf(dc.err))) {
				return c.hangup()
			}
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			log.Info("sip: caller's status changed", "status", string(ev.Status), "ended", ev.Ended)
			var o Outcome
			switch {
			case ev.Ended:
				o, final = OutcomeEnded, true
			case ev.Status == admit.StatusAdmitted:
				o = OutcomeAdmitted
				c.setToken(ev.AdmissionToken)
			case ev.Status == admit.StatusDenied:
				o, final = OutcomeDenied, true
			case ev.Status == admit.StatusRemoved:
				o, final = OutcomeRemoved, true
			case ev.Status == admit.StatusLeft:
				final = true
				return c.hangup()
			default:
				continue
			}
			if !do(menu.Decided(o, time.Time{})) {
				return c.hangup()
			}
		case <-legDone:
			// The conference hung up: so does the caller.
			c.leg.Store(nil)
			leg, legDone = nil, nil
			return c.hangup()
		}
	}
}

// setJoined keeps what the bridge needs of a joined caller.
func (c *call) setJoined(res *admit.JoinResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.room, c.token = c.g.cfg.Room(res), res.AdmissionToken
}

// setToken keeps the admission token of a caller admitted from the waiting
// room.
func (c *call) setToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if token != "" {
		c.token = token
	}
}

func (c *call) joinedInfo() (room, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.room, c.token
}

// failAndEnd plays the failure prompt to its end; it returns false.
func (c *call) failAndEnd(ctx context.Context) bool {
	b, err := Render([]Prompt{PromptFailed}, c.alaw)
	if err != nil {
		return false
	}
	gen := c.play.start(b)
	for {
		select {
		case <-ctx.Done():
			return false
		case g := <-c.play.done:
			if g == gen {
				return false
			}
		}
	}
}

// hangup ends the call from our side.
func (c *call) hangup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.d.Hangup(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// opensAtOf is when a not-yet-open meeting opens, from ENOTOPEN's detail.
func opensAtOf(err error) time.Time {
	var e *admit.Error
	if !errors.As(err, &e) || e.Detail == nil {
		return time.Time{}
	}
	s, _ := e.Detail["opens_at"].(string)
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// pickAudio returns the first G.711 codec of the negotiated list.
func pickAudio(codecs []media.Codec) (pt uint8, alaw bool) {
	for _, c := range codecs {
		switch strings.ToLower(c.Name) {
		case "pcmu":
			return c.PayloadType, false
		case "pcma":
			return c.PayloadType, true
		}
	}
	return 0, false
}

// readCaller reads the caller's RTP: telephone events become keys, audio
// goes to the bridge while there is one.
func (c *call) readCaller(ctx context.Context, r *media.RTPPacketReader) {
	var dec EventDecoder
	buf := make([]byte, media.RTPBufSize)
	for ctx.Err() == nil {
		n, err := r.Read(buf)
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return
			}
			continue
		}
		h := r.PacketHeader
		if c.eventPT >= 0 && int(h.PayloadType) == c.eventPT {
			if k := dec.Decode(h.Timestamp, buf[:n]); k != 0 {
				c.key(k)
			}
			continue
		}
		if h.PayloadType != c.audioPT || n == 0 {
			continue
		}
		if leg := c.leg.Load(); leg != nil {
			leg.send(buf[:n], c.alaw)
		}
	}
}

// player writes the caller's leg: prompts, else the conference's audio
// while bridged, else silence, one 20 ms frame at a time.
type player struct {
	w     *media.RTPPacketWriter
	alaw  bool
	relay chan []byte
	done  chan uint64

	mu    sync.Mutex
	queue []byte
	gen   uint64
}

func newPlayer(w *media.RTPPacketWriter, alaw bool) *player {
	return &player{w: w, alaw: alaw, relay: make(chan []byte, 8), done: make(chan uint64, 4)}
}

// start replaces what plays with b and returns its generation, which done
// tells when b has played.
func (p *player) start(b []byte) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gen++
	p.queue = b
	return p.gen
}

// stop stops the prompt that plays (its end is not told).
func (p *player) stop() {
	p.mu.Lock()
	p.gen++
	p.queue = nil
	p.mu.Unlock()
}

// send queues a frame of the conference's audio, dropping the oldest when
// the caller's leg lags.
func (p *player) send(frame []byte) {
	for {
		select {
		case p.relay <- frame:
			return
		default:
		}
		select {
		case <-p.relay:
		default:
		}
	}
}

func (p *player) run(ctx context.Context) {
	silence := make([]byte, frameSize)
	fill := byte(silenceUlaw)
	if p.alaw {
		fill = silenceAlaw
	}
	for i := range silence {
		silence[i] = fill
	}
	for ctx.Err() == nil {
		frame := silence
		p.mu.Lock()
		if len(p.queue) > 0 {
			frame = p.queue[:frameSize]
			p.queue = p.queue[frameSize:]
			if len(p.queue) == 0 {
				select {
				case p.done <- p.gen:
				default:
				}
			}
		} else {
			select {
			case f := <-p.relay:
				frame = f
			default:
			}
		}
		p.mu.Unlock()
		if _, err := p.w.Write(frame); err != nil {
			return
		}
	}
}

// transcode converts a G.711 frame between the laws.
func transcode(b []byte, fromAlaw, toAlaw bool) []byte {
	switch {
	case fromAlaw == toAlaw:
		return append([]byte(nil), b...)
	case fromAlaw:
		return g711.Alaw2Ulaw(b)
	default:
		return g711.Ulaw2Alaw(b)
	}
}
