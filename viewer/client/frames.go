package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"dream/internal/rtc"
)

// ErrLost is returned by Frames when the connection to the server ends.
var ErrLost = errors.New("connection to the server lost")

const (
	// maxFrameBytes bounds one access unit; a larger one is dropped as corrupt.
	maxFrameBytes = 8 << 20
	// pliInterval is the least time between two keyframe requests.
	pliInterval = 250 * time.Millisecond
	// frameTimeout is how long a frame may stay incomplete before its missing
	// packets count as lost (the last packet of the last change before the
	// screen goes still has no later packet to reveal the gap).
	frameTimeout = 100 * time.Millisecond
	// A missing packet is waited for 2 round trips and 10 ms, within these
	// bounds (frameTimeout must stay above maxHold), and the round trip is
	// taken to be defaultRTT until ICE has measured it.
	minHold    = 40 * time.Millisecond
	maxHold    = 80 * time.Millisecond
	defaultRTT = 5 * time.Millisecond
	// queueFrames bounds the frames waiting for the decoder. When it falls that
	// far behind, the waiting frames are dropped and a keyframe asked for: fresh
	// pictures beat a growing delay.
	queueFrames = 4
)

// Frame is one encoded access unit. Data is valid until the handler returns.
type Frame struct {
	Codec     string // "h264" or "vp8"
	Data      []byte
	Key       bool
	Timestamp uint32    // RTP timestamp: 90 kHz, when the server captured it
	Received  time.Time // when its last packet arrived
	// Captured is when the desktop captured it, by the desktop's clock (zero
	// until the desktop's Clock message has come).
	Captured time.Time
}

