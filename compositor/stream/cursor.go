package stream

import (
	"image"

	"github.com/pion/webrtc/v4"

	"dream/proto"
)

// ControlChannel is the label of the channel the desktop sends the cursor's
// image on (ordered, reliable). The viewer opens it.
const ControlChannel = "control"

// SetCursor sends the desktop cursor's image to every viewer (and to each new
// one when its control channel opens). It is marshalled once for all.
func (s *Server) SetCursor(c proto.Cursor) {
	b := c.AppendMarshal(nil)
	if len(b) > proto.MaxSize { // a large, noisy cursor: viewers keep the last one
		s.log.Debug("cursor image too large to send", "bytes", len(b))
		return
	}
	s.mu.Lock()
	s.cursorShape = b
	sessions := s.sessionList()
	s.mu.Unlock()
	for _, ss := range sessions {
		ss.send(ss.controlDC(), b)
	}
}

// SetCursorPos sends the pointer's desktop position to every viewer, relative to
// its own tile.
func (s *Server) SetCursorPos(p image.Point) {
	s.mu.Lock()
	s.cursorPos, s.cursorKnown = p, true
	sessions := s.sessionList()
	s.mu.Unlock()
	for _, ss := range sessions {
		ss.sendCursorPos(p)
	}
}

// sessionList copies the sessions; s.mu is held.
func (s *Server) sessionList() []*session {
	list := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		list = append(list, ss)
	}
	return list
}

func (ss *session) controlDC() *webrtc.DataChannel {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.control
}

// sendCursorPos sends p (desktop coordinates) as a position in the tile.
func (ss *session) sendCursorPos(p image.Point) {
	ss.mu.Lock()
	dc := ss.motionDC
	ss.cursorSeq++
	m := proto.CursorPos{Seq: ss.cursorSeq, Visible: true,
		X: clamp16(p.X - ss.tile.Rect.Min.X), Y: clamp16(p.Y - ss.tile.Rect.Min.Y)}
	ss.mu.Unlock()
	ss.send(dc, m.AppendMarshal(nil))
}

// send writes b on dc if it is open. A viewer that cannot take it misses it;
// the others are not held up.
func (ss *session) send(dc *webrtc.DataChannel, b []byte) {
	if dc == nil || dc.ReadyState() != webrtc.DataChannelStateOpen {
		return
	}
	if err := dc.Send(b); err != nil {
		ss.log.Debug("send to viewer", "channel", dc.Label(), "err", err)
	}
}

// whenOpen brings the viewer's cursor up to date once dc is open.
func (ss *session) whenOpen(dc *webrtc.DataChannel) {
	dc.OnOpen(func() { ss.cursorOnOpen(dc) })
	if dc.ReadyState() == webrtc.DataChannelStateOpen { // opened before the handler was set
		ss.cursorOnOpen(dc)
	}
}

// cursorOnOpen brings a viewer up to date when its channel opens.
func (ss *session) cursorOnOpen(dc *webrtc.DataChannel) {
	s := ss.server
	s.mu.Lock()
	shape, pos, known := s.cursorShape, s.cursorPos, s.cursorKnown
	s.mu.Unlock()
	switch dc.Label() {
	case ControlChannel:
		ss.send(dc, ss.tile.Clock().AppendMarshal(nil))
		if shape != nil {
			ss.send(dc, shape)
		}
	case MotionChannel:
		if known {
			ss.sendCursorPos(pos)
		}
	}
}

func clamp16(v int) int16 { return int16(max(-32768, min(32767, v))) }
