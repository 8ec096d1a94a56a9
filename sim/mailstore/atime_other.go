//go:build !linux && !js

package mailstore

import (
	"io/fs"
	"time"
)

// accessTime falls back to the modification time outside Linux.
func accessTime(info fs.FileInfo) time.Time { return info.ModTime() }
