//go:build !js && !(unix && !solaris && !aix)

package mailstore

import "os"

// lockFile only creates the lock file: where syscall has no flock (Windows,
// Solaris, AIX) the lock holds inside one process (the held table), not
// between processes.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

func unlockFile(f *os.File) { f.Close() }
