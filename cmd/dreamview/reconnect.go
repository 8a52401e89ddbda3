package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"dream/proto"
	"dream/viewer/client"
)

// relay is the way to the session of the moment, for the window's input and
// the picture's requests: while dreamview reconnects there is none, and what
// is sent meanwhile is dropped (the desktop let go of every key at the drop).
type relay struct {
	s atomic.Pointer[client.Session]
}

func (r *relay) Send(m proto.Message) error {
	if s := r.s.Load(); s != nil {
		return s.Send(m)
	}
	return client.ErrNotOpen
}

func (r *relay) Move(x, y int) error {
	if s := r.s.Load(); s != nil {
		return s.Move(x, y)
	}
	return client.ErrNotOpen
}

func (r *relay) Place(x, y int) error {
	if s := r.s.Load(); s != nil {
		return s.Place(x, y)
	}
	return client.ErrNotOpen
}

func (r *relay) refresh() {
	if s := r.s.Load(); s != nil {
		s.Refresh()
	}
}

func (r *relay) clock() (proto.Clock, bool) {
	if s := r.s.Load(); s != nil {
		return s.Clock()
	}
	return proto.Clock{}, false
}

// retryDelay is the wait before reconnection attempt n (from 0): the first
// at once, then quickly more often than not, and never more than a second
// apart, so that a server back from a restart plays again within about a
// second of being there.
func retryDelay(n int) time.Duration {
	delays := [...]time.Duration{0, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond}
	if n < len(delays) {
		return delays[n]
	}
	return time.Second
}

// rediscoverEvery is how many failed attempts pass between two looks for the
// server on the local network, when it was found there (its address may have
// changed).
const rediscoverEvery = 5

// reconnector keeps a tile playing: when its session is lost (the server
// went away or restarted, the link dropped, ICE failed) it calls again until
// the server answers, and plays on with the same picture, window and
// decoder.
type reconnector struct {
	log  *slog.Logger
	host string // what the status line names
	// dial opens a session; rediscover, when set, looks for the server's
	// address anew.
	dial       func(ctx context.Context) (*client.Session, error)
	rediscover func(ctx context.Context) error
	// play plays one session until it ends (Session.Frames).
	play func(ctx context.Context, s *client.Session) error
	// lost is called when a session ends and before dialling again (release
	// keys, show the status); back when a new one is up.
	lost func()
	back func(s *client.Session)
}

// run plays first and the sessions after it until ctx ends (nil), a session
// fails in a way reconnecting cannot mend, or the server refuses for good
// (a changed token or certificate, a tile gone).
func (rc *reconnector) run(ctx context.Context, first *client.Session) error {
	s := first
	for {
		err := rc.play(ctx, s)
		s.Close()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, client.ErrLost) {
			return err
		}
		rc.log.Warn("connection lost; reconnecting", "server", rc.host, "err", err)
		rc.lost()
		if s, err = rc.redial(ctx); s == nil {
			return err
		}
		rc.log.Info("reconnected", "server", rc.host)
		rc.back(s)
	}
}

// redial dials until a session is up (nil error), ctx ends (nil session and
// error) or the server refuses for good.
func (rc *reconnector) redial(ctx context.Context) (*client.Session, error) {
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(retryDelay(n)):
		}
		if rc.rediscover != nil && n > 0 && n%rediscoverEvery == 0 {
			if err := rc.rediscover(ctx); err != nil {
				rc.log.Debug("server not found on the local network", "err", err)
			}
		}
		s, err := rc.dial(ctx)
		switch {
		case err == nil:
			return s, nil
		case ctx.Err() != nil:
			return nil, nil
		case client.Lasting(err):
			return nil, fmt.Errorf("reconnecting to %s: %w", rc.host, err)
		}
		rc.log.Debug("reconnection attempt failed", "attempt", n+1, "err", err)
	}
}
