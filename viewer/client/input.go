package client

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"

	"dream/proto"
)

// ErrNotOpen is returned for input sent before the channels are open or after
// the connection ended.
var ErrNotOpen = errors.New("input channel not open")

// Channel labels, as dreamcomp expects them.
const (
	inputLabel   = "input"
	motionLabel  = "motion"
	controlLabel = "control"
	patchLabel   = "patch"
)

// motionBacklog is how much unsent motion may queue in the channel before newer
// positions replace older ones instead of queueing behind them.
const motionBacklog = 8 << 10

// inputChannels are the viewer's two data channels: input (ordered, reliable)
// for keys, buttons, wheel and text, motion (unordered, no retransmissions) for
// the pointer.
type inputChannels struct {
	input, motion, control *webrtc.DataChannel
	patch                  *webrtc.DataChannel // nil unless Config.OnPatch is set

	mu      sync.Mutex
	buf     []byte
	seq     uint32
	pending *proto.Motion // newest position not sent while the channel was backed up
}

func (c *inputChannels) open(pc *webrtc.PeerConnection, cfg Config, clock *atomic.Pointer[proto.Clock], log *slog.Logger) error {
	var err error
	if c.input, err = pc.CreateDataChannel(inputLabel, nil); err != nil {
		return fmt.Errorf("open the input channel: %w", err)
	}
	unordered, none := false, uint16(0)
	if c.motion, err = pc.CreateDataChannel(motionLabel, &webrtc.DataChannelInit{Ordered: &unordered, MaxRetransmits: &none}); err != nil {
		return fmt.Errorf("open the motion channel: %w", err)
	}
	c.motion.SetBufferedAmountLowThreshold(motionBacklog / 2)
	c.motion.OnBufferedAmountLow(c.flushMotion)
	if c.control, err = pc.CreateDataChannel(controlLabel, nil); err != nil {
		return fmt.Errorf("open the control channel: %w", err)
	}
	// The desktop's cursor: its image on control, its position on motion.
	var lastSeq uint32
	var seen bool
	receive := func(msg webrtc.DataChannelMessage) {
		m, err := proto.Unmarshal(msg.Data)
		if err != nil {
			log.Debug("message from the desktop dropped", "err", err)
			return
		}
		switch m := m.(type) {
		case proto.Clock:
			clock.Store(&m)
		case proto.Cursor:
			if cfg.OnCursor != nil {
				cfg.OnCursor(m)
			}
		case proto.CursorPos:
			if seen && int32(m.Seq-lastSeq) <= 0 {
				return // overtaken on the unordered channel
			}
			seen, lastSeq = true, m.Seq
			if cfg.OnCursorPos != nil {
				cfg.OnCursorPos(m)
			}
		}
	}
	c.control.OnMessage(receive)
	c.motion.OnMessage(receive)
	if cfg.OnPatch != nil {
		if c.patch, err = pc.CreateDataChannel(patchLabel, nil); err != nil {
			return fmt.Errorf("open the patch channel: %w", err)
		}
		c.patch.OnMessage(func(msg webrtc.DataChannelMessage) {
			if len(msg.Data) > 0 { // empty: the server's probe (proto.Probe)
				cfg.OnPatch(msg.Data)
			}
		})
	}
	return nil
}

// Refresh asks the desktop for the whole tile in exact pixels again, on the
// patch channel (the viewer could not use a patch).
func (s *Session) Refresh() error {
	c := &s.channels
	if c.patch == nil || c.patch.ReadyState() != webrtc.DataChannelStateOpen {
		return ErrNotOpen
	}
	return c.patch.Send(proto.Refresh{}.AppendMarshal(nil))
}

// Send sends a key, button, wheel, text or release-all message. Keys and buttons
// are never dropped: the channel is reliable and ordered.
func (s *Session) Send(m proto.Message) error {
	c := &s.channels
	if c.input == nil || c.input.ReadyState() != webrtc.DataChannelStateOpen {
		return ErrNotOpen
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = m.AppendMarshal(c.buf[:0])
	return c.input.Send(c.buf)
}

// Move sends the pointer's position in the tile's pixels. It never blocks: when
// the channel is backed up, the newest position waits and replaces older ones.
func (s *Session) Move(x, y int) error {
	c := &s.channels
	if c.motion == nil || c.motion.ReadyState() != webrtc.DataChannelStateOpen {
		return ErrNotOpen
	}
	m := proto.Motion{X: uint16(clamp(x, 0, 0xffff)), Y: uint16(clamp(y, 0, 0xffff))}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	m.Seq = c.seq
	if c.motion.BufferedAmount() > motionBacklog {
		c.pending = &m
		return nil
	}
	c.pending = nil
	c.buf = m.AppendMarshal(c.buf[:0])
	return c.motion.Send(c.buf)
}

// Place sends the pointer's position on the ordered channel, where it cannot
// be overtaken: a click sent after it lands there.
func (s *Session) Place(x, y int) error {
	c := &s.channels
	if c.input == nil || c.input.ReadyState() != webrtc.DataChannelStateOpen {
		return ErrNotOpen
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.pending = nil // older than this one
	c.buf = proto.Motion{Seq: c.seq, X: uint16(clamp(x, 0, 0xffff)), Y: uint16(clamp(y, 0, 0xffff))}.AppendMarshal(c.buf[:0])
	return c.input.Send(c.buf)
}

func (c *inputChannels) flushMotion() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		return
	}
	c.buf = c.pending.AppendMarshal(c.buf[:0])
	c.pending = nil
	c.motion.Send(c.buf)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
