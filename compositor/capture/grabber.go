package capture

import (
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xproto"
	"golang.org/x/sys/unix"
)

// Grabber copies one screen rectangle into a shared-memory segment.
type Grabber struct {
	src *Source
	r   image.Rectangle
	seg shm.Seg
	mem []byte // the attached segment, r.Dx()*r.Dy()*4 bytes

	mu     sync.Mutex
	closed bool
}

// NewGrabber creates a Grabber for r, which must lie inside the screen. It
// allocates one MIT-SHM segment of r.Dx()*r.Dy()*4 bytes, attached by this
// process and by the X server and freed when both detach.
func (s *Source) NewGrabber(r image.Rectangle) (*Grabber, error) {
	if r.Empty() || !r.In(s.Bounds()) {
		return nil, fmt.Errorf("capture: display %s: grab rectangle %v is empty or outside the %dx%d screen", s.display, r, s.w, s.h)
	}
	select {
	case <-s.done:
		return nil, s.err
	default:
	}
	size := r.Dx() * r.Dy() * 4
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, size, unix.IPC_CREAT|0o600)
	if err != nil {
		return nil, fmt.Errorf("capture: create a %d-byte shared memory segment: %w (check kernel.shmmax and kernel.shmall)", size, err)
	}
	// Marked for removal once both sides are attached (or on any failure):
	// the kernel frees it when the last one detaches, even after a crash.
	defer unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	mem, err := unix.SysvShmAttach(id, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("capture: attach shared memory segment %d: %w", id, err)
	}
	seg, err := shm.NewSegId(s.conn)
	if err != nil {
		unix.SysvShmDetach(mem)
		return nil, fmt.Errorf("capture: display %s: allocate segment id: %w", s.display, err)
	}
	attach := shm.AttachChecked(s.conn, seg, uint32(id), false)
	s.seq.sent(attach.Sequence)
	if err := attach.Check(); err != nil {
		unix.SysvShmDetach(mem)
		return nil, fmt.Errorf("capture: display %s: the X server cannot attach shared memory (MIT-SHM needs a server on this machine, running as this user or root): %w", s.display, err)
	}
	g := &Grabber{src: s, r: r, seg: seg, mem: mem[:size]}
	s.grabMu.Lock()
	s.grabbers[g] = struct{}{}
	s.grabMu.Unlock()
	return g, nil
}

// Rect is the screen rectangle the Grabber copies.
func (g *Grabber) Rect() image.Rectangle { return g.r }

// Grab copies the rectangle from the screen and returns its pixels: rows of
// B,G,R,X bytes (X undefined), stride bytes apart. pix is the shared segment:
// valid until the next Grab or Close, overwritten by them.
func (g *Grabber) Grab() (pix []byte, stride int, err error) { return g.GrabPart(g.r) }

// GrabPart is Grab for part r of the Grabber's rectangle (screen coordinates):
// only r's pixels cross from the X server, packed in rows of r.Dx()*4 bytes.
func (g *Grabber) GrabPart(r image.Rectangle) (pix []byte, stride int, err error) {
	if r.Empty() || !r.In(g.r) {
		return nil, 0, fmt.Errorf("capture: grab %v: not a part of %v", r, g.r)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, 0, ErrClosed
	}
	s := g.src
	c := shm.GetImage(s.conn, xproto.Drawable(s.root),
		int16(r.Min.X), int16(r.Min.Y), uint16(r.Dx()), uint16(r.Dy()),
		^uint32(0), xproto.ImageFormatZPixmap, g.seg, 0)
	s.seq.sent(c.Sequence)
	_, err = c.Reply()
	if err != nil {
		return nil, 0, s.failed(fmt.Sprintf("grab %v", r), err)
	}
	stride = r.Dx() * 4
	return g.mem[:stride*r.Dy()], stride, nil
}

// Close detaches the segment on both sides. It may be called more than once.
func (g *Grabber) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	g.src.grabMu.Lock()
	delete(g.src.grabbers, g)
	g.src.grabMu.Unlock()
	g.src.seq.sent(shm.Detach(g.src.conn, g.seg).Sequence) // a no-op if the connection is gone
	if err := unix.SysvShmDetach(g.mem); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("capture: detach shared memory: %w", err)
	}
	return nil
}
