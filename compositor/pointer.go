package compositor

import (
	"context"
	"time"

	"dream/compositor/cursor"
	"dream/compositor/inject"
)

// The pointer's position is read (QueryPointer) when it moves, as raw motion
// and viewers' input say, at most cursorRate apart; X reports no position
// without being asked. A program that warps the pointer (XWarpPointer) makes
// no raw motion: the RECORD extension tells of its request instead, and
// nothing is polled. Without RECORD the position is read every warpPoll
// while anyone watches; without raw motion (no XInput 2.1), every
// cursorRate.
const (
	cursorRate = time.Second / 60
	warpPoll   = 500 * time.Millisecond
)

// followCursor sends the cursor's image and position to the viewers as they
// change, until ctx ends.
func (c *Compositor) followCursor(ctx context.Context) error {
	var polled <-chan time.Time // nil: never
	switch {
	case c.motion == nil:
		tick := time.NewTicker(cursorRate)
		defer tick.Stop()
		polled = tick.C
	case !c.warps:
		tick := time.NewTicker(warpPoll)
		defer tick.Stop()
		polled = tick.C
	}
	pace := time.NewTimer(0)
	defer pace.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.cursor.Changed():
		case <-polled:
			if !c.watched() {
				continue
			}
		}
		read := time.Now()
		shape, moved, err := c.cursor.Update()
		if err != nil {
			return err
		}
		if shape {
			c.server.SetCursor(c.cursor.Shape())
		}
		if moved {
			c.server.SetCursorPos(c.cursor.Position())
		}
		pace.Reset(time.Until(read.Add(cursorRate)))
		select { // no sooner than cursorRate after this read
		case <-ctx.Done():
			return nil
		case <-pace.C:
		}
	}
}

// followMotion has the pointer read when it moves, until ctx ends.
func (c *Compositor) followMotion(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { c.motion.Close() }) // wakes Next
	defer stop()
	for {
		if _, _, err := c.motion.Next(); err != nil {
			return
		}
		c.cursor.Poke()
	}
}

// watched reports whether any tile has a viewer.
func (c *Compositor) watched() bool {
	for _, t := range c.out {
		if t.Viewers().All > 0 {
			return true
		}
	}
	return false
}

// movePoker is a viewer's input that has the cursor followed at once after the
// viewer moves the pointer, instead of at the next poll.
type movePoker struct {
	*inject.Client
	cursor *cursor.Watcher
}

func (m movePoker) Move(x, y int) error {
	err := m.Client.Move(x, y)
	m.cursor.Poke()
	return err
}

func (m movePoker) MoveBy(dx, dy int) error {
	err := m.Client.MoveBy(dx, dy)
	m.cursor.Poke()
	return err
}
