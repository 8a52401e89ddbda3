package stream

import (
	"bytes"
	"image"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pion/webrtc/v4"
)

// FuzzWHEP sends the WHEP and /tiles routes whatever a client could: any
// method, path, Authorization, content type and body. The server never panics,
// answers with one of the statuses it documents, gives every session it
// creates a Location, and keeps no session a DELETE ended.
func FuzzWHEP(f *testing.F) {
	const view = "0123456789abcdef0123456789abcdef" // a token's shape: no guard checks it here
	tile, err := NewTile(1, image.Rect(0, 0, 100, 100), "vp8", nil)
	if err != nil {
		f.Fatal(err)
	}
	// Without the token guard (access has tests of its own, and its limit on
	// wrong tokens would soon answer every input with 429): what follows it.
	s, err := New(Config{LoopbackOnly: true, MaxPeers: 4}, []*Tile{tile})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()

	offer := realOffer(f)
	{ // the first seed makes a session: the fuzzing starts from one that works
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8040/whep/1", bytes.NewReader([]byte(offer)))
		req.Header.Set("Authorization", "Bearer "+view)
		req.Header.Set("Content-Type", "application/sdp")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			f.Fatalf("a real offer: status %d (%q); want 201", w.Code, w.Body)
		}
		s.mu.Lock()
		for _, ss := range s.sessions {
			defer ss.close()
		}
		s.mu.Unlock()
	}
	for _, seed := range []struct {
		method, path, token, ctype, body string
	}{
		{"POST", "/whep/1", view, "application/sdp", offer},
		{"POST", "/whep/1", view, "application/sdp", offer[:len(offer)/2]},
		{"POST", "/whep/2", view, "application/sdp", offer},
		{"POST", "/whep/x", "", "text/plain", "v=0"},
		{"GET", "/tiles", view, "", ""},
		{"DELETE", "/whep/1/abc", view, "", ""},
		{"PATCH", "/whep/1/abc", view, "application/trickle-ice-sdpfrag", "a=candidate:1"},
	} {
		f.Add(seed.method, seed.path, seed.token, seed.ctype, []byte(seed.body))
	}
	statuses := map[int]bool{http.StatusOK: true, http.StatusCreated: true, http.StatusNoContent: true,
		http.StatusBadRequest: true, http.StatusUnauthorized: true, http.StatusForbidden: true, http.StatusNotFound: true,
		http.StatusMethodNotAllowed: true, http.StatusRequestEntityTooLarge: true, http.StatusUnsupportedMediaType: true,
		http.StatusTooManyRequests: true, http.StatusInternalServerError: true, http.StatusServiceUnavailable: true}
	f.Fuzz(func(t *testing.T, method, path, token, ctype string, body []byte) {
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil || req.URL.Path != path {
			return // not a request a client can send
		}
		req.Host = "127.0.0.1:8040"
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		count := func() int {
			s.mu.Lock()
			defer s.mu.Unlock()
			return len(s.sessions)
		}
		before := count()
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if !statuses[w.Code] {
			t.Fatalf("%s %s: status %d (%q)", method, path, w.Code, w.Body)
		}
		if w.Code != http.StatusCreated {
			return
		}
		loc := w.Header().Get("Location")
		if loc == "" {
			t.Fatalf("%s %s: a session without a Location", method, path)
		}
		del, _ := http.NewRequest(http.MethodDelete, "http://127.0.0.1"+loc, nil)
		del.Host = req.Host
		del.Header.Set("Authorization", "Bearer "+token)
		dw := httptest.NewRecorder()
		s.ServeHTTP(dw, del)
		if dw.Code/100 != 2 {
			t.Fatalf("DELETE %s: status %d (%q)", loc, dw.Code, dw.Body)
		}
		if n := count(); n != before {
			t.Fatalf("%d sessions after a session and its DELETE; %d before", n, before)
		}
	})
}

// realOffer is what a viewer offers: video to receive and data channels.
func realOffer(tb testing.TB) string {
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		tb.Fatal(err)
	}
	defer pc.Close()
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		tb.Fatal(err)
	}
	if _, err := pc.CreateDataChannel(InputChannel, nil); err != nil {
		tb.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		tb.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		tb.Fatal(err)
	}
	<-gathered
	return pc.LocalDescription().SDP
}
