//go:build !linux && !js

package mailstore

// markTopDir has nothing to do outside Linux (see maildir_topdir_linux.go).
func markTopDir(string) {}
