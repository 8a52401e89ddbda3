package xvfb

import "syscall"

// sysProcAttr puts Xvfb in its own process group (a terminal's Ctrl-C reaches
// only dreamcomp, which then stops the server in order) and has the kernel
// kill it if dreamcomp dies without calling Stop.
//
// Pdeathsig fires when the thread that started the child exits; Go keeps its
// threads unless a goroutine exits while locked to one, which callers of
// Start must not do.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