// Frames reads the tile's video and calls handle with each complete frame until
// ctx ends (nil) or the connection is lost (ErrLost). Packets are read on a
// goroutine of their own, so a slow handler never holds them up: frames wait in
// a short queue, and when it is full they are dropped for a keyframe. A handler
// error (a frame that did not decode) asks for a keyframe and skips frames until
// it comes.
func (s *Session) Frames(ctx context.Context, handle func(Frame) error) error {
	// The first packets can reach this side before it is ready for them
	// (its DTLS ends a moment after the server's): then the first keyframe
	// is lost and, with nothing received, nothing would ask for another.
	// Until a frame comes, ask every nudgeInterval.
	first := make(chan struct{})
	var firstOnce sync.Once
	gotFirst := func() { firstOnce.Do(func() { close(first) }) }
	nudgeCtx, stopNudge := context.WithCancel(ctx)
	var nudging sync.WaitGroup
	nudging.Go(func() { s.nudge(nudgeCtx, first) })
	nudging.Go(func() { s.watch(nudgeCtx) })
	defer func() { stopNudge(); nudging.Wait() }()

	var track *webrtc.TrackRemote
	timer := time.NewTimer(s.cfg.ConnectTimeout)
	select {
	case track = <-s.track:
		timer.Stop()
	case <-timer.C:
		return fmt.Errorf("%s tile %d: no video within %v (blocked UDP? the server must be reachable over UDP): %w",
			s.cfg.URL, s.cfg.Tile, s.cfg.ConnectTimeout, ErrLost)
	case <-s.failed:
		return fmt.Errorf("%s tile %d: connection failed before any video: %w", s.cfg.URL, s.cfg.Tile, ErrLost)
	case <-ctx.Done():
		return nil
	}
	codec, err := rtc.CodecName(track.Codec().MimeType)
	if err != nil {
		return err
	}

	r := &reader{s: s, track: track, ssrc: uint32(track.SSRC()), a: assembler{codec: codec, needKey: true}, ro: reorder{counts: &s.loss},
		frames: make(chan *Frame, queueFrames), free: make(chan *Frame, queueFrames+1), first: gotFirst}
	for range queueFrames + 1 {
		r.free <- &Frame{}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	readErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		readErr <- r.run(ctx)
		close(r.frames)
	}()
	go func() { // a failed connection or the end of ctx ends track.Read
		defer wg.Done()
		select {
		case <-s.failed:
		case <-ctx.Done():
		}
		s.pc.Close()
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()

	failing := false
	for f := range r.frames {
		err := handle(*f)
		r.free <- f
		switch {
		case err != nil && !failing:
			failing = true
			s.log.Warn("cannot show frames; asking the server for a keyframe", "err", err)
			r.decodeFailed.Store(true)
			r.askKey()
		case err != nil:
			r.decodeFailed.Store(true)
			r.askKey()
		case failing:
			failing = false
			s.log.Info("frames show again")
		}
	}
	if err := <-readErr; err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// reader reads RTP packets, assembles frames and queues them for the decoder.
type reader struct {
	s     *Session
	track *webrtc.TrackRemote
	ssrc  uint32
	a     assembler

	frames chan *Frame // complete frames, oldest first
	free   chan *Frame // spare frame buffers

	first        func()      // called with each frame queued
	decodeFailed atomic.Bool // set by the decoding side: skip to a keyframe

	ro      reorder  // packets after a gap, while the missing one is asked for again
	missing []uint16 // reused by nack
	pliMu   sync.Mutex
	lastPLI time.Time
}

func (r *reader) run(ctx context.Context) error {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	var frameDue, deadline time.Time // an incomplete frame's give-up time; the read deadline set
	inFrame := false
	for {
		n, _, err := r.track.Read(buf)
		now := time.Now()
		switch {
		case timedOut(err):
		case err != nil:
			if ctx.Err() != nil {
				return nil
			}
			r.s.log.Info("reading the video ended", "err", err)
			return fmt.Errorf("%s tile %d: %w", r.s.cfg.URL, r.s.cfg.Tile, ErrLost)
		case pkt.Unmarshal(buf[:n]) != nil:
		case r.ro.inOrder(pkt.SequenceNumber):
			r.push(&pkt, now)
		default:
			r.ro.add(pkt.SequenceNumber, buf[:n], now)
		}
		hold, retry := r.waits()
		for {
			_, data, ok := r.ro.pop(now, hold)
			if !ok {
				break
			}
			if pkt.Unmarshal(data) == nil {
				r.push(&pkt, now)
			}
		}
		if r.ro.ask(now, retry) {
			r.nack()
		}
		if r.a.inFrame != inFrame {
			inFrame = r.a.inFrame
			frameDue = time.Time{}
			if inFrame {
				frameDue = now.Add(frameTimeout)
			}
		}
		if inFrame && !now.Before(frameDue) {
			r.a.expire() // its last packets never came
			inFrame, frameDue = false, time.Time{}
		}
		r.checkKey()
		next := frameDue
		if since, ok := r.ro.waiting(); ok {
			next = earliest(next, since.Add(hold))
			next = earliest(next, r.ro.nextAsk(retry))
		}
		if !next.Equal(deadline) {
			deadline = next
			r.track.SetReadDeadline(deadline)
		}
	}
}

// push hands one packet, in order, to the assembler, and a frame it
// completes to the decoder.
func (r *reader) push(pkt *rtp.Packet, now time.Time) {
	if r.decodeFailed.Swap(false) {
		r.a.needKey = true
	}
	f, ok := r.a.push(pkt)
	if !ok {
		return
	}
	f.Received = now
	if c := r.s.clock.Load(); c != nil {
		ticks := int64(f.Timestamp - c.RTPBase) // modulo 2^32: 13 hours at 90 kHz
		f.Captured = time.Unix(0, c.UnixNano+ticks*int64(time.Millisecond)/90)
	}
	r.queue(f)
}

// waits are how long a missing packet is waited for, and how often it is
// asked for again meanwhile, from the round trip: a retransmission takes
// one, so the wait is two and a few milliseconds (at most maxHold), and a
// clean link waits for nothing.
func (r *reader) waits() (hold, retry time.Duration) {
	rtt := time.Duration(r.s.rtt.Load())
	if rtt <= 0 {
		rtt = defaultRTT
	}
	return min(max(2*rtt+10*time.Millisecond, minHold), maxHold), max(rtt+3*time.Millisecond, 4*time.Millisecond)
}

// nack asks the server to send the missing packets again.
func (r *reader) nack() {
	r.missing = r.ro.missing(r.missing)
	if len(r.missing) == 0 {
		return
	}
	r.s.loss.nacked.Add(uint64(len(r.missing)))
	r.s.pc.WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: r.ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(r.missing)}})
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// queue hands f to the decoder, copying it into a spare buffer. With none spare
// the decoder is behind: the queued frames are dropped, and so is f unless it is
// a keyframe, which a decoder can start from.
func (r *reader) queue(f Frame) {
	var buf *Frame
	select {
	case buf = <-r.free:
	default:
		for len(r.frames) > 0 {
			select {
			case old := <-r.frames:
				r.free <- old
			default:
			}
		}
		if !f.Key {
			r.a.needKey, r.a.wantKey = true, true
			return
		}
		buf = <-r.free
	}
	data := append(buf.Data[:0], f.Data...)
	*buf = f
	buf.Data = data
	r.frames <- buf
	r.first()
}

