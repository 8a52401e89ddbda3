// Package rtc holds the WebRTC settings that dreamcomp and dreamview share: the
// video codecs and how they are described in SDP, the interceptors, and the ICE
// settings (loopback candidates, no mDNS candidates, quick failure detection).
package rtc
