package pop3

import "maillab/sim/machine"

// Implementation is the IMPLEMENTATION capability's argument (RFC 2449 §6.9).
const Implementation = "maillab"

// capabilities is the CAPA list for the current state. Everything valid in
// AUTHORIZATION is announced in both states (RFC 2449 §5); STLS only while
// it can still be used (RFC 2595 §4: "present and permitted in the current
// state"). Before STLS on a TLS-required server, USER and SASL are left
// out: the server would refuse them, and a client must not be told to try.
func (s *Server) capabilities() []string {
	caps := []string{"TOP"}
	if !s.plaintextRefused() {
		caps = append(caps, "USER", "SASL PLAIN")
	}
	caps = append(caps, "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "UIDL")
	if s.stlsOffered() {
		caps = append(caps, "STLS")
	}
	return append(caps, "UTF8", "IMPLEMENTATION "+Implementation)
}

// stlsOffered: TLS is configured, not active yet, and the session is still
// in AUTHORIZATION without UTF8 (RFC 6856 §2.1: no STLS after UTF8).
func (s *Server) stlsOffered() bool {
	return s.cfg.TLS != TLSOff && !s.tls && !s.utf8 && s.state == Authorization
}

func (s *Server) cmdCAPA(args string) {
	if args != "" {
		s.reply("CAPA", "-ERR CAPA takes no arguments (RFC 2449 §5)", "RFC 2449 §5")
		return
	}
	s.multi("CAPA", "+OK Capability list follows", s.capabilities(), "RFC 2449 §5")
}

// cmdSTLS answers +OK and asks the driver for the handshake; the session
// stays in AUTHORIZATION afterwards (RFC 2595 §4).
func (s *Server) cmdSTLS(args string) {
	switch {
	case args != "":
		s.reply("STLS", "-ERR STLS takes no arguments (RFC 2595 §4)", "RFC 2595 §4")
	case s.cfg.TLS == TLSOff:
		s.reply("STLS", "-ERR TLS is not available on this server", "RFC 2595 §4")
	case s.tls:
		s.reply("STLS", "-ERR Command not permitted when TLS active", "RFC 2595 §4")
	case s.utf8:
		s.reply("STLS", "-ERR STLS is not permitted after UTF8 (RFC 6856 §2.1)", "RFC 6856 §2.1")
	default:
		s.setState(TLSHandshake)
		s.reply("STLS", "+OK Begin TLS negotiation", "RFC 2595 §4").Action = machine.StartTLS
	}
}

// cmdUTF8 enables UTF-8 mode (RFC 6856 §2.1): messages with UTF-8 headers
// may be sent from now on.
func (s *Server) cmdUTF8(args string) {
	if args != "" {
		s.reply("UTF8", "-ERR UTF8 takes no arguments (RFC 6856 §2.1)", "RFC 6856 §2.1")
		return
	}
	s.utf8 = true
	s.reply("UTF8", "+OK UTF8 enabled", "RFC 6856 §2.1")
}
