package mailstore

import (
	"io/fs"
	"syscall"
	"time"
)

// accessTime is when the file was last read, or its modification time
// where the system does not say.
func accessTime(info fs.FileInfo) time.Time {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Atim.Unix())
	}
	return info.ModTime()
}
