package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
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

	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"

	"dream/internal/rtc"
	"dream/proto"
)

// maxAnswerBytes bounds the answer read from a server.
const maxAnswerBytes = 64 << 10

// ErrServer is wrapped by errors that the server answered with.
var ErrServer = errors.New("server refused")

// ErrUntrusted is what Config.Verify wraps when it refuses a certificate.
var ErrUntrusted = errors.New("server certificate not trusted")

// StatusError is a server's refusal: its HTTP status and what it said. It
// wraps ErrServer.
type StatusError struct {
	URL    string
	Status int
	Text   string // the status line's text ("401 Unauthorized")
	Said   string // the server's explanation
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: %s: %s: %v", e.URL, e.Text, e.Said, ErrServer)
}

func (e *StatusError) Unwrap() error { return ErrServer }

// Lasting reports whether err is a refusal that asking again will not
// change (a bad token, a tile that does not exist, a certificate that is not
// the paired one), as opposed to a server that is away, restarting or busy.
func Lasting(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 400 && se.Status < 500 && se.Status != http.StatusRequestTimeout && se.Status != http.StatusTooManyRequests
	}
	return errors.Is(err, ErrUntrusted)
}

// A viewer that hears nothing from the server for quietProbe (the answers
// to its ICE checks come every rtc.ViewerKeepalive) asks the server over HTTPS whether its
// session still lives: a server that is gone, or restarted and does not know
// it, makes Frames return ErrLost at once, so that the viewer calls again
// within a couple of seconds; a session that lives (the viewer itself was
// stalled) plays on. A probe that times out counts only when the next one
// times out too. Silence for quietLimit counts as lost whatever the server
// says. The probe waits at most probeTimeout.
const (
	quietProbe   = 3500 * time.Millisecond
	quietLimit   = 10 * time.Second
	probeTimeout = time.Second
)

// Config says where to connect. URL and Tile are required.
type Config struct {
	URL  string // the server, e.g. https://192.168.1.10:8040
	Tile int    // 1-based
	Log  *slog.Logger
	// Token goes with every request as "Authorization: Bearer TOKEN" (it is in
	// dreamcomp's pairing URL).
	Token string
	// Verify, when set, checks an https server by the SHA-256 fingerprint of
	// its certificate (hex) instead of by certificate authorities: dreamcomp's
	// certificate is its own. Its error ends the connection.
	Verify func(fingerprint string) error
	// ConnectTimeout bounds signalling plus ICE/DTLS; 0 means 10 s.
	ConnectTimeout time.Duration
	// OnCursor and OnCursorPos, when set, receive the desktop cursor's image and
	// its position relative to the tile (stale positions already dropped). They
	// are called from the connection's goroutines: the image on one, positions
	// on another.
	OnCursor    func(proto.Cursor)
	OnCursorPos func(proto.CursorPos)
	// OnPatch, when set, opens the patch channel and receives its messages
	// in order, each in a buffer of its own (compose.Picture.Message). Without
	// it the desktop sends every change as video.
	OnPatch func([]byte)
	// Net, when set, is the network the peer connection's media and channels
	// use instead of the host's (dreambench adds a link's delay this way).
	Net transport.Net
	// Plain opens no data channel at all: the session is a plain WHEP player,
	// as GStreamer's whepsrc or OBS is (video only; no input, cursor or
	// patches).
	Plain bool
}

// Session is one viewer's connection to one tile.
type Session struct {
	cfg      Config
	log      *slog.Logger
	pc       *webrtc.PeerConnection
	location string
	serverFP string // SHA-256 of the certificate of the server that answered (https)
	http     *http.Client
	track    chan *webrtc.TrackRemote
	failed   chan struct{}
	failOnce sync.Once
	closeMu  sync.Mutex
	closed   bool
	channels inputChannels
	clock    atomic.Pointer[proto.Clock] // the desktop's RTP-to-wall-clock tie
	rtt      atomic.Int64                // round trip to the server, ns (ICE's measure; 0 until known)
	loss     lossCounts
}

// lossCounts are a session's running totals of packets lost and mended.
type lossCounts struct {
	nacked, lost, filled, keyframes atomic.Uint64
}

// LossStats are what a session lost of its video and did about it.
type LossStats struct {
	Nacked    uint64 // packets asked for again (NACK), counting each ask
	Lost      uint64 // packets given up on after waiting for them
	Mended    uint64 // packets that came late into their gap (sent again, or reordered)
	Keyframes uint64 // keyframes asked for (PLI): a frame could not be mended
}

