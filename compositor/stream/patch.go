package stream

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"dream/proto"
)

// PatchChannel is the label of the channel that carries the tile's picture as
// exact pixels, update by update (ordered, reliable). The viewer opens it; a
// viewer without it (a plain WHEP player) gets everything in the video.
const PatchChannel = "patch"

// How far behind a viewer's patch channel may fall. Past behindBytes of
// unsent messages it skips updates, and once it is down to catchUpBytes it
// gets the whole picture instead of what it missed: fresh pixels beat a queue.
// behindBytes is well above a whole 1080p picture (1–3 MB), so that a viewer
// that has just been sent one takes the next updates.
const (
	behindBytes  = 8 << 20
	catchUpBytes = 256 << 10
)

// refreshInterval is the least time between two whole pictures a viewer's
// Refresh messages ask for.
const refreshInterval = time.Second

// patchViewer is one viewer's open patch channel.
type patchViewer struct {
	dc *webrtc.DataChannel
	// whole is set while the viewer waits for the whole picture (it joined,
	// asked, or fell behind): it gets no update until then.
	whole       atomic.Bool
	lastRefresh time.Time // of its Refresh messages; their goroutine's
}

// SendUpdate sends one update's patch messages, in order, to every viewer on
// the patch channel, and the whole picture (the messages whole returns,
// computed once if anyone needs it) to each viewer that waits for it instead.
// msgs may be empty: an update only for those viewers. The messages are copied
// on the way out; the caller may reuse them once SendUpdate returns.
func (t *Tile) SendUpdate(msgs [][]byte, whole func() [][]byte) {
	for _, m := range msgs {
		t.patchBytes.Add(uint64(len(m)))
	}
	t.patches.Add(uint64(len(msgs)))
	if n := len(msgs); n > 0 && proto.IsLast(msgs[n-1]) {
		t.updates.Add(1) // otherwise a video frame ends the update
	}
	t.sendPatches(msgs, whole)
}

func (t *Tile) sendPatches(msgs [][]byte, whole func() [][]byte) {
	t.patchMu.Lock()
	viewers := append([]*patchViewer(nil), t.patch...)
	t.patchMu.Unlock()
	var all [][]byte
	for _, v := range viewers {
		out := msgs
		if v.whole.Load() {
			if whole == nil || v.dc.BufferedAmount() > catchUpBytes {
				continue // not yet: OnBufferedAmountLow wakes the feed
			}
			if all == nil {
				all = whole()
			}
			out = all
			v.whole.Store(false)
			t.wholes.Add(1)
		} else if len(msgs) > 0 && v.dc.BufferedAmount() > behindBytes {
			v.whole.Store(true)
			t.behind.Add(1)
			continue
		}
		for _, m := range out {
			if err := v.dc.Send(m); err != nil {
				break // closing: its session goes
			}
		}
	}
}

func (t *Tile) addPatchViewer(v *patchViewer) {
	t.patchMu.Lock()
	t.patch = append(t.patch, v)
	t.patchMu.Unlock()
	t.feed.Wake()
}

func (t *Tile) removePatchViewer(v *patchViewer) {
	t.patchMu.Lock()
	defer t.patchMu.Unlock()
	for i, p := range t.patch {
		if p == v {
			t.patch = append(t.patch[:i], t.patch[i+1:]...)
			return
		}
	}
}

// openPatch wires a viewer's patch channel: once open, it waits for the
// whole picture, and then takes every update.
func (ss *session) openPatch(dc *webrtc.DataChannel) {
	if ss.server.videoOnly {
		ss.log.Debug("patch channel refused: video only")
		dc.Close()
		return
	}
	t := ss.tile
	v := &patchViewer{dc: dc}
	v.whole.Store(true)
	ss.mu.Lock()
	ss.patch = v
	ss.mu.Unlock()
	dc.SetBufferedAmountLowThreshold(catchUpBytes)
	dc.OnBufferedAmountLow(func() {
		if v.whole.Load() {
			t.feed.Wake()
		}
	})
	var added atomic.Bool
	add := func() {
		if !added.Swap(true) {
			t.addPatchViewer(v)
		}
	}
	dc.OnOpen(add)
	if dc.ReadyState() == webrtc.DataChannelStateOpen {
		add()
	}
	dc.OnClose(func() { t.removePatchViewer(v) })
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		if err := ss.patchMessage(v, msg.Data); err != nil {
			t.patchDropped.Add(1)
			ss.log.Debug("patch channel message dropped", "err", err)
		}
	})
}

var errRefreshSoon = errors.New("refresh asked again within a second")

// patchMessage handles what a viewer sends on its patch channel: Refresh.
func (ss *session) patchMessage(v *patchViewer, data []byte) error {
	m, err := proto.Unmarshal(data)
	if err != nil {
		return err
	}
	if _, ok := m.(proto.Refresh); !ok {
		return errors.New("not a Refresh")
	}
	now := time.Now()
	if now.Sub(v.lastRefresh) < refreshInterval {
		return errRefreshSoon
	}
	v.lastRefresh = now
	v.whole.Store(true)
	ss.tile.feed.Wake()
	return nil
}
