//go:build !linux && !js

package native

import "net"

// nothingUnread cannot tell on this system: the server always lingers.
func nothingUnread(net.Conn) bool { return false }
