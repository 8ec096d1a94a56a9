//go:build !js

// Package native runs the sans-IO protocol machines of sim/smtp and sim/pop3
// over real TCP: the one package under sim/ that does I/O. There is no
// second implementation of either protocol here; this package only moves
// bytes between a net.Conn and a machine.Server (or machine.Client), with
// the deadlines, TLS handshakes and connection limits a real server needs,
// and reports every step to a Hub that the page's live view reads.
//
// One goroutine runs each connection and is the only one that touches its
// machine. Other goroutines reach a connection only through its deadlines
// (to wake it for shutdown), never through the machine.
//
// What a server open to a class needs besides the protocol: Limits (the
// number of sessions, the RFC timeouts, counted from the last whole line
// so that a trickle cannot hold a session), a Throttle that slows down and
// then refuses an address that keeps failing to log in (421 4.7.0, -ERR
// [LOGIN-DELAY]), bounded memory per session (line limits in the
// machines; POP3 fed one command at a time so that pipelined RETRs are not
// all built at once; the hub's bounds), and a store that answers only once
// the message is on disk (mailstore.Maildir, with group commit). The
// tests that hold it to this are *_test.go here: crash (SIGKILL of the real
// binary under load), badinput, smuggling, slow, throttle, security,
// storage and fuzz; nativebench measures it against Postfix, go-smtp and
// Dovecot (bench/native.md).
//
//	lab, _ := native.Start(setup, native.Addrs{SMTP: "127.0.0.1:2525", POP3: "127.0.0.1:1110"})
//	defer lab.Close()
//	sub := lab.Hub.Subscribe(256) // the live view
//	lab.Faults.Add(fault.Rule{When: "RCPT TO:*", Then: "451 4.7.1 Greylisted"})
package native
