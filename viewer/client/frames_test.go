package client

import (
	"bytes"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// packets splits one access unit the way the server's track does.
func packets(t *testing.T, codec string, au []byte, seq uint16) []*rtp.Packet {
	t.Helper()
	var p rtp.Payloader = &codecs.VP8Payloader{}
	if codec == "h264" {
		p = &codecs.H264Payloader{}
	}
	pk := rtp.NewPacketizer(300, 96, 1, p, rtp.NewFixedSequencer(seq), 90000)
	pkts := pk.Packetize(au, 3000)
	if len(pkts) < 2 {
		t.Fatalf("want a frame of several packets, got %d", len(pkts))
	}
	return pkts
}

var (
	vp8Key   = append([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, bytes.Repeat([]byte{0xab}, 900)...)
	vp8Delta = append([]byte{0x11, 0x02, 0x00}, bytes.Repeat([]byte{0xcd}, 700)...)
	// SPS, PPS, IDR slice (large enough for FU-A), as Annex B.
	h264Key = join([]byte{0, 0, 0, 1, 0x67, 0x42, 0xe0, 0x1f}, []byte{0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80},
		append([]byte{0, 0, 0, 1, 0x65}, bytes.Repeat([]byte{0x88}, 800)...))
	h264Delta = append([]byte{0, 0, 0, 1, 0x41}, bytes.Repeat([]byte{0x9a}, 700)...)
)

func join(b ...[]byte) []byte { return bytes.Join(b, nil) }

func TestAssembler(t *testing.T) {
	for _, tt := range []struct {
		codec      string
		key, delta []byte
	}{{"vp8", vp8Key, vp8Delta}, {"h264", h264Key, h264Delta}} {
		t.Run(tt.codec, func(t *testing.T) {
			// A viewer's first packets are a keyframe's: it is handed over at once.
			fresh := assembler{codec: tt.codec, needKey: true}
			var n int
			for _, p := range packets(t, tt.codec, tt.key, 7) {
				if _, ok := fresh.push(p); ok {
					n++
				}
			}
			if n != 1 || fresh.wantKey {
				t.Errorf("first keyframe on a new connection: handed over %d times, wantKey %v; want once, no request", n, fresh.wantKey)
			}

			a := assembler{codec: tt.codec, needKey: true}
			feed := func(pkts []*rtp.Packet) (frames []Frame) {
				for _, p := range pkts {
					if f, ok := a.push(p); ok {
						frames = append(frames, Frame{Key: f.Key, Data: bytes.Clone(f.Data)})
					}
				}
				return frames
			}
			// A delta frame before any keyframe is skipped, and a keyframe asked for.
			if got := feed(packets(t, tt.codec, tt.delta, 100)); len(got) != 0 || !a.wantKey {
				t.Fatalf("delta before key: got %d frames, wantKey %v; want none and a request", len(got), a.wantKey)
			}
			a.wantKey = false
			got := feed(packets(t, tt.codec, tt.key, a.seq+1))
			if len(got) != 1 || !got[0].Key || !sameAU(tt.codec, got[0].Data, tt.key) {
				t.Fatalf("keyframe: got %d frames %v; want the keyframe back", len(got), got)
			}
			if got := feed(packets(t, tt.codec, tt.delta, a.seq+1)); len(got) != 1 || got[0].Key || !sameAU(tt.codec, got[0].Data, tt.delta) {
				t.Fatalf("delta: got %v; want the delta frame back", got)
			}
			// A lost packet drops the frame, asks for a keyframe and skips deltas until it.
			lossy := packets(t, tt.codec, tt.delta, a.seq+1)
			last := lossy[len(lossy)-1].SequenceNumber
			if got := feed(append(lossy[:1:1], lossy[2:]...)); len(got) != 0 || !a.wantKey {
				t.Fatalf("frame with a lost packet: got %d frames, wantKey %v; want none and a request", len(got), a.wantKey)
			}
			a.wantKey = false
			if got := feed(packets(t, tt.codec, tt.delta, last+1)); len(got) != 0 {
				t.Fatalf("delta after loss: got %d frames; want it skipped", len(got))
			}
			if got := feed(packets(t, tt.codec, tt.key, a.seq+1)); len(got) != 1 || !got[0].Key {
				t.Fatalf("keyframe after loss: got %v; want it", got)
			}
		})
	}
}

// sameAU compares access units; H.264 payloaders may rewrite start codes to the
// 4-byte form, so compare NAL payloads.
func sameAU(codec string, got, want []byte) bool {
	if codec == "vp8" {
		return bytes.Equal(got, want)
	}
	split := func(b []byte) [][]byte {
		var out [][]byte
		for _, n := range bytes.Split(b, []byte{0, 0, 1}) {
			if n = bytes.TrimRight(n, "\x00"); len(n) > 0 {
				out = append(out, n)
			}
		}
		return out
	}
	g, w := split(got), split(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if !bytes.Equal(g[i], w[i]) {
			return false
		}
	}
	return true
}

// TestAssemblerLostEnd covers a frame whose last packets never come: either the
// next frame starts (another timestamp) or nothing follows (the screen went
// still) and the timeout expires it. Both ask for a keyframe.
func TestAssemblerLostEnd(t *testing.T) {
	for _, codec := range []string{"vp8", "h264"} {
		t.Run(codec, func(t *testing.T) {
			key, delta := vp8Key, vp8Delta
			if codec == "h264" {
				key, delta = h264Key, h264Delta
			}
			a := assembler{codec: codec, needKey: true}
			for _, p := range packets(t, codec, key, 10) {
				a.push(p)
			}
			if a.needKey {
				t.Fatal("keyframe not taken")
			}
			// The next frame loses its last packet, then nothing comes.
			cut := packets(t, codec, delta, a.seq+1)
			for _, p := range cut[:len(cut)-1] {
				if _, ok := a.push(p); ok {
					t.Fatal("an incomplete frame was handed over")
				}
			}
			if !a.inFrame {
				t.Fatal("assembler does not know a frame is incomplete")
			}
			a.expire()
			if !a.wantKey || !a.needKey || a.inFrame {
				t.Errorf("after expire: wantKey %v needKey %v inFrame %v; want a keyframe request", a.wantKey, a.needKey, a.inFrame)
			}

			// A frame cut short by the next frame's packets (another timestamp).
			a = assembler{codec: codec, needKey: true}
			for _, p := range packets(t, codec, key, 10) {
				a.push(p)
			}
			cut = packets(t, codec, delta, a.seq+1)
			next := packets(t, codec, delta, a.seq+uint16(len(cut))+1)
			next[0].Timestamp = cut[0].Timestamp + 3000
			for _, p := range cut[:len(cut)-1] {
				a.push(p)
			}
			for _, p := range next {
				if _, ok := a.push(p); ok {
					t.Errorf("a delta frame after a lost frame was handed over; want it skipped until a keyframe")
				}
			}
			if !a.needKey {
				t.Errorf("needKey not set after a frame lost its end")
			}
		})
	}
}

// TestAssemblerVP8GapBetweenFrames: packets lost at the end of one VP8 frame do
// not spoil the next one, whose first packet says it is a frame start.
func TestAssemblerVP8GapBetweenFrames(t *testing.T) {
	a := assembler{codec: "vp8", needKey: true}
	for _, p := range packets(t, "vp8", vp8Key, 10) {
		a.push(p)
	}
	cut := packets(t, "vp8", vp8Delta, a.seq+1)
	for _, p := range cut[:len(cut)-1] {
		a.push(p)
	}
	key := packets(t, "vp8", vp8Key, a.seq+2) // one packet lost in between
	var got int
	for _, p := range key {
		if f, ok := a.push(p); ok && f.Key {
			got++
		}
	}
	if got != 1 {
		t.Errorf("keyframe after a lost packet between frames: handed over %d times; want once", got)
	}
}

func TestIsKey(t *testing.T) {
	for _, tt := range []struct {
		codec string
		au    []byte
		want  bool
	}{
		{"vp8", vp8Key, true}, {"vp8", vp8Delta, false}, {"vp8", nil, false},
		{"h264", h264Key, true}, {"h264", h264Delta, false}, {"h264", []byte{0, 0, 1}, false},
		{"h264", []byte{0, 0, 1, 0x65}, true},
	} {
		if got := isKey(tt.codec, tt.au); got != tt.want {
			t.Errorf("isKey(%s, % x…) = %v; want %v", tt.codec, tt.au[:min(len(tt.au), 6)], got, tt.want)
		}
	}
}

// FuzzAssemblerLoss packetizes a keyframe and then loses, repeats or swaps
// packets as the fuzzer's mask says: whatever the assembler hands over must be
// exactly the keyframe, never a damaged frame.
func FuzzAssemblerLoss(f *testing.F) {
	f.Add([]byte{0}, false)
	f.Add([]byte{1, 0, 0}, true)
	f.Add([]byte{2, 4, 0, 1}, false)
	f.Add([]byte{4}, true)
	f.Fuzz(func(t *testing.T, mask []byte, h264 bool) {
		codec, au := "vp8", vp8Key
		if h264 {
			codec, au = "h264", h264Key
		}
		if len(mask) == 0 {
			return
		}
		pkts := packets(t, codec, au, 100)
		var sent []*rtp.Packet
		for i := 0; i < len(pkts); i++ {
			switch m := mask[i%len(mask)]; {
			case m&1 != 0: // lost
			case m&2 != 0: // repeated
				sent = append(sent, pkts[i], pkts[i])
			case m&4 != 0 && i+1 < len(pkts): // swapped with the next
				sent = append(sent, pkts[i+1], pkts[i])
				i++
			default:
				sent = append(sent, pkts[i])
			}
		}
		a := assembler{codec: codec, needKey: true}
		for _, p := range sent {
			if f, ok := a.push(p); ok && !sameAU(codec, f.Data, au) {
				t.Fatalf("handed over a frame of %d bytes that is not the %d-byte keyframe", len(f.Data), len(au))
			}
		}
	})
}

// FuzzAssembler feeds arbitrary packets: the assembler must not panic, and
// what it hands over stays within its bound.
func FuzzAssembler(f *testing.F) {
	for _, au := range [][]byte{vp8Key, h264Key} {
		pk := rtp.NewPacketizer(300, 96, 1, &codecs.H264Payloader{}, rtp.NewFixedSequencer(1), 90000)
		for _, p := range pk.Packetize(au, 3000) {
			b, _ := p.Marshal()
			f.Add(b, true)
			f.Add(b, false)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte, h264 bool) {
		codec := "vp8"
		if h264 {
			codec = "h264"
		}
		a := assembler{codec: codec, needKey: true}
		var p rtp.Packet
		for i := 0; i < 3; i++ { // the same bytes thrice: a frame of repeated packets
			if p.Unmarshal(raw) != nil {
				return
			}
			p.SequenceNumber += uint16(i)
			if f, ok := a.push(&p); ok && len(f.Data) > maxFrameBytes {
				t.Fatalf("frame of %d bytes passed the %d bound", len(f.Data), maxFrameBytes)
			}
		}
	})
}
