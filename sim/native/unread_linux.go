package native

import (
	"net"
	"syscall"
	"unsafe"
)

// siocinq is Linux's SIOCINQ (= FIONREAD): the octets waiting in a TCP
// socket's receive queue.
const siocinq = 0x541B

// nothingUnread reports whether the kernel holds no input for nc that the
// server has not read; false when it cannot tell (TLS, an error).
func nothingUnread(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	n := int32(-1)
	if rc.Control(func(fd uintptr) {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, siocinq, uintptr(unsafe.Pointer(&n))); errno != 0 {
			n = -1
		}
	}) != nil {
		return false
	}
	return n == 0
}
