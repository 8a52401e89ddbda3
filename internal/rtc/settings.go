package rtc

import (
	"log/slog"
	"net"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// How often a viewer checks its pair (ICE consent, RFC 7675: a request
// and its answer), and how long the server waits without a packet from a
// viewer before it calls it disconnected (releasing its keys) and, 8 s later,
// failed (closing its session): two checks lost in a row are not a
// disconnection.
const (
	ViewerKeepalive    = 2 * time.Second
	ServerDisconnected = 5 * time.Second
)

// SCTPMinWindow is the least congestion window of the data channels.
const SCTPMinWindow = 128 << 10

// Settings returns the SettingEngine for one side. With loopbackOnly, candidates
// are gathered on the loopback interface alone: a server that listens on loopback
// has no business offering media on other interfaces, and tests stay on lo.
func Settings(loopbackOnly bool, log *slog.Logger) webrtc.SettingEngine {
	var s webrtc.SettingEngine
	s.SetIncludeLoopbackCandidate(true)
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// A viewer that vanishes is noticed within seconds, not the default half
	// minute. The server sends no keepalives of its own (0): each viewer's
	// consent checks, which it answers, keep the pair alive, dreamview's
	// every ViewerKeepalive and a browser's every 2.5 s, and so a still
	// desktop costs no packet more than it must.
	s.SetICETimeouts(ServerDisconnected, 8*time.Second, 0)
	// The data channels under loss (a busy Wi-Fi), where SCTP's RFC timers
	// are for bulk transfer: a lost packet whose retransmission is lost too
	// waits for the retransmission timer, 1 s at least, and then doubled at
	// every timeout; capped at 1 s here, a picture waits a second, never
	// several. And each loss halves the window, which random loss is not a
	// reason for: it stays at SCTPMinWindow or more, so a whole picture
	// (1–3 MB) still goes in a few round trips.
	s.SetSCTPRTOMax(time.Second)
	s.SetSCTPMinCwnd(SCTPMinWindow)
	if loopbackOnly {
		s.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	}
	if log != nil {
		s.LoggerFactory = loggerFactory{log}
	}
	return s
}
