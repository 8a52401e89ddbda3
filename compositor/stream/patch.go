package stream

import (
	"errors"
	"sync"
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

// Tail-loss probes. A message whose last packets are lost is resent only
// when SCTP's retransmission timer fires, a second or more later (its
// RTO.min): meanwhile the channel, ordered, holds up everything after it.
// A packet that arrives after the lost one makes the viewer's SCTP report
// the gap, and three such reports resend it at once (fast retransmit). So
// probeDelay after the last message sent, while something of it is still
// not acknowledged, the channel sends an empty message, up to maxProbes
// times: viewers ignore them (proto.Probe). On a clean link every message
// is acknowledged within a round trip and no probe is sent.
const (
	probeDelay = 15 * time.Millisecond
	maxProbes  = 4
)

// patchViewer is one viewer's open patch channel.
type patchViewer struct {
	dc *webrtc.DataChannel

	probeMu sync.Mutex
	probe   *time.Timer // armed after each send; nil until the first
	probes  int         // sent since the last message
	stopped bool
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
		if len(out) > 0 {
			v.sent()
		}
	}
}

// sent arms the tail-loss probe after messages went out.
func (v *patchViewer) sent() {
	v.probeMu.Lock()
	defer v.probeMu.Unlock()
	if v.stopped {
		return
	}
	v.probes = 0
	if v.probe == nil {
		v.probe = time.AfterFunc(probeDelay, v.probeTail)
	} else {
		v.probe.Reset(probeDelay)
	}
}

// probeTail sends a probe if what was sent is not all acknowledged yet.
func (v *patchViewer) probeTail() {
	if v.dc.BufferedAmount() == 0 {
		return
	}
	v.probeMu.Lock()
	if v.stopped || v.probes >= maxProbes {
		v.probeMu.Unlock()
		return
	}
	v.probes++
	v.probe.Reset(probeDelay)
	v.probeMu.Unlock()
	v.dc.Send(proto.Probe)
}

// stopProbes disarms the probe for good.
func (v *patchViewer) stopProbes() {
	v.probeMu.Lock()
	defer v.probeMu.Unlock()
	v.stopped = true
	if v.probe != nil {
		v.probe.Stop()
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
	dc.OnClose(func() {
		t.removePatchViewer(v)
		v.stopProbes()
	})
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
