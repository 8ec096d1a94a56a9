//go:build !linux && !js

package main

import "os/exec"

// setPdeathsig: only Linux can tie a child's life to its parent's; the
// benchmark stops its servers itself before it exits.
func setPdeathsig(c *exec.Cmd) {}
