package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"dream/internal/rtc"
	"dream/proto"
)

// maxAnswerBytes bounds the answer read from a server.
const maxAnswerBytes = 64 << 10

// ErrServer is wrapped by errors that the server answered with.
var ErrServer = errors.New("server refused")

// Config says where to connect. URL and Tile are required.
type Config struct {
	URL  string // the server, e.g. http://192.168.1.10:8040
	Tile int    // 1-based
	Log  *slog.Logger
	// ConnectTimeout bounds signalling plus ICE/DTLS; 0 means 10 s.
	ConnectTimeout time.Duration
	// OnCursor and OnCursorPos, when set, receive the desktop cursor's image and
	// its position relative to the tile (stale positions already dropped). They
	// are called from the connection's goroutines: the image on one, positions
	// on another.
	OnCursor    func(proto.Cursor)
	OnCursorPos func(proto.CursorPos)
}

// Session is one viewer's connection to one tile.
type Session struct {
	cfg      Config
	log      *slog.Logger
	pc       *webrtc.PeerConnection
	location string
	track    chan *webrtc.TrackRemote
	failed   chan struct{}
	failOnce sync.Once
	closeMu  sync.Mutex
	closed   bool
	channels inputChannels
	clock    atomic.Pointer[proto.Clock] // the desktop's RTP-to-wall-clock tie
}

// Dial offers to receive cfg.Tile from cfg.URL and returns once the server has
// answered. Frames then reads the video.
func Dial(ctx context.Context, cfg Config) (*Session, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !strings.Contains(cfg.URL, "://") {
		cfg.URL = "http://" + cfg.URL // "server:8040" is what people type
	}
	base, err := url.Parse(cfg.URL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http://HOST:PORT", cfg.URL)
	}
	endpoint := base.JoinPath("whep", fmt.Sprint(cfg.Tile))

	api, err := rtc.NewAPI(rtc.Receiver, rtc.Settings(isLoopback(base.Hostname()), log), "h264", "vp8")
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("new peer connection: %w", err)
	}
	s := &Session{cfg: cfg, log: log, pc: pc, track: make(chan *webrtc.TrackRemote, 1), failed: make(chan struct{})}
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		select {
		case s.track <- t:
		default:
		}
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		log.Debug("connection state", "state", st)
		if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
			s.failOnce.Do(func() { close(s.failed) })
		}
	})
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		pc.Close()
		return nil, fmt.Errorf("add video transceiver: %w", err)
	}
	if err := s.channels.open(pc, cfg, &s.clock, log); err != nil {
		pc.Close()
		return nil, err
	}

	ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	answer, err := s.offer(ctx, endpoint)
	if err != nil {
		pc.Close()
		return nil, err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: bad answer: %w", endpoint, err)
	}
	return s, nil
}

func (s *Session) offer(ctx context.Context, endpoint *url.URL) (string, error) {
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("create offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("set offer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("gathering ICE candidates: %w", ctx.Err())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(),
		strings.NewReader(s.pc.LocalDescription().SDP))
	if err != nil {
		return "", fmt.Errorf("%s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("cannot reach %s: %w (is dreamcomp running there?)", s.cfg.URL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return "", fmt.Errorf("%s: reading answer: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("%s: %s: %s: %w", endpoint, resp.Status, bytes.TrimSpace(body), ErrServer)
	}
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("%s: answer without a Location: %w", endpoint, err)
	}
	s.location = loc.String()
	return string(body), nil
}

// Close hangs up: it tells the server (DELETE on the session) and closes the
// connection.
func (s *Session) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.location != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.location, nil)
		if err == nil {
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		cancel()
	}
	return s.pc.Close()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
