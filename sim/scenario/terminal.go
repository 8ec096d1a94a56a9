package scenario

import (
	"strings"
	"time"

	"maillab/sim/machine"
	"maillab/sim/pop3"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// Terminal is a person typing SMTP or POP3 by hand against a simulated
// server, as with telnet: each line typed goes to the server machine and
// the trace grows with the dialogue. The page's terminal tab and the lesson
// linter's transcript check use it.
type Terminal struct {
	w     *world
	l     *link
	proto string
	host  *host
}

// person is the client side of a terminal: a human, so it has no machine
// state and sends only what is typed.
type person struct{ closed bool }

func (p *person) Feed(time.Time, []byte) []machine.Event { return nil }
func (p *person) TLSReady(time.Time) []machine.Event     { return nil }
func (p *person) Lost(time.Time, bool) []machine.Event {
	p.closed = true
	return nil
}
func (p *person) State() string { return "" }
func (p *person) Done() bool    { return p.closed }

// NewTerminal opens a connection from a person to the spec's server (or to
// the server named by host, if not empty) speaking proto ("smtp" or "pop3").
func NewTerminal(spec *Spec, proto, hostName string) (*Terminal, error) {
	rules, err := spec.Rules()
	if err != nil {
		return nil, err
	}
	w := newWorld(spec, rules)
	if hostName == "" {
		hostName = spec.Server
		if proto == "pop3" && spec.Fetch != nil {
			hostName = spec.Fetch.Server
		}
	}
	h := w.hosts[hostName]
	if h == nil {
		return nil, &Error{File: spec.Name, Line: 1, Col: 1, Msg: "no server " + hostName}
	}
	t := &Terminal{w: w, proto: proto, host: h}
	you := "you (telnet)"
	w.tr.Actors = nil
	w.tr.AddActor(trace.Actor{Name: you, Role: "mua", Desc: "you, typing commands"})
	var srv machine.Server
	serverName := h.name
	w.conns++
	switch proto {
	case "pop3":
		// Put the spec's messages in the maildrops first, so there is mail to read.
		w.send()
		w.runQueues()
		w.tr.Steps, w.tr.Log, w.tr.Envelopes = nil, nil, nil
		w.conns = 1
		serverName = h.name + " POP3"
		srv = pop3.NewServer(pop3.Config{Hostname: h.cfg.Hostname, Users: h.cfg.Users, APOP: bool(h.spec.APOP), TLS: tlsOr(h.spec.TLS),
			Store: h.store, Faults: rules, Peer: "192.0.2.20", Conn: 1})
	default:
		cfg := h.cfg
		cfg.Peer = smtp.Peer{Name: "your-pc.example.com", Addr: "192.0.2.99"}
		cfg.QueueID = h.qids
		cfg.Deliver = func(m *smtp.Message) error { return w.accept(h, m) }
		srv = smtp.NewServer(cfg)
	}
	w.tr.AddActor(trace.Actor{Name: serverName, Role: map[string]string{"pop3": "pop3", "smtp": "msa"}[proto]})
	t.l = &link{w: w, conn: w.conns, proto: proto, client: &person{}, server: srv, clientName: you, serverName: serverName, serverHost: h.name}
	w.add(trace.Step{Conn: t.l.conn, Proto: proto, From: you, To: serverName, Kind: trace.Connect, Text: proto})
	t.l.fromServer(srv.Start(w.now))
	return t, nil
}

func tlsOr(s string) string {
	if s == "" {
		return "optional"
	}
	return s
}

// Type sends one line as the person typed it (CRLF is added) and returns
// the steps it caused.
func (t *Terminal) Type(line string) []trace.Step {
	before := len(t.w.tr.Steps)
	if t.l.serverClosed {
		return nil
	}
	line = strings.TrimRight(line, "\r\n")
	if t.l.hung {
		t.w.add(trace.Step{Conn: t.l.conn, Proto: t.proto, From: t.l.clientName, To: t.l.serverName, Kind: trace.Command, Text: line})
	} else {
		t.l.fromServer(t.l.server.Feed(t.w.now, []byte(line+"\r\n")))
	}
	if t.l.serverClosed {
		t.w.add(trace.Step{Conn: t.l.conn, Proto: t.proto, From: t.l.clientName, To: t.l.serverName, Kind: trace.Close,
			Text: "connection " + itoa(t.l.conn) + " closed", ServerState: t.l.server.State()})
		// The session is over: mail accepted for other domains now goes on
		// its way (MX lookup, relay, retries, bounces), so its fate shows.
		if t.proto == "smtp" {
			t.w.runQueues()
		}
	}
	return append([]trace.Step(nil), t.w.tr.Steps[before:]...)
}

// TLSReady completes a STARTTLS/STLS the person asked for (the page has
// no real handshake to do).
func (t *Terminal) TLSReady() []trace.Step {
	before := len(t.w.tr.Steps)
	t.l.fromServer(t.l.server.TLSReady(t.w.now))
	return append([]trace.Step(nil), t.w.tr.Steps[before:]...)
}

// Closed reports whether the server has closed the connection.
func (t *Terminal) Closed() bool { return t.l.serverClosed }

// State is the server's state.
func (t *Terminal) State() string { return t.l.server.State() }

// Trace returns the dialogue so far, with the maildrops as they are now
// (after QUIT, mail accepted for other domains has been relayed).
func (t *Terminal) Trace() *trace.Trace {
	tr := *t.w.tr
	tr.Steps = append([]trace.Step(nil), t.w.tr.Steps...)
	tr.Mailboxes = nil
	w2 := *t.w
	w2.tr = &tr
	w2.finish()
	return &tr
}
