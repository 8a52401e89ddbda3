package compositor

import (
	"image"
	"time"

	"dream/internal/patch"
	"dream/proto"
)

// block is the side of the largest square a patch covers (256×256 is
// proto.MaxPatchPixels): larger rectangles are cut into blocks, each coded
// on its own, so that a photo's part goes as JPEG and a text's beside it as a
// palette.
const block = 256

// patcher codes a tile's patches from its shadow into messages, reusing its
// buffers from update to update.
type patcher struct {
	enc  *patch.Encoder
	s    *shadow
	msgs [][]byte // this update's messages; their buffers are kept

	whole    [][]byte // the whole picture, as of version wholeAt
	wholeAt  uint64
	wholeBuf [][]byte
}

func newPatcher(s *shadow) (*patcher, error) {
	enc, err := patch.NewEncoder()
	if err != nil {
		return nil, err
	}
	return &patcher{enc: enc, s: s}, nil
}

// add codes the rectangles rs (tile coordinates) of the shadow as messages of
// update, after those already added; with lossy set, photographic blocks may
// go as JPEG, and coarse is called with each. cost, when set, is told what
// each rectangle cost: its bytes and the time to code it.
func (p *patcher) add(update uint32, rs []image.Rectangle, lossy bool, coarse func(image.Rectangle),
	cost func(r image.Rectangle, bytes int, took time.Duration)) {
	for _, r := range rs {
		start, n := time.Now(), len(p.msgs)
		p.msgs = p.code(p.msgs, update, r, lossy, coarse)
		if cost != nil {
			bytes := 0
			for _, m := range p.msgs[n:] {
				bytes += len(m)
			}
			cost(r, bytes, time.Since(start))
		}
	}
}

// code appends r's messages to msgs, reusing the buffers past len(msgs).
func (p *patcher) code(msgs [][]byte, update uint32, r image.Rectangle, lossy bool, coarse func(image.Rectangle)) [][]byte {
	pix, stride := p.s.at(r)
	if _, ok := patch.Solid(pix, stride, r.Dx(), r.Dy()); ok {
		return p.one(msgs, update, r, false, nil)
	}
	for y := r.Min.Y; y < r.Max.Y; y += block {
		for x := r.Min.X; x < r.Max.X; x += block {
			b := image.Rect(x, y, min(x+block, r.Max.X), min(y+block, r.Max.Y))
			msgs = p.one(msgs, update, b, lossy, coarse)
		}
	}
	return msgs
}

// one appends the message for b, which is at most a block.
func (p *patcher) one(msgs [][]byte, update uint32, b image.Rectangle, lossy bool, coarse func(image.Rectangle)) [][]byte {
	var buf []byte
	if len(msgs) < cap(msgs) {
		buf = msgs[:len(msgs)+1][len(msgs)][:0]
	}
	m := proto.Patch{Update: update, Rect: proto.RectOf(b)}
	buf = m.AppendHeader(buf)
	at := len(buf) - 1 // the encoding byte
	pix, stride := p.s.at(b)
	enc, buf, err := p.enc.Encode(buf, pix, stride, b.Dx(), b.Dy(), lossy)
	if err != nil {
		// Cannot happen for a block of the shadow; should it, the viewers
		// keep what they had and the next change sends it again.
		return msgs
	}
	buf[at] = enc
	if enc == proto.EncodingJPEG && coarse != nil {
		coarse(b)
	}
	return append(msgs, buf)
}

// take hands over this update's messages, the last one marked so, and starts
// the next update; last is false when a Video message ends the update.
func (p *patcher) take(last bool) [][]byte {
	msgs := p.msgs
	if n := len(msgs); n > 0 {
		proto.SetLast(msgs[n-1], last)
	}
	p.msgs = msgs[:0]
	return msgs
}

// wholePicture is the whole tile in exact patches as of the shadow's version
// (coded again only when the shadow changed since).
func (p *patcher) wholePicture(update uint32, version uint64) [][]byte {
	if p.whole != nil && p.wholeAt == version {
		return p.whole
	}
	msgs := p.wholeBuf[:0]
	full := image.Rect(0, 0, p.s.w, p.s.h)
	for y := 0; y < full.Max.Y; y += block {
		for x := 0; x < full.Max.X; x += block {
			msgs = p.code(msgs, update, image.Rect(x, y, min(x+block, full.Max.X), min(y+block, full.Max.Y)), false, nil)
		}
	}
	if n := len(msgs); n > 0 {
		proto.SetLast(msgs[n-1], true)
	}
	p.whole, p.wholeAt, p.wholeBuf = msgs, version, msgs
	return msgs
}

func (p *patcher) close() { p.enc.Close() }
