package render

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"dream/viewer/compose"
)

// Snapshot writes pic as it is now to path as PNG, atomically (a reader never
// sees half a file).
func Snapshot(pic *compose.Picture, path string) error {
	img, _, ok := pic.Snapshot()
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
