package compositor

import (
	"context"
	"time"

	"dream/compositor/cursor"
	"dream/compositor/inject"
)

// cursorPoll is how often the pointer's position is read while anyone watches:
// X reports no motion without being asked, and apps may move the pointer.
const cursorPoll = time.Second / 60

// followCursor sends the cursor's image and position to the viewers as they
// change, until ctx ends.
func (c *Compositor) followCursor(ctx context.Context) error {
	tick := time.NewTicker(cursorPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.cursor.Changed():
		case <-tick.C:
			if !c.watched() {
				continue
			}
		}
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
