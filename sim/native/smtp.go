//go:build !js

package native

import (
	"maillab/sim/machine"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// NewSMTP returns the SMTP server of a setup. Each session gets its own
// machine (smtp.NewServer) with the client's address, the local delivery
// agent, the live fault rules, no relaying even after AUTH, and AUTH held back
// until STARTTLS unless the client came over loopback.
func NewSMTP(s Setup) (*Server, error) {
	base, err := s.check()
	if err != nil {
		return nil, err
	}
	host := base.Hostname
	srv := newServer("smtp", host, s.Limits, s.TLS, s.Hub)
	srv.busy = trace.Step{Kind: trace.Reply, ByServer: true, Code: 421, Enhanced: "4.7.0", ReplyTo: "GREETING", RFC: "RFC 5321 §3.1",
		Text: "421 4.7.0 " + host + " Error: too many connections"}
	// RFC 5321 §3.8: a server that must shut down says 421 and closes.
	srv.bye = trace.Step{Kind: trace.Reply, ByServer: true, Code: 421, Enhanced: "4.3.2", RFC: "RFC 5321 §3.8",
		Text: "421 4.3.2 " + host + " Service not available, closing transmission channel"}
	rules := s.injector()
	srv.throttle = s.throttle()
	srv.machine = func(p peer, ss *session) machine.Server {
		cfg := sessionConfig(base, p, s, ss)
		cfg.Faults = srv.throttle.injector(hostIP(p.Remote), host, rules)
		return smtp.NewServer(cfg)
	}
	return srv, nil
}

// sessionConfig is one session's SMTP configuration.
func sessionConfig(base smtp.Config, p peer, s Setup, ss *session) smtp.Config {
	cfg := base
	cfg.Peer = smtp.Peer{Name: peerName(p.Remote), Addr: hostIP(p.Remote)}
	cfg.PID = pid
	cfg.QueueID = newQueueID
	cfg.Deliver = deliverer(s.Store, base, ss)
	cfg.ReuseEvents = true // conn.apply is done with the events before the next call but one
	cfg.NoRelay = true     // native mode never sends mail anywhere: other domains get 554 5.7.1
	if !PlaintextAuthAllowed(p.Local) {
		cfg.AuthNeedsTLS = true // RFC 4954 §4: no plaintext password off loopback
	}
	if p.TLS {
		// Implicit TLS (RFC 8314 §3.3): the channel is encrypted already,
		// so AUTH is fine and STARTTLS is not offered again.
		cfg.ImplicitTLS, cfg.AuthNeedsTLS = true, false
	}
	return cfg
}
