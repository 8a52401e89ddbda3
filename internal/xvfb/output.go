package xvfb

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
)

// tailKeep is how many bytes of Xvfb's output are kept for error messages.
const tailKeep = 2048

// tailWriter receives Xvfb's stdout and stderr: each line goes to the log at
// Debug, and the last tailKeep bytes are kept to quote in errors.
type tailWriter struct {
	log *slog.Logger

	mu      sync.Mutex
	tail    []byte
	partial []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tail = append(t.tail, p...)
	if len(t.tail) > tailKeep {
		t.tail = append(t.tail[:0], t.tail[len(t.tail)-tailKeep:]...)
	}
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		if line := strings.TrimSpace(string(t.partial[:i])); line != "" {
			t.log.Debug("Xvfb says", "line", line)
		}
		t.partial = t.partial[i+1:]
	}
	return len(p), nil
}

// quote returns "; Xvfb said: ..." with the last output, or "" when quiet.
func (t *tailWriter) quote() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.tail))
	if s == "" {
		return ""
	}
	return "; Xvfb said: " + strings.ReplaceAll(s, "\n", " | ")
}
