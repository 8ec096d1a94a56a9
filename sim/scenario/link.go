package scenario

import (
	"time"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// link is the one in-memory connection between a client machine and a
// server machine. It moves bytes both ways, runs the virtual clock through
// delays and timeouts, and records every step in the trace. Tests, scenarios
// and the page all go through it.
type link struct {
	order      []machine.Event // fromServer's reordering, reused
	w          *world
	conn       int
	proto      string
	client     machine.Client
	server     machine.Server
	clientName string
	serverName string
	serverHost string // for the server log
	// timeout gives how long the client waits for its pending reply.
	timeout func() time.Duration

	serverClosed, clientClosed, hung bool
	encrypted                        bool
}

// run drives the connection to its end.
func (l *link) run() {
	w := l.w
	w.add(trace.Step{Conn: l.conn, Proto: l.proto, From: l.clientName, To: l.serverName, Kind: trace.Connect, Text: l.proto})
	toClient := l.fromServer(l.server.Start(w.now))
	for i := 0; i < 100000; i++ {
		if len(toClient) > 0 && !l.clientClosed {
			toServer := l.fromClient(l.client.Feed(w.now, toClient))
			toClient = nil
			if len(toServer) > 0 {
				if l.serverClosed || l.hung {
					continue
				}
				toClient = l.fromServer(l.server.Feed(w.now, toServer))
				continue
			}
		}
		toClient = nil
		switch {
		case l.clientClosed && !l.serverClosed:
			l.fromServer(l.server.Lost(w.now))
			l.serverClosed = true
		case l.serverClosed && !l.clientClosed:
			l.fromClient(l.client.Lost(w.now, false))
			l.clientClosed = true
		case l.hung && !l.clientClosed:
			d := l.timeout()
			l.w.advance(d)
			w.add(trace.Step{Conn: l.conn, Proto: l.proto, From: l.clientName, To: l.serverName, Kind: trace.Wait,
				Text: "no reply for " + d.String() + ": the client gives up (RFC 5321 §4.5.3.2)"})
			l.fromClient(l.client.Lost(w.now, true))
			l.clientClosed = true
			l.fromServer(l.server.Lost(w.now))
			l.serverClosed = true
		}
		if l.clientClosed && l.serverClosed || len(toClient) == 0 && !l.progressPossible() {
			break
		}
	}
	w.add(trace.Step{Conn: l.conn, Proto: l.proto, From: l.clientName, To: l.serverName, Kind: trace.Close, Text: "connection " + itoa(l.conn) + " closed",
		ClientState: l.client.State(), ServerState: l.server.State()})
}

func (l *link) progressPossible() bool {
	return (l.clientClosed && !l.serverClosed) || (l.serverClosed && !l.clientClosed) || (l.hung && !l.clientClosed)
}

// receivedFirst puts the lines the server read before its own events,
// keeping each group's order. Usually they already are (a batch with no
// received line, or one command and its reply), and evs is returned as it
// is: the copies of these events were a fifth of what a re-run of a
// scenario allocated, and the page re-runs one for every fault.
func (l *link) receivedFirst(evs []machine.Event) []machine.Event {
	sorted := true
	for i := 1; i < len(evs); i++ {
		if evs[i].Received && !evs[i-1].Received {
			sorted = false
			break
		}
	}
	if sorted {
		return evs
	}
	l.order = l.order[:0]
	for _, e := range evs {
		if e.Received {
			l.order = append(l.order, e)
		}
	}
	for _, e := range evs {
		if !e.Received {
			l.order = append(l.order, e)
		}
	}
	return l.order
}

// fromServer records the server's events and returns the bytes it sends.
// The lines the server read in one batch are recorded before its answers:
// on the wire the client's whole write (a pipelined group, a message body)
// arrives before any reply to it (RFC 2920 §3.2).
func (l *link) fromServer(evs []machine.Event) []byte {
	evs = l.receivedFirst(evs)
	var out []byte
	for _, e := range evs {
		if e.Log != "" {
			l.w.log(l.serverHost, e.Log)
		}
		st := e.Step
		if st.Kind != "" {
			st.Conn, st.Proto = l.conn, l.proto
			if st.ByServer || st.Kind != trace.Command && st.Kind != trace.Data {
				st.From, st.To = l.serverName, l.clientName
			} else {
				st.From, st.To = l.clientName, l.serverName
			}
			st.ClientState = l.client.State()
			if st.Kind == trace.TLS {
				l.encrypted = true
			}
			st.Encrypted = st.Encrypted || l.encrypted
			// The handshake's start is noted once, by the client's side; a
			// reply that carries the action (POP3's "+OK Begin TLS
			// negotiation") is a line on the wire and always recorded.
			if e.Action != machine.StartTLS || st.Kind != trace.Note {
				l.w.add(st)
			}
			if st.Kind == trace.Store {
				l.w.flushDelivery()
			}
		}
		if e.Sends() {
			out = append(append(out, e.Step.Text...), "\r\n"...)
		}
		switch e.Action {
		case machine.Wait:
			l.w.advance(e.Delay)
		case machine.Hang:
			l.hung = true
		case machine.CloseConn:
			l.serverClosed = true
		}
	}
	l.w.flushDelivery()
	return out
}

// fromClient records the client's own steps (its notes and state changes;
// the lines it sends are recorded by the server as it reads them) and
// returns the bytes it sends.
func (l *link) fromClient(evs []machine.Event) []byte {
	var out []byte
	for _, e := range evs {
		st := e.Step
		sends := e.Sends()
		if st.Kind != "" && (!sends || l.serverClosed || l.hung) {
			st.Conn, st.Proto = l.conn, l.proto
			st.From, st.To = l.clientName, l.serverName
			st.ServerState = l.server.State()
			st.Encrypted = st.Encrypted || l.encrypted
			l.w.add(st)
		}
		if sends {
			out = append(append(out, e.Step.Text...), "\r\n"...)
		}
		switch e.Action {
		case machine.StartTLS:
			// Both sides agreed: the handshake happens here.
			wasEncrypted := l.encrypted
			l.fromServer(l.server.TLSReady(l.w.now))
			if !l.encrypted && !wasEncrypted {
				// The POP3 machine leaves the handshake to its driver to
				// show: from here on the dialogue is encrypted (RFC 2595 §4).
				l.encrypted = true
				l.w.add(trace.Step{Conn: l.conn, Proto: l.proto, From: l.clientName, To: l.serverName, Kind: trace.TLS, Encrypted: true,
					Text: "TLS handshake done: from here on the dialogue is encrypted (RFC 2595 §4)", RFC: "RFC 2595 §4",
					ClientState: l.client.State(), ServerState: l.server.State()})
			}
			out = append(out, l.fromClient(l.client.TLSReady(l.w.now))...)
		case machine.CloseConn:
			l.clientClosed = true
		}
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
