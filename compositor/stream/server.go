package stream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"dream/compositor/access"
	"dream/internal/rtc"
)

// Limits on what a request may ask of the server.
const (
	MaxBodyBytes = 64 << 10 // an SDP offer is a few KiB
	// DefaultMaxViewers bounds the viewers of one tile when Config leaves it 0.
	DefaultMaxViewers = 16
	// DefaultMaxPeers bounds the viewers of all tiles when Config leaves it 0.
	DefaultMaxPeers = 64
	gatherTimeout   = 5 * time.Second
)

// Config configures a Server. The zero value works.
type Config struct {
	Log *slog.Logger
	// LoopbackOnly gathers ICE candidates on loopback alone (a server that listens
	// on loopback).
	LoopbackOnly bool
	// MaxViewers per tile; 0 means DefaultMaxViewers.
	MaxViewers int
	// MaxPeers in all; 0 means DefaultMaxPeers.
	MaxPeers int
	// Access checks every request's token. Nil lets everyone watch and type
	// (a server that only loopback reaches, tests).
	Access Access
	// NewInput gives each viewer's session its keyboard and mouse on the
	// desktop. Nil makes every viewer view-only: input is dropped and counted.
	NewInput func() Input
	// Pointer reads the desktop pointer's position, for Jump: nil counts from
	// the viewer's own tile.
	Pointer func() (image.Point, error)
	// VideoOnly refuses viewers' patch channels: every viewer takes the video
	// whole, as a plain WHEP player does (to compare the two).
	VideoOnly bool
}

// Access decides what a request may do: watch, watch and type, or nothing
// (an error, which may carry the HTTP status: see access.Refusal).
type Access interface {
	Check(r *http.Request) (access.Role, error)
}

// Server answers WHEP requests for a set of tiles and keeps their sessions.
type Server struct {
	log        *slog.Logger
	tiles      []*Tile
	apis       map[string]*webrtc.API
	maxViewers int
	maxPeers   int
	access     Access
	newInput   func() Input
	pointer    func() (image.Point, error)
	loopback   bool
	videoOnly  bool
	mux        *http.ServeMux

	mu          sync.Mutex
	sessions    map[string]*session
	closed      bool
	cursorShape []byte      // the newest Cursor message, marshalled
	cursorPos   image.Point // the newest pointer position
	cursorKnown bool
}

// New makes a server for tiles, which must be numbered 1..len(tiles) in order.
func New(cfg Config, tiles []*Tile) (*Server, error) {
	s := &Server{
		log:        cfg.Log,
		tiles:      tiles,
		apis:       map[string]*webrtc.API{},
		maxViewers: cfg.MaxViewers,
		maxPeers:   cfg.MaxPeers,
		access:     cfg.Access,
		newInput:   cfg.NewInput,
		pointer:    cfg.Pointer,
		loopback:   cfg.LoopbackOnly,
		videoOnly:  cfg.VideoOnly,
		sessions:   map[string]*session{},
		mux:        http.NewServeMux(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxViewers <= 0 {
		s.maxViewers = DefaultMaxViewers
	}
	if s.maxPeers <= 0 {
		s.maxPeers = DefaultMaxPeers
	}
	for i, t := range tiles {
		if t.Number != i+1 {
			return nil, fmt.Errorf("tile %d listed in place %d: tiles must be numbered from 1 in order", t.Number, i+1)
		}
		if s.apis[t.Codec] == nil {
			api, err := rtc.NewAPI(rtc.Sender, rtc.Settings(cfg.LoopbackOnly, s.log), t.Codec)
			if err != nil {
				return nil, err
			}
			s.apis[t.Codec] = api
		}
	}
	s.mux.HandleFunc("POST /whep/{tile}", s.offer)
	s.mux.HandleFunc("DELETE /whep/{tile}/{id}", s.hangUp)
	s.mux.HandleFunc("GET /whep/{tile}/{id}", s.sessionAlive)
	s.mux.HandleFunc("PATCH /whep/{tile}/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "DELETE")
		http.Error(w, "trickle ICE is not supported: send a complete offer", http.StatusMethodNotAllowed)
	})
	s.mux.HandleFunc("GET /tiles", s.listTiles)
	return s, nil
}

// ServeHTTP serves the WHEP and /tiles routes, to requests whose token
// Access accepts. A server on loopback answers only requests addressed to
// loopback: a web page whose name is made to resolve to 127.0.0.1 (DNS
// rebinding) still sends its own name as Host.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.loopback && !loopbackHost(r.Host) {
		http.Error(w, fmt.Sprintf("host %q: this server answers loopback addresses only", r.Host), http.StatusForbidden)
		return
	}
	role := access.Control
	if s.access != nil {
		var err error
		if role, err = s.access.Check(r); err != nil {
			status := http.StatusUnauthorized
			if ref, ok := access.AsRefusal(err); ok {
				status = ref.Status
			}
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dreamcomp"`)
			}
			s.log.Debug("request refused", "from", r.RemoteAddr, "path", r.URL.Path, "err", err)
			http.Error(w, err.Error(), status)
			return
		}
	}
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), roleKey{}, role)))
}

