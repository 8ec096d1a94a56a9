//go:build unix && !solaris && !aix

package mailstore

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock on path without waiting. Unlike fcntl
// locks, a flock also conflicts between two opens in one process, and the
// kernel drops it when the process dies, so a killed server leaves no stale
// lock behind.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, err
	}
	return f, nil
}

// unlockFile drops the flock, then closes. Closing alone is not enough: the
// lock belongs to the open file, which lives on in any copy of the
// descriptor, such as the one a child process holds between fork and exec.
func unlockFile(f *os.File) {
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}
