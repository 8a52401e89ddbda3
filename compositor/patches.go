package compositor

import (
	"image"
	"runtime"
	"sync"
	"time"

	"dream/internal/patch"
	"dream/proto"
)

// block is the side of the largest square a patch covers (256×256 is
// proto.MaxPatchPixels): larger rectangles are cut into blocks, each coded
// on its own, so that a photo's part goes as JPEG and a text's beside it as a
// palette, and so that several are coded at once.
const block = 256

// patcher codes a tile's patches from its shadow into messages. The blocks of
// an update are coded by its workers and by the scheduler itself at once, and
// each message goes out as soon as it and those before it are ready: the first
// block is on its way (and being decoded) while the last is still being coded.
// It reuses its buffers from update to update.
type patcher struct {
	s    *shadow
	own  *patch.Encoder   // the scheduler's
	encs []*patch.Encoder // one per worker
	jobs chan *job        // open between start and stop
	wg   sync.WaitGroup

	blocks []*job // this update's, reused
	spare  []*job

	whole   []*job   // the whole picture, as of version wholeAt
	wholeAt uint64   // (0: none yet)
	msgs    [][]byte // the whole picture's messages, handed out
}

// job is one block to code: its message, once done.
type job struct {
	b      image.Rectangle
	update uint32
	stamp  uint32
	lossy  bool
	msg    []byte
	enc    uint8
	took   time.Duration
	ok     bool
	done   chan struct{} // a token once coded
}

func newPatcher(s *shadow) (*patcher, error) {
	own, err := patch.NewEncoder()
	if err != nil {
		return nil, err
	}
	p := &patcher{s: s, own: own}
	// The scheduler codes too: one worker fewer than the cores.
	for range min(runtime.NumCPU(), 4) - 1 {
		enc, err := patch.NewEncoder()
		if err != nil {
			p.close()
			return nil, err
		}
		p.encs = append(p.encs, enc)
	}
	return p, nil
}

// start starts the workers; stop ends them.
func (p *patcher) start() {
	p.jobs = make(chan *job, 64)
	for _, enc := range p.encs {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				p.code(j, enc)
			}
		}()
	}
}

func (p *patcher) stop() {
	if p.jobs != nil {
		close(p.jobs)
		p.wg.Wait()
		p.jobs = nil
	}
}

// plan cuts rs (tile coordinates) into blocks to code into jobs, appending to
// jobs (whose buffers are reused from spare). A rectangle of one colour stays
// whole: a Solid patch may be any size.
func (p *patcher) plan(jobs []*job, rs []image.Rectangle, update, stamp uint32, lossy bool) []*job {
	add := func(b image.Rectangle, lossy bool) {
		var j *job
		if n := len(p.spare); n > 0 {
			j, p.spare = p.spare[n-1], p.spare[:n-1]
		} else {
			j = &job{done: make(chan struct{}, 1)}
		}
		j.b, j.update, j.stamp, j.lossy, j.ok = b, update, stamp, lossy, false
		jobs = append(jobs, j)
	}
	for _, r := range rs {
		pix, stride := p.s.at(r)
		if _, ok := patch.Solid(pix, stride, r.Dx(), r.Dy()); ok {
			add(r, false)
			continue
		}
		for y := r.Min.Y; y < r.Max.Y; y += block {
			for x := r.Min.X; x < r.Max.X; x += block {
				add(image.Rect(x, y, min(x+block, r.Max.X), min(y+block, r.Max.Y)), lossy)
			}
		}
	}
	return jobs
}

// code codes j with enc into its message.
func (p *patcher) code(j *job, enc *patch.Encoder) {
	start := time.Now()
	m := proto.Patch{Update: j.update, Stamp: j.stamp, Rect: proto.RectOf(j.b)}
	buf := m.AppendHeader(j.msg[:0])
	at := len(buf) - 1 // the encoding byte
	pix, stride := p.s.at(j.b)
	e, buf, err := enc.Encode(buf, pix, stride, j.b.Dx(), j.b.Dy(), j.lossy)
	// An error cannot happen for a block of the shadow; should it, the
	// viewers keep what they had and the next change sends it again.
	if j.ok = err == nil; j.ok {
		buf[at] = e
	}
	j.msg, j.enc, j.took = buf, e, time.Since(start)
	j.done <- struct{}{}
}

// codeAll codes jobs, in parallel when there are several, and calls emit
// with each in order as soon as it and those before it are done.
func (p *patcher) codeAll(jobs []*job, emit func(*job)) {
	if len(jobs) == 1 || p.jobs == nil || len(p.encs) == 0 {
		for _, j := range jobs {
			p.code(j, p.own)
			<-j.done
			emit(j)
		}
		return
	}
	queued := 0
	for _, j := range jobs {
		select {
		case p.jobs <- j:
			queued++
		default: // full: the scheduler codes it below
			p.code(j, p.own)
		}
	}
	for _, j := range jobs {
		for waiting := true; waiting; {
			select {
			case <-j.done:
				waiting = false
			case k := <-p.jobs: // help with what is queued
				p.code(k, p.own)
			}
		}
		emit(j)
	}
}

// send codes the rectangles rs of the shadow as patches of update, captured
// at stamp (the tile's RTP clock), and gives each message to out in order, the last one marked so when last is set. With
// lossy set, photographic blocks may go as JPEG: coarse is called with each.
// cost is told what each block cost (its bytes and the time to code it). It
// returns how many messages went out.
func (p *patcher) send(update, stamp uint32, rs []image.Rectangle, lossy, last bool, out func([]byte),
	coarse func(image.Rectangle), cost func(image.Rectangle, int, time.Duration)) int {
	p.blocks = p.plan(p.blocks[:0], rs, update, stamp, lossy)
	n := 0
	p.codeAll(p.blocks, func(j *job) {
		if !j.ok {
			return
		}
		if j.enc == proto.EncodingJPEG {
			coarse(j.b)
		}
		cost(j.b, len(j.msg), j.took)
		n++
		if j == p.blocks[len(p.blocks)-1] {
			proto.SetLast(j.msg, last)
		}
		out(j.msg)
	})
	p.spare = append(p.spare, p.blocks...)
	return n
}

// wholePicture is the whole tile in exact patches as of the shadow's version,
// captured at stamp (coded again only when the shadow changed since).
func (p *patcher) wholePicture(update, stamp uint32, version uint64) [][]byte {
	if p.wholeAt == version && p.msgs != nil {
		return p.msgs
	}
	full := image.Rect(0, 0, p.s.w, p.s.h)
	var cells []image.Rectangle
	for y := 0; y < full.Max.Y; y += block {
		for x := 0; x < full.Max.X; x += block {
			cells = append(cells, image.Rect(x, y, min(x+block, full.Max.X), min(y+block, full.Max.Y)))
		}
	}
	p.spare = append(p.spare, p.whole...)
	p.whole = p.plan(p.whole[:0], cells, update, stamp, false)
	p.msgs = p.msgs[:0]
	p.codeAll(p.whole, func(j *job) {
		if j.ok {
			p.msgs = append(p.msgs, j.msg)
		}
	})
	if n := len(p.msgs); n > 0 {
		proto.SetLast(p.msgs[n-1], true)
	}
	p.wholeAt = version
	return p.msgs
}

func (p *patcher) close() {
	p.stop()
	p.own.Close()
	for _, e := range p.encs {
		e.Close()
	}
}