// roleKey carries a request's access.Role in its context.
type roleKey struct{}

func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Close hangs up every viewer and refuses new ones.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	sessions := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	s.mu.Unlock()
	for _, ss := range sessions {
		ss.close()
	}
	return nil
}

func (s *Server) tile(w http.ResponseWriter, r *http.Request) *Tile {
	n, err := strconv.Atoi(r.PathValue("tile"))
	if err != nil || n < 1 || n > len(s.tiles) {
		http.Error(w, fmt.Sprintf("no tile %q: tiles are numbered 1 to %d", r.PathValue("tile"), len(s.tiles)), http.StatusNotFound)
		return nil
	}
	return s.tiles[n-1]
}

func (s *Server) offer(w http.ResponseWriter, r *http.Request) {
	t := s.tile(w, r)
	if t == nil {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/sdp" {
		http.Error(w, "the offer must be sent as Content-Type: application/sdp", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("offer larger than %d bytes", MaxBodyBytes), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading offer: "+err.Error(), http.StatusBadRequest)
		return
	}
	id := newID()
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return
	case s.countSessions(t) >= s.maxViewers:
		s.mu.Unlock()
		http.Error(w, fmt.Sprintf("tile %d already has %d viewers, the most it takes", t.Number, s.maxViewers), http.StatusServiceUnavailable)
		return
	case len(s.sessions) >= s.maxPeers:
		s.mu.Unlock()
		http.Error(w, fmt.Sprintf("%d viewers already, the most this server takes", s.maxPeers), http.StatusServiceUnavailable)
		return
	}
	ss := &session{id: id, tile: t, server: s, log: s.log.With("tile", t.Number, "session", id)}
	// A view-only token watches: its input has nowhere to go, and is counted.
	if s.newInput != nil && r.Context().Value(roleKey{}) == access.Control {
		ss.input = newInputQueue(s.newInput(), func(err error) {
			t.inputDropped.Add(1)
			ss.log.Debug("input not applied", "err", err)
		})
	}
	s.sessions[id] = ss // reserve the place while negotiating
	s.mu.Unlock()

	answer, status, err := ss.negotiate(r.Context(), s.apis[t.Codec], string(body))
	if err != nil {
		ss.close()
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", fmt.Sprintf("/whep/%d/%s", t.Number, id))
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, answer)
}

func (s *Server) countSessions(t *Tile) int {
	n := 0
	for _, ss := range s.sessions {
		if ss.tile == t {
			n++
		}
	}
	return n
}

func (s *Server) hangUp(w http.ResponseWriter, r *http.Request) {
	if ss := s.session(w, r, "no such session (already hung up?)"); ss != nil {
		ss.close()
		w.WriteHeader(http.StatusOK)
	}
}

// session is the session a request's path names, or nil after answering
// 404 with missing.
func (s *Server) session(w http.ResponseWriter, r *http.Request, missing string) *session {
	t := s.tile(w, r)
	if t == nil {
		return nil
	}
	s.mu.Lock()
	ss := s.sessions[r.PathValue("id")]
	s.mu.Unlock()
	if ss == nil || ss.tile != t {
		http.Error(w, missing, http.StatusNotFound)
		return nil
	}
	return ss
}

// sessionAlive answers a viewer that has heard nothing for a while: 204 while
// its session lives here, 404 when it does not (this server restarted, or
// dropped it). The viewer then knows whether to wait or to call again.
func (s *Server) sessionAlive(w http.ResponseWriter, r *http.Request) {
	if s.session(w, r, "no such session") != nil {
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) listTiles(w http.ResponseWriter, r *http.Request) {
	list := make([]TileStats, len(s.tiles))
	for i, t := range s.tiles {
		list[i] = t.Stats()
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(list)
}

func (s *Server) forget(ss *session) {
	s.mu.Lock()
	delete(s.sessions, ss.id)
	s.mu.Unlock()
}

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// gather waits for ICE gathering, bounded by ctx and gatherTimeout.
func gather(ctx context.Context, pc *webrtc.PeerConnection) error {
	done := webrtc.GatheringCompletePromise(pc)
	t := time.NewTimer(gatherTimeout)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("ICE gathering did not finish in %v", gatherTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}