func (r *reader) checkKey() {
	if r.a.wantKey {
		r.a.wantKey = false
		r.askKey()
	}
}

// askKey sends a PLI, at most one per pliInterval. Safe from any goroutine.
func (r *reader) askKey() {
	r.pliMu.Lock()
	now := time.Now()
	send := now.Sub(r.lastPLI) >= pliInterval
	if send {
		r.lastPLI = now
	}
	r.pliMu.Unlock()
	if send {
		r.s.loss.keyframes.Add(1)
		r.s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: r.ssrc}})
	}
}

// watch keeps s.rtt up to date from ICE's round trip (its keepalives'), and
// asks the server whether the session lives when nothing has come from it
// for quietProbe, every watchInterval until ctx ends.
func (s *Session) watch(ctx context.Context) {
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	timeouts := 0 // probes in a row that got no answer in time
	// The server's answers to this side's ICE checks: the stats have their
	// count, not their time (pion leaves LastResponseTimestamp unset).
	var answers uint64
	var answered time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p, ok := s.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePairStats()
		if !ok {
			continue
		}
		if p.CurrentRoundTripTime > 0 {
			s.rtt.Store(int64(p.CurrentRoundTripTime * float64(time.Second)))
		}
		if p.ResponsesReceived != answers {
			answers, answered = p.ResponsesReceived, time.Now()
		}
		// The newer of media (RTP, RTCP, the channels) and the server's
		// answer to a check.
		heard := answered
		if p.LastPacketReceivedTimestamp > 0 && p.LastPacketReceivedTimestamp.Time().After(heard) {
			heard = p.LastPacketReceivedTimestamp.Time()
		}
		if heard.IsZero() || time.Since(heard) < quietProbe {
			timeouts = 0
			continue
		}
		err, sure := s.alive(ctx)
		switch {
		case err == nil || ctx.Err() != nil:
			timeouts = 0
		case !sure && timeouts == 0:
			timeouts++
			s.log.Info("the server did not answer in time; asking again", "err", err)
		default:
			s.log.Info("connection lost", "err", err)
			s.fail()
			return
		}
	}
}

// watchInterval is how often the connection is looked at: ICE measures the
// round trip at each check, every rtc.ViewerKeepalive.
const watchInterval = time.Second

// nudgeInterval is how often a viewer with no frame yet asks for a keyframe.
const nudgeInterval = 300 * time.Millisecond

// nudge asks the server for a keyframe every nudgeInterval until first is
// closed or ctx ends; the video's SSRC comes from the server's answer.
func (s *Session) nudge(ctx context.Context, first <-chan struct{}) {
	ssrc, ok := answerSSRC(s.pc)
	if !ok {
		return
	}
	tick := time.NewTicker(nudgeInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-first:
			return
		case <-tick.C:
			s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
		}
	}
}

// answerSSRC is the SSRC the server's answer gives its video.
func answerSSRC(pc *webrtc.PeerConnection) (uint32, bool) {
	d := pc.RemoteDescription()
	if d == nil {
		return 0, false
	}
	for _, line := range strings.Split(d.SDP, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "a=ssrc:"); ok {
			if n, err := strconv.ParseUint(strings.Fields(rest)[0], 10, 32); err == nil {
				return uint32(n), true
			}
		}
	}
	return 0, false
}

// timedOut reports whether err is the read deadline passing. pion says so in
// two ways: os.ErrDeadlineExceeded from the track, and packetio's own net.Error
// from the SRTP stream's buffer beneath it.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
