//go:build linux

package mailstore

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// sysSyncfs is syncfs(2)'s number, which package syscall does not list;
// an architecture missing here fsyncs each file instead.
var sysSyncfs = map[string]uintptr{
	"amd64": 306, "386": 344, "arm": 373, "arm64": 267, "riscv64": 267, "loong64": 267,
	"ppc64": 348, "ppc64le": 348, "s390x": 348,
}[runtime.GOARCH]

// syncFS flushes the file system that holds f: the data and metadata of
// every file, directory entries included (syncfs(2)).
func syncFS(f *os.File) error {
	for {
		_, _, e := syscall.Syscall(sysSyncfs, f.Fd(), 0, 0)
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		}
		return e
	}
}

// canSyncFS: syncfs reports write-back errors only since Linux 5.8; before
// that a failed write could go unnoticed and a message be answered 250
// without being on disk, so older kernels fsync each file instead.
func canSyncFS() bool {
	if sysSyncfs == 0 {
		return false
	}
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return false
	}
	major, rest, _ := strings.Cut(strings.TrimSpace(string(b)), ".")
	minor, _, _ := strings.Cut(rest, ".")
	minor = strings.TrimRightFunc(minor, func(r rune) bool { return r < '0' || r > '9' })
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	return err1 == nil && err2 == nil && (ma > 5 || (ma == 5 && mi >= 8))
}

// deviceOf is the device of the file system holding path, 0 if unknown.
func deviceOf(path string) uint64 {
	var st syscall.Stat_t
	if syscall.Stat(path, &st) != nil {
		return 0
	}
	return uint64(st.Dev)
}
