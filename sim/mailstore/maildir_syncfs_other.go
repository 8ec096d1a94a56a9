//go:build !linux && !js

package mailstore

import (
	"errors"
	"os"
)

// syncFS is Linux only; elsewhere each file and directory is fsynced.
func syncFS(*os.File) error { return errors.ErrUnsupported }

func canSyncFS() bool { return false }

func deviceOf(string) uint64 { return 0 }
