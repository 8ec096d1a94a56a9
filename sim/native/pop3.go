//go:build !js

package native

import (
	"maillab/sim/machine"
	"maillab/sim/pop3"
	"maillab/sim/trace"
)

// NewPOP3 returns the POP3 server of a setup, reading the Maildirs SMTP
// delivers into. The store locks each maildrop for one session (a second
// one gets -ERR [IN-USE], RFC 2449 §8.1.2) and removes messages only in
// UPDATE, after QUIT (RFC 1939 §6).
func NewPOP3(s Setup) (*Server, error) {
	base, err := s.check()
	if err != nil {
		return nil, err
	}
	srv := newServer("pop3", base.Hostname, s.Limits, s.TLS, s.Hub)
	srv.lineAtATime = true
	srv.busy = trace.Step{Kind: trace.Reply, ByServer: true, Status: "-ERR", RespCode: "SYS/TEMP", ReplyTo: "GREETING", RFC: "RFC 3206 §4",
		Text: "-ERR [SYS/TEMP] too many connections"}
	// No goodbye at shutdown: POP3 has no unsolicited responses, and a
	// client would take one for the answer to its next command.
	rules := s.injector()
	srv.throttle = s.throttle()
	srv.machine = func(p peer, ss *session) machine.Server {
		return pop3.NewServer(pop3.Config{
			Hostname: base.Hostname, Users: base.Users, APOP: s.APOP, TLS: pop3TLS(base.TLS, s.TLS != nil, p),
			Store: s.Store, Faults: srv.throttle.injector(hostIP(p.Remote), base.Hostname, rules), Peer: hostIP(p.Remote), Conn: p.ID,
		})
	}
	return srv, nil
}

// pop3TLS decides STLS for one session: never without a certificate or on
// an implicit-TLS connection; required off loopback, so that no password
// crosses the network in the clear (RFC 2595 §2.3); else as configured.
func pop3TLS(mode string, haveCert bool, p peer) string {
	switch {
	case !haveCert || p.TLS:
		return pop3.TLSOff
	case !PlaintextAuthAllowed(p.Local) || mode == "required":
		return pop3.TLSRequired
	case mode == "off":
		return pop3.TLSOff
	}
	return pop3.TLSOptional
}
