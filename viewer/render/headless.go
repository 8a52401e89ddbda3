package render

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sync"

	"dream/internal/yuv"
)

// Headless is a sink with no window. With Keep set it keeps a copy of the newest
// picture for Snapshot; without it Show costs nothing.
type Headless struct {
	Keep bool

	mu  sync.Mutex
	pic *yuv.I420
	seq uint64
}

// Show keeps a copy of pic when h.Keep is set.
func (h *Headless) Show(pic *yuv.I420) {
	if !h.Keep {
		return
	}
	h.mu.Lock()
	h.pic = yuv.Copy(h.pic, pic)
	h.seq++
	h.mu.Unlock()
}

// Latest converts the newest picture to RGBA; ok is false before the first one.
// seq grows with every picture shown, so a caller can skip unchanged ones.
func (h *Headless) Latest() (img *image.RGBA, seq uint64, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pic == nil {
		return nil, h.seq, false
	}
	img = image.NewRGBA(image.Rect(0, 0, h.pic.Width, h.pic.Height))
	h.pic.ToRGBA(img)
	return img, h.seq, true
}

// Snapshot writes the newest picture to path as PNG, atomically (a reader never
// sees half a file).
func (h *Headless) Snapshot(path string) error {
	img, _, ok := h.Latest()
	if !ok {
		return fmt.Errorf("snapshot %s: no picture decoded yet", path)
	}
	return WritePNG(path, img)
}

// WritePNG writes img to path through a temporary file and a rename.
func WritePNG(path string, img image.Image) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*.png")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	tmp.Chmod(0o644) // CreateTemp makes it 0600; a snapshot is for anyone to look at
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(tmp, img); err != nil {
		tmp.Close()
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// Picture copies the newest picture into dst (allocated when nil or of another
// size) and returns it with its sequence number; ok is false before the first.
func (h *Headless) Picture(dst *yuv.I420) (pic *yuv.I420, seq uint64, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pic == nil {
		return dst, h.seq, false
	}
	return yuv.Copy(dst, h.pic), h.seq, true
}