// Loss returns the totals so far.
func (s *Session) Loss() LossStats {
	return LossStats{Nacked: s.loss.nacked.Load(), Lost: s.loss.lost.Load(), Mended: s.loss.filled.Load(), Keyframes: s.loss.keyframes.Load()}
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
		cfg.URL = "https://" + cfg.URL // "server:8040" is what people type
	}
	base, err := url.Parse(cfg.URL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("server URL %q: want https://HOST:PORT", cfg.URL)
	}
	base.RawQuery, base.Fragment = "", ""
	endpoint := base.JoinPath("whep", fmt.Sprint(cfg.Tile))

	settings := rtc.Settings(isLoopback(base.Hostname()), log)
	settings.SetICETimeouts(quietLimit, quietLimit, rtc.ViewerKeepalive)
	if cfg.Net != nil {
		settings.SetNet(cfg.Net)
	}
	api, err := rtc.NewAPI(rtc.Receiver, settings, "h264", "vp8")
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("new peer connection: %w", err)
	}
	s := &Session{cfg: cfg, log: log, pc: pc, http: httpClient(cfg.Verify), track: make(chan *webrtc.TrackRemote, 1), failed: make(chan struct{})}
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		select {
		case s.track <- t:
		default:
		}
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		log.Debug("connection state", "state", st)
		switch st {
		case webrtc.PeerConnectionStateDisconnected, webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			log.Info("connection ended", "state", st)
			s.fail()
		}
	})
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		pc.Close()
		return nil, fmt.Errorf("add video transceiver: %w", err)
	}
	if !cfg.Plain {
		if err := s.channels.open(pc, cfg, &s.clock, log); err != nil {
			pc.Close()
			return nil, err
		}
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
	s.authorize(req)
	resp, err := s.http.Do(req)
	if err != nil {
		if errors.Is(err, ErrUntrusted) {
			return "", unwrapURLError(err)
		}
		return "", fmt.Errorf("cannot reach %s: %w (is dreamcomp running there?)", s.cfg.URL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return "", fmt.Errorf("%s: reading answer: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", &StatusError{URL: endpoint.String(), Status: resp.StatusCode, Text: resp.Status, Said: string(bytes.TrimSpace(body))}
	}
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("%s: answer without a Location: %w", endpoint, err)
	}
	if loc.Scheme != endpoint.Scheme || loc.Host != endpoint.Host {
		return "", fmt.Errorf("%s: the session's Location %s is on another server", endpoint, loc)
	}
	s.location = loc.String()
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 { // the handshake is complete: the server holds the key
		sum := sha256.Sum256(resp.TLS.PeerCertificates[0].Raw)
		s.serverFP = hex.EncodeToString(sum[:])
	}
	return string(body), nil
}

// alive asks the server whether the session lives there. It returns nil
// if it does, and otherwise why not, with sure set when that is the
// server's own word (it answered 404, or nothing listens on its port)
// rather than a probe that timed out, which a loaded machine can make too.
func (s *Session) alive(ctx context.Context) (err error, sure bool) {
	if s.location == "" {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.location, nil)
	if err != nil {
		return nil, false
	}
	s.authorize(req)
	resp, err := s.http.Do(req)
	if err != nil {
		var ne net.Error
		timedOut := errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
		return fmt.Errorf("%s: %w: %w", s.cfg.URL, unwrapURLError(err), ErrLost), !timedOut
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s no longer knows this session (it restarted?): %w", s.cfg.URL, ErrLost), true
	}
	return nil, false
}

// fail ends the connection as lost: Frames returns ErrLost.
func (s *Session) fail() { s.failOnce.Do(func() { close(s.failed) }) }

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
			s.authorize(req)
			if resp, err := s.http.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		cancel()
	}
	s.http.CloseIdleConnections()
	return s.pc.Close()
}

// Clock is the tie between the tile's RTP clock and the desktop's wall
// clock, once the desktop has sent it.
func (s *Session) Clock() (proto.Clock, bool) {
	if c := s.clock.Load(); c != nil {
		return *c, true
	}
	return proto.Clock{}, false
}

// Fingerprint is the SHA-256 of the certificate of the server that answered
// ("" over plain HTTP).
func (s *Session) Fingerprint() string { return s.serverFP }

func (s *Session) authorize(req *http.Request) {
	if s.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	}
}

// httpClient is a client that checks servers with verify, when set.
// idleConnTimeout closes the signalling connection soon after its last
// request: a session that plays needs none, and an idle one costs TCP
// keepalives (and a socket on the server) for nothing.
const idleConnTimeout = 5 * time.Second

func httpClient(verify func(fingerprint string) error) *http.Client {
	if verify == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.IdleConnTimeout = idleConnTimeout
		return &http.Client{Transport: t}
	}
	return &http.Client{Transport: &http.Transport{IdleConnTimeout: idleConnTimeout, TLSClientConfig: &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // checked by fingerprint, below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the server sent no certificate")
			}
			sum := sha256.Sum256(raw[0])
			return verify(hex.EncodeToString(sum[:]))
		},
	}}}
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

// TileInfo is one tile as the server's GET /tiles lists it.
type TileInfo struct {
	Tile    int    `json:"tile"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Viewers int    `json:"viewers"`
	Frames  uint64 `json:"frames"` // encoded and sent, once for all its viewers
	Bytes   uint64 `json:"bytes"`  // of those frames
	// The patch lane's: updates (video frames and patches sent together),
	// patch messages and their bytes.
	Updates    uint64 `json:"updates"`
	Patches    uint64 `json:"patches"`
	PatchBytes uint64 `json:"patch_bytes"`
}

// Tiles asks the server at cfg.URL (with cfg.Token and cfg.Verify) for its
// tiles.
func Tiles(ctx context.Context, cfg Config) ([]TileInfo, error) {
	base, err := url.Parse(cfg.URL)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("server URL %q: want https://HOST:PORT", cfg.URL)
	}
	base.RawQuery, base.Fragment = "", ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("tiles").String(), nil)
	if err != nil {
		return nil, err
	}
	if cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
	}
	hc := httpClient(cfg.Verify)
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, ErrUntrusted) {
			return nil, unwrapURLError(err)
		}
		return nil, fmt.Errorf("cannot reach %s: %w (is dreamcomp running there?)", cfg.URL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{URL: req.URL.String(), Status: resp.StatusCode, Text: resp.Status, Said: string(bytes.TrimSpace(body))}
	}
	var tiles []TileInfo
	if err := json.Unmarshal(body, &tiles); err != nil {
		return nil, fmt.Errorf("%s: %w", req.URL, err)
	}
	return tiles, nil
}
