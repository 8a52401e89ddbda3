package bench

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

func TestParseLink(t *testing.T) {
	for in, want := range map[string]Link{
		"unlimited":     Unlimited,
		"300mbit,1ms":   GoodWiFi,
		"100mbit,2ms":   WiFi,
		"10mbit":        {Rate: "10mbit"},
		"unlimited,5ms": {Delay: 5 * time.Millisecond},
		"1.5gbit,250us": {Rate: "1.5gbit", Delay: 250 * time.Microsecond},
	} {
		got, err := ParseLink(in)
		if err != nil || got != want {
			t.Errorf("ParseLink(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if again, err := ParseLink(got.String()); err != nil || again != got {
			t.Errorf("ParseLink(%q.String() = %q) = %+v, %v", in, got.String(), again, err)
		}
	}
	for _, in := range []string{"fast", "100mbps,2ms", "100mbit,2", "100mbit,-1ms", "100mbit;2ms"} {
		if l, err := ParseLink(in); err == nil {
			t.Errorf("ParseLink(%q) = %+v; want an error", in, l)
		}
	}
}

// TestDelayedConn: over a link with a 20 ms delay, an echo takes at least
// 40 ms (20 out, 20 back) and the stream arrives whole and in order.
func TestDelayedConn(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	raw, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := Link{Delay: 20 * time.Millisecond}.Conn(raw)
	defer c.Close()
	msg := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB in many writes and reads
	start := time.Now()
	go func() {
		for i := 0; i < len(msg); i += 7000 {
			c.Write(msg[i:min(i+7000, len(msg))])
		}
	}()
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Errorf("echo took %v; want at least 40 ms", took)
	}
	if !bytes.Equal(got, msg) {
		t.Error("the stream came back changed or out of order")
	}
}

// TestDelayedUDP: datagrams through a link's Net take at least the delay
// each way, in order.
func TestDelayedUDP(t *testing.T) {
	n, err := Link{Delay: 20 * time.Millisecond}.Net()
	if err != nil {
		t.Fatal(err)
	}
	echo, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		buf := make([]byte, 2000)
		for {
			k, from, err := echo.ReadFrom(buf)
			if err != nil {
				return
			}
			echo.WriteTo(buf[:k], from)
		}
	}()
	c, err := n.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	for i := range 50 {
		if _, err := c.WriteTo([]byte{byte(i)}, echo.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 10)
	for i := range 50 {
		k, _, err := c.ReadFrom(buf)
		if err != nil || k != 1 || buf[0] != byte(i) {
			t.Fatalf("datagram %d: %v %v, err %v", i, k, buf[:k], err)
		}
	}
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Errorf("50 echoes took %v; want at least 40 ms", took)
	}
}
