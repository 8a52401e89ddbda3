//go:build !linux

package xvfb

import "syscall"

// sysProcAttr puts Xvfb in its own process group. Outside Linux there is no
// parent-death signal: a dreamcomp that dies without Stop leaves Xvfb running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
