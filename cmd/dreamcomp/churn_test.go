package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"dream/viewer/client"
)

// TestChurn: 300 viewer sessions come and go on a running dreamcomp; one in
// ten is a dreamview process killed with SIGKILL (it says nothing as it
// goes), the others hang up. Once each half's viewers have gone, dreamcomp
// holds no more file descriptors, goroutines or heap after the second half
// than after the first.
func TestChurn(t *testing.T) {
	const half = 150
	d := startDreamcomp(t, "--span", "2", "--tile-size", "160x120", "--listen", "127.0.0.1:0", "--pprof", "127.0.0.1:0",
		"--max-viewers", "64", "--max-peers", "128", "--", filepath.Join(bin, "dreampattern"), "--tiles", "2", "--animate")
	base, token := splitPairing(t, d.url)
	fp := regexp.MustCompile(`fp=([0-9a-f]+)`).FindStringSubmatch(d.url)[1]
	prof := regexp.MustCompile(`url=(http://\S+/debug/pprof/)`).FindStringSubmatch(d.stderr.String())
	if prof == nil {
		t.Fatalf("dreamcomp --pprof did not say where its profiles are:\n%s", d.stderr)
	}
	cfg := func(tile int) client.Config {
		return client.Config{URL: base, Tile: tile, Token: token, Verify: func(got string) error {
			if got != fp {
				return fmt.Errorf("certificate %s, not %s", got, fp)
			}
			return nil
		}}
	}

	var failures sync.Map // what went wrong, once each
	fail := func(what string, err error) { failures.LoadOrStore(what+": "+err.Error(), true) }
	// One viewer: it plays (its first frame) and hangs up.
	hangUp := func(n int) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c := cfg(1 + n%2)
		if n%4 == 0 {
			c.OnPatch = func([]byte) {} // the patch lane too
		}
		s, err := client.Dial(ctx, c)
		if err != nil {
			fail("dial", err)
			return
		}
		defer s.Close()
		fctx, played := context.WithCancel(ctx)
		var frames int
		err = s.Frames(fctx, func(client.Frame) error { frames++; played(); return nil })
		switch {
		case err != nil:
			fail("play", err)
		case frames == 0:
			fail("play", errors.New("no frame in 20 s"))
		}
		played()
	}
	// One dreamview: it plays (a stats line), and is killed.
	kill := func(n int) {
		cmd := exec.Command(filepath.Join(bin, "dreamview"), d.url, "--tile", strconv.Itoa(1+n%2), "--headless", "--stats")
		out, err := cmd.StdoutPipe()
		if err == nil {
			err = cmd.Start()
		}
		if err != nil {
			fail("dreamview", err)
			return
		}
		line := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			line <- sc.Scan()
			io.Copy(io.Discard, out)
		}()
		select {
		case ok := <-line:
			if !ok {
				fail("dreamview", errors.New("exited before playing"))
			}
		case <-time.After(20 * time.Second):
			fail("dreamview", errors.New("no stats line in 20 s"))
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	churn := func(from, to int) {
		work := make(chan int)
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for n := range work {
					if n%10 == 5 {
						kill(n)
					} else {
						hangUp(n)
					}
				}
			})
		}
		for n := from; n < to; n++ {
			work <- n
		}
		close(work)
		wg.Wait()
	}
	tiles := pinnedClient(fp)
	gone := func() {
		t.Helper()
		defer tiles.CloseIdleConnections() // not to be counted as dreamcomp's
		// The killed viewers' connections fail on dreamcomp's side when ICE
		// hears nothing from them (8 s).
		waitFor(t, 30*time.Second, "every viewer to be gone from GET /tiles", func() bool {
			return viewers(t, tiles, base, token) == 0
		})
	}

	churn(0, 10) // pools, caches and the like fill up here
	gone()
	churn(10, 10+half)
	gone()
	first := holds(t, d.cmd.Process.Pid, prof[1])
	churn(10+half, 10+2*half)
	gone()
	second := holds(t, d.cmd.Process.Pid, prof[1])
	failures.Range(func(k, _ any) bool { t.Errorf("a viewer: %s", k); return true })
	t.Logf("after the first %d sessions: %+v; after the second: %+v", half, first, second)
	if second.fds > first.fds+2 || second.goroutines > first.goroutines+5 || second.heap > first.heap+first.heap/5+1<<20 {
		t.Errorf("dreamcomp grew over %d more sessions: %+v, then %+v", half, first, second)
		if resp, err := http.Get(prof[1] + "goroutine?debug=1"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Logf("its goroutines:\n%.6000s", b)
		}
	}
}

type resources struct {
	fds, goroutines int
	heap            int64 // bytes in use, after a collection
	rss             int64
}

// holds is what process pid holds: its open files and memory from /proc,
// its goroutines and heap from its profiles at prof.
func holds(t *testing.T, pid int, prof string) resources {
	t.Helper()
	var r resources
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	r.fds = len(fds)
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status); m != nil {
		kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
		r.rss = kb << 10
	}
	get := func(path string) string {
		resp, err := http.Get(prof + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	g := regexp.MustCompile(`goroutine profile: total (\d+)`).FindStringSubmatch(get("goroutine?debug=1"))
	h := regexp.MustCompile(`# HeapInuse = (\d+)`).FindStringSubmatch(get("heap?debug=1&gc=1"))
	if g == nil || h == nil {
		t.Fatalf("dreamcomp's profiles at %s say no goroutine total or HeapInuse", prof)
	}
	r.goroutines, _ = strconv.Atoi(g[1])
	r.heap, _ = strconv.ParseInt(h[1], 10, 64)
	return r
}

// viewers counts the viewers of every tile, as GET /tiles says.
func viewers(t *testing.T, c *http.Client, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/tiles", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tiles []struct {
		Viewers int `json:"viewers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tiles); err != nil {
		t.Fatalf("GET /tiles: %v", err)
	}
	n := 0
	for _, tl := range tiles {
		n += tl.Viewers
	}
	return n
}

// pinnedClient trusts exactly the certificate of fingerprint fp (SHA-256, hex).
func pinnedClient(fp string) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // checked below, by fingerprint
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no certificate")
			}
			if sum := sha256.Sum256(raw[0]); hex.EncodeToString(sum[:]) != fp {
				return fmt.Errorf("certificate %x, not %s", sum, fp)
			}
			return nil
		},
	}}}
}
