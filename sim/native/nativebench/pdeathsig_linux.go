//go:build linux

package main

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel kill the child when this process dies, so
// that no server outlives the benchmark.
func setPdeathsig(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
