//go:build !js

package native

import (
	"context"
	"errors"
	"net"

	"maillab/sim/fault"
)

// Addrs are the addresses a Lab listens on; an empty one is not served.
type Addrs struct {
	SMTP, POP3   string // plaintext, with STARTTLS/STLS when there is a certificate
	SMTPS, POP3S string // implicit TLS (RFC 8314 §3.3: 465 and 995 by convention)
}

// Listener is one address a Lab serves.
type Listener struct {
	Proto string // "smtp" or "pop3"
	TLS   bool   // implicit TLS
	Addr  net.Addr
}

// Lab is native mode running: the servers, the hub every session reports
// to, and the fault rules every session consults.
type Lab struct {
	Hub       *Hub
	Faults    *fault.Rules
	SMTP      *Server // nil when no SMTP address was given
	POP3      *Server // nil when no POP3 address was given
	Listeners []Listener
}

// listenConfig turns TCP keep-alive off on accepted connections: the
// protocols' own timeouts (RFC 5321 §4.5.3.2, RFC 1939 §3) already end a
// session whose client vanished, and keep-alive costs four setsockopt
// calls on every connection.
var listenConfig = net.ListenConfig{KeepAliveConfig: net.KeepAliveConfig{Enable: false}, KeepAlive: -1}

// Start listens on every address given, then serves them all until Close.
// Nothing is served if one address cannot be had.
func Start(s Setup, a Addrs) (*Lab, error) {
	if s.Hub == nil {
		s.Hub = NewHub(0)
	}
	if s.Faults == nil {
		s.Faults, _ = fault.New(nil) // so that the page can always add a rule
	}
	if s.Throttle == nil {
		s.Throttle = NewThrottle(ThrottleConfig{}) // one count per address for SMTP and POP3
	}
	lab := &Lab{Hub: s.Hub, Faults: s.Faults}
	var err error
	if a.SMTP != "" || a.SMTPS != "" {
		if lab.SMTP, err = NewSMTP(s); err != nil {
			return nil, err
		}
	}
	if a.POP3 != "" || a.POP3S != "" {
		if lab.POP3, err = NewPOP3(s); err != nil {
			return nil, err
		}
	}
	type plan struct {
		srv  *Server
		addr string
		tls  bool
	}
	plans := []plan{{lab.SMTP, a.SMTP, false}, {lab.POP3, a.POP3, false}, {lab.SMTP, a.SMTPS, true}, {lab.POP3, a.POP3S, true}}
	var lns []net.Listener
	for _, p := range plans {
		if p.addr == "" {
			lns = append(lns, nil)
			continue
		}
		if p.tls && s.TLS == nil {
			err = errors.New("implicit TLS on " + p.addr + " needs a certificate")
		}
		var ln net.Listener
		if err == nil {
			ln, err = listenConfig.Listen(context.Background(), "tcp", p.addr)
		}
		if err != nil {
			for _, l := range lns {
				if l != nil {
					l.Close()
				}
			}
			return nil, err
		}
		lns = append(lns, ln)
	}
	for i, p := range plans {
		ln := lns[i]
		if ln == nil {
			continue
		}
		lab.Listeners = append(lab.Listeners, Listener{Proto: p.srv.proto, TLS: p.tls, Addr: ln.Addr()})
		if p.tls {
			go p.srv.ServeTLS(ln)
		} else {
			go p.srv.Serve(ln)
		}
	}
	return lab, nil
}

// Addr returns the address serving proto ("smtp", "pop3") with or without
// implicit TLS, or nil.
func (l *Lab) Addr(proto string, implicitTLS bool) net.Addr {
	for _, x := range l.Listeners {
		if x.Proto == proto && x.TLS == implicitTLS {
			return x.Addr
		}
	}
	return nil
}

// Close stops every server (see Server.Close).
func (l *Lab) Close() error {
	for _, s := range []*Server{l.SMTP, l.POP3} {
		if s != nil {
			s.Close()
		}
	}
	return nil
}
