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
//	lab, _ := native.Start(setup, native.Addrs{SMTP: "127.0.0.1:2525", POP3: "127.0.0.1:1110"})
//	defer lab.Close()
//	sub := lab.Hub.Subscribe(256) // the live view
//	lab.Faults.Add(fault.Rule{When: "RCPT TO:*", Then: "451 4.7.1 Greylisted"})
package native
