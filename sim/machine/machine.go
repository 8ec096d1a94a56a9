// Package machine is the contract between the sans-IO protocol machines
// (sim/smtp, sim/pop3) and whatever drives them: the in-memory link of the
// simulation (sim/scenario), the TCP driver of native mode (sim/native) and
// the page's terminal. A machine takes bytes and the current time and returns
// events; it never reads a clock, opens a socket or starts a goroutine.
package machine

import (
	"time"

	"maillab/sim/trace"
)

// Action is what the driver must do after handling an event.
type Action int

const (
	None      Action = iota
	StartTLS         // write what came before, then start TLS (the server side after "220 Ready to start TLS")
	CloseConn        // write what came before, then close the connection
	Wait             // pause for Delay before the next event (a "delay" fault; virtual time in the simulation)
	Hang             // stop answering: the peer will time out (a "timeout" fault)
)

// Event is one step a machine took. Lines to send are steps of kind
// trace.Reply, trace.Data or trace.Command; the driver writes Text + CRLF for
// each one (Sends). Lines the machine received come back as events too, with
// Received set, so the trace shows them as the machine understood them (a
// command, or a line of data).
type Event struct {
	Step   trace.Step
	Action Action
	Delay  time.Duration
	// Received marks a line the machine took in (reported for the trace, not sent).
	Received bool
	// Log is a line for the server's mail log (Postfix style), if any.
	Log string
}

// Sends reports whether the event is a line its machine writes to the wire.
func (e Event) Sends() bool {
	if e.Received {
		return false
	}
	switch e.Step.Kind {
	case trace.Reply, trace.Data, trace.Command:
		return true
	}
	return false
}

// Server is a protocol server machine.
type Server interface {
	// Start returns the greeting.
	Start(now time.Time) []Event
	// Feed hands over bytes the client sent; they may hold part of a line or many lines.
	Feed(now time.Time, b []byte) []Event
	// TLSReady tells the server the TLS handshake it asked for has finished.
	TLSReady(now time.Time) []Event
	// Timeout tells the server the client was silent too long (RFC 5321 §4.5.3.2.7, RFC 1939 §3).
	Timeout(now time.Time) []Event
	// Lost tells the server the connection dropped: no QUIT came.
	Lost(now time.Time) []Event
	State() string
}

// Client is a protocol client machine working through a job.
type Client interface {
	// Feed hands over bytes the server sent.
	Feed(now time.Time, b []byte) []Event
	// TLSReady tells the client the TLS handshake it asked for has finished.
	TLSReady(now time.Time) []Event
	// Lost tells the client the connection dropped or timed out.
	Lost(now time.Time, timeout bool) []Event
	State() string
	// Done reports whether the client has nothing more to do on this connection.
	Done() bool
}

// Transition is one edge of a machine's state table: in state From, Event
// (a command verb, a reply class such as "2xx", or "end-of-data") leads to To.
// From "*" (AnyState) is a transition from every state, such as a dropped
// connection: diagrams draw it once instead of from every box.
// The page draws the state diagrams from these, so they cannot drift from
// the code.
const AnyState = "*"

type Transition struct {
	From  string `json:"from"`
	Event string `json:"event"`
	To    string `json:"to"`
}
