//go:build !js

package native

import (
	"net"
	"strings"
	"sync"
	"time"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// session is one connection's recorder: it stamps each step with the time
// since the connection opened, the actors and the encryption before the hub
// keeps it. Only the connection's goroutine uses it.
type session struct {
	hub       *Hub
	rec       *record
	proto     string
	client    string // the client's address: the trace's client actor
	server    string // the server's host name: the trace's server actor
	start     time.Time
	now       time.Time // the time of the steps being recorded (tick)
	encrypted bool

	// held are steps made while the machine was working (by Deliver, which
	// it calls from inside Feed); they are recorded after the lines that
	// caused them and before the replies (see conn.apply).
	held []machine.Event
	env  envelopes
	// out collects what the session reports until publish hands it to the
	// hub under one lock: a message of 20 lines would otherwise take the
	// hub's lock, which every session shares, some 50 times. Batches are
	// reused from one session to the next (batchPool).
	out *batch
}

var batchPool = sync.Pool{New: func() any { return new(batch) }}

// begin opens a session in the hub with its Connect step.
func (s *Server) begin(nc net.Conn, implicitTLS bool) *session {
	now := time.Now()
	ss := &session{hub: s.hub, proto: s.proto, client: nc.RemoteAddr().String(), server: s.host, start: now, out: batchPool.Get().(*batch)}
	info := Info{Proto: s.proto, Client: ss.client, Server: s.host, Listen: nc.LocalAddr().String(), TLS: implicitTLS, Start: now}
	text := s.proto
	if implicitTLS {
		text += ", implicit TLS"
	}
	ss.rec = s.hub.begin(info, trace.Step{Kind: trace.Connect, Proto: s.proto, From: ss.client, To: s.host, Text: text})
	return ss
}

// id is the session number (Step.Conn).
func (ss *session) id() int { return ss.rec.info.ID }

// event records what a machine event says: its step and its log lines.
// It fills in the event's step (see record).
func (ss *session) event(e *machine.Event) {
	if e.Log != "" {
		// POP3 joins several log lines of one event with "\n".
		for l := range strings.SplitSeq(e.Log, "\n") {
			ss.logLine(l)
		}
	}
	if e.Step.Kind != "" {
		ss.record(&e.Step)
	}
}

// tick sets the time of the steps recorded next: the events of one call
// to a machine happened at one moment, and the clock is read once for
// them, not for each line.
func (ss *session) tick() { ss.now = time.Now() }

// step records one step now, filling in what only the driver knows.
func (ss *session) step(st trace.Step) {
	ss.tick()
	ss.record(&st)
}

// record is step for a step the caller is done with: it is filled in
// where it is, and copied once, into the batch. A step is some 300 octets
// and a message of 20 lines makes 40 of them.
func (ss *session) record(st *trace.Step) {
	if st.Kind == trace.Data && ss.out.textFull {
		ss.out.skipped++ // the hub keeps no more text of this session
		return
	}
	st.At = ss.now.Sub(ss.start)
	st.Proto = ss.proto
	if st.ByServer || (st.Kind != trace.Command && st.Kind != trace.Data) {
		st.From, st.To = ss.server, ss.client
	} else {
		st.From, st.To = ss.client, ss.server
	}
	st.Encrypted = st.Encrypted || ss.encrypted
	ss.out.addStep(st)
	if ss.proto == "smtp" {
		if e, ok := ss.env.see(st); ok {
			e.Server = ss.server
			ss.out.addEnvelope(e)
		}
	}
}

// publish hands what the session reported so far to the hub. The driver
// calls it whenever it writes to the client, so the live view follows the
// wire.
func (ss *session) publish() {
	if len(ss.out.ops) > 0 || ss.out.skipped > 0 {
		ss.hub.addBatch(ss.rec, ss.out)
	}
}

// note records a remark of the driver's (a handshake, a drop).
func (ss *session) note(text, rfc string) {
	ss.step(trace.Step{Kind: trace.Note, Text: text, RFC: rfc})
}

// log records a line of the server's mail log now.
func (ss *session) log(text string) {
	ss.tick()
	ss.logLine(text)
}

// logLine records a line of the server's mail log at the last tick.
func (ss *session) logLine(text string) {
	// The machines quote client input in their log lines with control
	// octets made harmless; this is the backstop for the log the page shows.
	if strings.ContainsAny(text, "\r\x00") {
		text = strings.NewReplacer("\r", "?", "\x00", "?").Replace(text)
	}
	ss.out.addLog(trace.LogLine{At: ss.now.Sub(ss.start), Host: ss.server, Text: text})
}

// hold keeps a step or log line made during a Feed for flushHeld.
func (ss *session) hold(e machine.Event) { ss.held = append(ss.held, e) }

func (ss *session) flushHeld() {
	for i := range ss.held {
		ss.event(&ss.held[i])
	}
	ss.held = ss.held[:0]
}

// end records the Close step.
func (ss *session) end(text, serverState string) {
	ss.flushHeld()
	ss.publish()
	st := trace.Step{Kind: trace.Close, Proto: ss.proto, At: time.Since(ss.start), From: ss.client, To: ss.server,
		Text: text, ServerState: serverState, Encrypted: ss.encrypted}
	ss.hub.end(ss.rec, st, time.Now())
	if ss.out != nil {
		ss.out.textFull = false
		batchPool.Put(ss.out)
		ss.out = nil
	}
}
