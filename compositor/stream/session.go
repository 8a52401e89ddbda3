package stream

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// session is one viewer's peer connection to one tile.
type session struct {
	id     string
	tile   *Tile
	server *Server
	log    *slog.Logger

	input *inputQueue // nil for a view-only session

	mu        sync.Mutex
	pc        *webrtc.PeerConnection
	counted   bool // counted in tile.viewers
	closed    bool
	patch     *patchViewer        // its patch channel, once the viewer opened one
	control   *webrtc.DataChannel // desktop → viewer: cursor image
	motionDC  *webrtc.DataChannel // both ways: pointer motion, cursor position
	cursorSeq uint32

	motionMu      sync.Mutex
	motionSeq     uint32 // newest Motion applied
	motionSeen    bool
	versionWarned atomic.Bool
}

// negotiate answers offer. On error it returns the HTTP status that fits.
func (ss *session) negotiate(ctx context.Context, api *webrtc.API, offer string) (string, int, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", http.StatusInternalServerError, fmt.Errorf("new peer connection: %w", err)
	}
	ss.mu.Lock()
	closed := ss.closed
	ss.pc = pc
	ss.mu.Unlock()
	if closed { // hung up (or the server closed) while this offer was on its way
		pc.Close()
		return "", http.StatusServiceUnavailable, fmt.Errorf("tile %d: session closed while negotiating", ss.tile.Number)
	}
	pc.OnConnectionStateChange(ss.stateChanged)
	pc.OnDataChannel(ss.onDataChannel)

	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", http.StatusBadRequest, fmt.Errorf("bad offer: %w", err)
	}
	sender, err := pc.AddTrack(ss.tile.track)
	if err != nil {
		return "", http.StatusBadRequest, fmt.Errorf("the offer cannot receive tile %d's %s video: %w", ss.tile.Number, ss.tile.Codec, err)
	}
	go ss.readRTCP(sender)
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", http.StatusBadRequest, fmt.Errorf("cannot answer the offer (does it accept %s video?): %w", ss.tile.Codec, err)
	}
	if err := pc.SetLocalDescription(answer); err != nil {
		return "", http.StatusInternalServerError, fmt.Errorf("set answer: %w", err)
	}
	if err := gather(ctx, pc); err != nil {
		return "", http.StatusInternalServerError, err
	}
	ss.log.Debug("viewer negotiated")
	return pc.LocalDescription().SDP, 0, nil
}

func (ss *session) stateChanged(state webrtc.PeerConnectionState) {
	ss.log.Debug("connection state", "state", state)
	switch state {
	case webrtc.PeerConnectionStateConnected:
		ss.mu.Lock()
		first := !ss.counted && !ss.closed
		ss.counted = ss.counted || first
		ss.mu.Unlock()
		if first {
			ss.tile.viewers.Add(1)
			ss.tile.feed.Keyframe()
			ss.log.Info("viewer connected", "viewers", ss.tile.viewers.Load())
		}
	case webrtc.PeerConnectionStateDisconnected:
		// The viewer went quiet: it may come back, but its keys must not stay
		// down meanwhile.
		if ss.input != nil {
			ss.input.ReleaseAll()
		}
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		go ss.close()
	}
}

// readRTCP turns a viewer's PLI and FIR into keyframe requests. It ends when the
// connection closes.
func (ss *session) readRTCP(sender *webrtc.RTPSender) {
	buf := make([]byte, 1500)
	for {
		n, _, err := sender.Read(buf)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				ss.tile.feed.Keyframe()
			}
		}
	}
}

// close hangs up; safe to call more than once and from any goroutine.
func (ss *session) close() {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return
	}
	ss.closed = true
	counted, pc, patch := ss.counted, ss.pc, ss.patch
	ss.mu.Unlock()
	ss.server.forget(ss)
	if patch != nil {
		ss.tile.removePatchViewer(patch)
	}
	if pc != nil {
		pc.Close() // no more input from it
	}
	if ss.input != nil {
		// Nothing the viewer held stays pressed, and nothing still in flight
		// presses anything.
		if err := ss.input.Close(); err != nil {
			ss.log.Warn("releasing the viewer's keys and buttons", "err", err)
		}
	}
	if counted {
		ss.tile.viewers.Add(-1)
		ss.log.Info("viewer left", "viewers", ss.tile.viewers.Load())
	}
}
