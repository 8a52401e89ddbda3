package stream

import (
	"errors"
	"fmt"

	"github.com/pion/webrtc/v4"

	"dream/proto"
)

// Input applies one viewer's keyboard and mouse to the desktop (an inject.Client
// in dreamcomp). Coordinates are the desktop's. A session calls it from one
// goroutine of its own (inputQueue), never from the network's: it may wait
// for the X server.
type Input interface {
	Key(keysym uint32, down bool) error
	Button(button uint8, down bool) error
	Wheel(dx, dy int) error
	Move(x, y int) error
	MoveBy(dx, dy int) error
	Text(s string) error
	ReleaseAll() error
	// Close releases everything and refuses what comes after: input still in
	// flight when the viewer hung up must not press what no one would release.
	Close() error
}

// Data channel labels, as the viewer opens them.
const (
	InputChannel  = "input"  // ordered, reliable: keys, buttons, wheel, text
	MotionChannel = "motion" // unordered, no retransmissions: pointer motion
)

// errDropped wraps the reasons an input message is dropped.
var errDropped = errors.New("input dropped")

// onDataChannel wires the viewer's channels to its input.
func (ss *session) onDataChannel(dc *webrtc.DataChannel) {
	switch dc.Label() {
	case ControlChannel:
		ss.mu.Lock()
		ss.control = dc
		ss.mu.Unlock()
		ss.whenOpen(dc)
	case InputChannel, MotionChannel:
		motion := dc.Label() == MotionChannel
		if motion {
			ss.mu.Lock()
			ss.motionDC = dc
			ss.mu.Unlock()
			ss.whenOpen(dc)
		}
		dc.OnMessage(func(msg webrtc.DataChannelMessage) { ss.receive(msg.Data, motion) })
	case PatchChannel:
		ss.openPatch(dc)
	default:
		ss.log.Debug("unknown data channel closed", "label", dc.Label())
		dc.Close()
	}
}

// jump moves the pointer (with in) to the centre of the tile dir places from
// the one that holds it now (or from the viewer's own, when the pointer is in
// none); there is no wrapping around past the first or the last tile.
func (ss *session) jump(dir int, in Input) error {
	tiles := ss.server.tiles
	from := ss.tile.Number - 1
	if ss.server.pointer != nil {
		p, err := ss.server.pointer()
		if err != nil {
			return err
		}
		for i, t := range tiles {
			if p.In(t.Rect) {
				from = i
			}
		}
	}
	to := max(0, min(from+dir, len(tiles)-1))
	r := tiles[to].Rect
	return in.Move(r.Min.X+r.Dx()/2, r.Min.Y+r.Dy()/2)
}

// receive applies one message from the viewer, or drops and counts it.
func (ss *session) receive(data []byte, motionChannel bool) {
	err := ss.handleInput(data, motionChannel)
	if err == nil {
		return
	}
	ss.tile.inputDropped.Add(1)
	if errors.Is(err, proto.ErrVersion) && !ss.versionWarned.Swap(true) {
		ss.log.Warn("the viewer speaks another protocol version: its input is ignored (update dreamview or dreamcomp)", "err", err)
		return
	}
	ss.log.Debug("input dropped", "err", err)
}

// Keysyms no viewer may press: on a real X server they switch virtual
// terminals or kill the server.
func forbidden(keysym uint32) bool {
	const (
		xf86SwitchVT1  = 0x1008fe01
		xf86SwitchVT12 = 0x1008fe0c
		terminate      = 0xfed5 // Terminate_Server
	)
	return keysym >= xf86SwitchVT1 && keysym <= xf86SwitchVT12 || keysym == terminate
}

// handleInput decodes one message and applies it. Motion is tile-relative on the
// wire; it is checked against the tile and moved to desktop coordinates here.
func (ss *session) handleInput(data []byte, motionChannel bool) error {
	m, err := proto.Unmarshal(data)
	if err != nil {
		return fmt.Errorf("%w: %w", errDropped, err)
	}
	if ss.input == nil {
		return fmt.Errorf("%w: tile %d is view-only", errDropped, ss.tile.Number)
	}
	// Motion may come on either channel: the viewer sends the pointer's place
	// on the ordered one just before a click, so the click lands there.
	if _, isMotion := m.(proto.Motion); motionChannel && !isMotion {
		return fmt.Errorf("%w: %T on the motion channel", errDropped, m)
	}
	switch m := m.(type) {
	case proto.Motion:
		r := ss.tile.Rect
		if int(m.X) >= r.Dx() || int(m.Y) >= r.Dy() {
			return fmt.Errorf("%w: motion to %d,%d outside the %dx%d tile", errDropped, m.X, m.Y, r.Dx(), r.Dy())
		}
		ss.motionMu.Lock()
		last := ss.motionSeq
		stale := ss.motionSeen && int32(m.Seq-last) <= 0 // wraps around at 2^32
		if !stale {
			ss.motionSeen, ss.motionSeq = true, m.Seq
		}
		ss.motionMu.Unlock()
		if stale {
			return fmt.Errorf("%w: motion %d after %d", errDropped, m.Seq, last)
		}
		return ss.input.Move(r.Min.X+int(m.X), r.Min.Y+int(m.Y))
	case proto.Key:
		if forbidden(m.Keysym) {
			return fmt.Errorf("%w: keysym %#x is not for viewers", errDropped, m.Keysym)
		}
		return ss.input.Key(m.Keysym, m.Down)
	case proto.Button:
		return ss.input.Button(m.Button, m.Down)
	case proto.Wheel:
		return ss.input.Wheel(int(m.DX), int(m.DY))
	case proto.MoveBy:
		return ss.input.MoveBy(int(m.DX), int(m.DY))
	case proto.Jump: // asks where the pointer is: in turn, off pion's goroutine
		dir := int(m.Dir)
		return ss.input.do(func(in Input) error { return ss.jump(dir, in) })
	case proto.Text:
		return ss.input.Text(m.Text)
	case proto.ReleaseAll:
		return ss.input.ReleaseAll()
	}
	return fmt.Errorf("%w: %T", errDropped, m)
}
