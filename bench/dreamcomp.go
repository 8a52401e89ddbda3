package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pion/transport/v5"

	"dream/viewer/client"
)

// FindDreamcomp is the dreamcomp binary beside the running one, or on $PATH.
func FindDreamcomp() (string, error) {
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "dreamcomp"); isFile(p) {
			return p, nil
		}
	}
	p, err := exec.LookPath("dreamcomp")
	if err != nil {
		return "", errors.New("no dreamcomp beside this program or on $PATH (go build -o DIR/ ./cmd/...)")
	}
	return p, nil
}

func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }

// dreamcomp is a dreamcomp process the bench started, on its own display.
type dreamcomp struct {
	cmd     *exec.Cmd
	display string
	base    string // https://127.0.0.1:PORT
	token   string
	fp      string
	net     transport.Net // the viewers' side of the link; nil for loopback as it is
	done    chan error
}

// startDreamcomp runs dreamcomp (on its own Xvfb, loopback, fresh keys) with
// args and waits until it serves; its viewers will connect over link.
func startDreamcomp(ctx context.Context, bin string, link Link, args ...string) (*dreamcomp, error) {
	n, err := link.Net()
	if err != nil {
		return nil, err
	}
	if bin == "" {
		var err error
		if bin, err = FindDreamcomp(); err != nil {
			return nil, err
		}
	}
	keys, err := os.MkdirTemp("", "dreambench-keys-")
	if err != nil {
		return nil, err
	}
	// A display of its own, fresh each run and gone with it (no session).
	args = append([]string{"--listen", "127.0.0.1:0", "--keys-dir", keys, "--announce=false", "--session", "none"}, args...)
	d := &dreamcomp{cmd: exec.Command(bin, args...), net: n, done: make(chan error, 1)}
	pipe, err := d.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	ready := make(chan string, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(pipe)
		re := regexp.MustCompile(`display=(:\d+).* url_in=(\S+)`)
		for sc.Scan() {
			if len(lines) < 50 {
				lines = append(lines, sc.Text())
			}
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				d.display = m[1]
				ready <- m[2]
			}
		}
		d.done <- d.cmd.Wait()
		os.RemoveAll(keys)
	}()
	var file string
	select {
	case file = <-ready:
	case err := <-d.done:
		return nil, fmt.Errorf("dreamcomp exited before serving (%v): %s", err, strings.Join(lines, "\n"))
	case <-time.After(30 * time.Second):
		d.stop()
		return nil, errors.New("dreamcomp did not serve within 30 s")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		d.stop()
		return nil, err
	}
	u, err := url.Parse(strings.TrimSpace(string(b)))
	if err != nil {
		d.stop()
		return nil, err
	}
	d.base, d.token, d.fp = u.Scheme+"://"+u.Host, u.Query().Get("token"), u.Query().Get("fp")
	return d, nil
}

// client is a viewer's configuration for tile n: the token, and the
// certificate pinned.
func (d *dreamcomp) client(n int) client.Config {
	return client.Config{URL: d.base, Tile: n, Token: d.token, Net: d.net, Verify: func(fp string) error {
		if fp != d.fp {
			return fmt.Errorf("%w: %s", client.ErrUntrusted, fp)
		}
		return nil
	}}
}

func (d *dreamcomp) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
	}
}

// Usage is what a server spent: CPU time (user+sys), its peak resident
// memory, the frames its tiles sent (for dream, its updates: video frames and
// patches sent together; for a VNC server, its RFB updates), and the bytes of
// them (frames and patches, without the transport's headers; 0 when not
// known).
type Usage struct {
	CPU    time.Duration
	PeakKB int
	Frames uint64
	Bytes  uint64
	// Wakeups are the times the process's threads were put back on a CPU
	// (context switches, voluntary and not): what a still desktop should
	// make few of.
	Wakeups uint64
}

// PerFrame is the CPU time a delivered frame cost.
func (u Usage) PerFrame() time.Duration {
	if u.Frames == 0 {
		return 0
	}
	return u.CPU / time.Duration(u.Frames)
}

// usage reads the process's counters (Linux /proc) and its tiles' frames.
func (d *dreamcomp) usage(ctx context.Context) (Usage, error) {
	u, err := procUsage(d.cmd.Process.Pid)
	if err != nil {
		return u, err
	}
	tiles, err := client.Tiles(ctx, d.client(1))
	if err != nil {
		return u, err
	}
	for _, t := range tiles {
		u.Frames += t.Updates
		u.Bytes += t.Bytes + t.PatchBytes
	}
	return u, nil
}

// procUsage reads a process's CPU time and peak RSS from /proc.
func procUsage(pid int) (Usage, error) {
	var u Usage
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, err
	}
	// Fields after the command's name, which is in parentheses: utime and
	// stime are the 12th and 13th from there, in clock ticks (USER_HZ, 100).
	rest := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(rest) < 13 {
		return u, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(rest))
	}
	ut, _ := strconv.ParseInt(rest[11], 10, 64)
	st, _ := strconv.ParseInt(rest[12], 10, 64)
	u.CPU = time.Duration(ut+st) * 10 * time.Millisecond
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	if m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status); m != nil {
		u.PeakKB, _ = strconv.Atoi(string(m[1]))
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue // a thread that ended meanwhile
		}
		for _, m := range switches.FindAllSubmatch(b, -1) {
			n, _ := strconv.ParseUint(string(m[1]), 10, 64)
			u.Wakeups += n
		}
	}
	return u, nil
}

var switches = regexp.MustCompile(`(?m)^(?:non)?voluntary_ctxt_switches:\s+(\d+)$`)
