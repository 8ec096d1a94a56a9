//go:build !js

package native

import (
	"net"
	"strconv"
)

// PlaintextAuthAllowed reports whether a client that reached the server at
// the local address local may send a password before TLS. Only over the
// loopback interface, where the traffic never leaves the machine: that is
// what lets a class run smtplib's login() without certificates, and RFC 4954
// §4 and RFC 2595 §2.3 let a server refuse plaintext passwords anywhere
// else, which native mode does (smtp.Config.AuthNeedsTLS, POP3 TLS required).
func PlaintextAuthAllowed(local net.Addr) bool { return Loopback(local) }

// Loopback reports whether an address is on the loopback interface
// (127.0.0.0/8, ::1): traffic to it never leaves the machine.
func Loopback(a net.Addr) bool {
	ip := ipOf(a)
	return ip != nil && ip.IsLoopback()
}

// Exposed reports whether a listener on addr is reachable from other
// machines: any address but a loopback one (0.0.0.0 and :: included).
func Exposed(addr net.Addr) bool { return !Loopback(addr) }

func ipOf(a net.Addr) net.IP {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP
	case nil:
		return nil
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		host = a.String()
	}
	return net.ParseIP(host)
}

// hostIP returns the IP address of a client for logs and Received: lines.
func hostIP(a net.Addr) string {
	if ip := ipOf(a); ip != nil {
		return ip.String()
	}
	return "unknown"
}

// peerName is the client's name for logs and Received: lines. Native mode
// makes no DNS lookups (they would be outgoing traffic and slow), so a
// client is "localhost" on loopback and "unknown" elsewhere, as Postfix
// writes a client without reverse DNS.
func peerName(a net.Addr) string {
	if ip := ipOf(a); ip != nil && ip.IsLoopback() {
		return "localhost"
	}
	return "unknown"
}

func itoa(n int) string { return strconv.Itoa(n) }
