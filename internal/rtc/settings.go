package rtc

import (
	"log/slog"
	"net"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// Settings returns the SettingEngine for one side. With loopbackOnly, candidates
// are gathered on the loopback interface alone: a server that listens on loopback
// has no business offering media on other interfaces, and tests stay on lo.
func Settings(loopbackOnly bool, log *slog.Logger) webrtc.SettingEngine {
	var s webrtc.SettingEngine
	s.SetIncludeLoopbackCandidate(true)
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// A viewer that vanishes is noticed within seconds, not the default half minute.
	s.SetICETimeouts(4*time.Second, 8*time.Second, time.Second)
	if loopbackOnly {
		s.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	}
	if log != nil {
		s.LoggerFactory = loggerFactory{log}
	}
	return s
}
