package mailstore

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// NewMaildir marks its root as the top of a directory hierarchy where the
// file system knows the flag (ext2/3/4; see markTopDir).
func TestMaildirRootIsTopDir(t *testing.T) {
	root := t.TempDir()
	flagsOf := func() (int32, syscall.Errno) {
		f, err := os.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var flags int32
		_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), fsIocGetflags, uintptr(unsafe.Pointer(&flags)))
		return flags, e
	}
	if _, e := flagsOf(); e != 0 {
		t.Skipf("the file system of %s has no inode flags (%v): nothing to check", root, e)
	}
	newMaildir(t, root)
	if flags, _ := flagsOf(); flags&fsTopdirFL == 0 {
		t.Errorf("flags of the root = %#x, want FS_TOPDIR_FL (%#x) set", flags, fsTopdirFL)
	}
}
