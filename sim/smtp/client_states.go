package smtp

import (
	"strconv"

	"maillab/sim/machine"
)

// clientTable is the client's course through a session, as data: in a
// state, an event (the reply just read, or "TLS", "lost", "timeout") leads
// to the next state. The client's code decides which of the allowed
// transitions to take (STARTTLS or AUTH or straight to MAIL); the test
// TestClientFollowsItsTable holds every transition it takes in every golden
// scenario against this table, so the page's diagram cannot drift from it.
var clientTable = []machine.Transition{
	{From: ClientConnecting, Event: "220", To: ClientHello},
	{From: ClientConnecting, Event: "5xx", To: ClientQuit},   // 554 greeting: QUIT (RFC 5321 §3.1)
	{From: ClientConnecting, Event: "5xx", To: ClientClosed}, // smtplib, curl: close at once
	{From: ClientConnecting, Event: "421", To: ClientClosed},
	{From: ClientHello, Event: "250", To: ClientTLS},
	{From: ClientHello, Event: "250", To: ClientAuth},
	{From: ClientHello, Event: "250", To: ClientMail},
	{From: ClientHello, Event: "250", To: ClientQuit},  // nothing to send, or STARTTLS required but not offered
	{From: ClientHello, Event: "5xx", To: ClientHello}, // EHLO refused: HELO (RFC 5321 §3.2)
	{From: ClientHello, Event: "5xx", To: ClientQuit},
	{From: ClientTLS, Event: "TLS", To: ClientHello}, // EHLO again after the handshake (RFC 3207 §4.2)
	{From: ClientTLS, Event: "4xx", To: ClientAuth},
	{From: ClientTLS, Event: "4xx", To: ClientMail},
	{From: ClientTLS, Event: "4xx", To: ClientQuit},
	{From: ClientTLS, Event: "5xx", To: ClientQuit},
	{From: ClientAuth, Event: "235", To: ClientMail},
	{From: ClientAuth, Event: "235", To: ClientQuit},
	{From: ClientAuth, Event: "5xx", To: ClientQuit},
	{From: ClientAuth, Event: "4xx", To: ClientQuit},
	{From: ClientMail, Event: "250", To: ClientRcpt},
	{From: ClientMail, Event: "4xx", To: ClientQuit},
	{From: ClientMail, Event: "5xx", To: ClientQuit},
	{From: ClientMail, Event: "250", To: ClientQuit}, // RSET done, nothing more to send
	{From: ClientMail, Event: "250", To: ClientMail}, // RSET done, next message
	{From: ClientRcpt, Event: "250", To: ClientData},
	{From: ClientRcpt, Event: "354", To: ClientData}, // pipelined: MAIL, RCPT and DATA went together
	{From: ClientRcpt, Event: "4xx", To: ClientData},
	{From: ClientRcpt, Event: "5xx", To: ClientData},
	{From: ClientRcpt, Event: "4xx", To: ClientQuit},
	{From: ClientRcpt, Event: "5xx", To: ClientQuit},
	{From: ClientRcpt, Event: "250", To: ClientQuit},
	{From: ClientRcpt, Event: "250", To: ClientMail},
	{From: ClientData, Event: "354", To: ClientSent},
	{From: ClientSent, Event: "250", To: ClientMail}, // the next message, or a second transaction after 452
	{From: ClientSent, Event: "250", To: ClientQuit},
	{From: ClientSent, Event: "4xx", To: ClientMail},
	{From: ClientSent, Event: "4xx", To: ClientQuit},
	{From: ClientSent, Event: "5xx", To: ClientMail},
	{From: ClientSent, Event: "5xx", To: ClientQuit},
	{From: ClientQuit, Event: "221", To: ClientClosed},
}

// ClientTable returns the client's state table for the diagrams. Every
// state can also end abruptly (the server's 421, a drop, a timeout): those
// rows come from machine.AnyState.
func ClientTable() []machine.Transition {
	out := append([]machine.Transition(nil), clientTable...)
	for _, ev := range []string{"421", "lost", "timeout"} {
		out = append(out, machine.Transition{From: machine.AnyState, Event: ev, To: ClientClosed})
	}
	return out
}

// replyEvent names a reply the way the client table does: the codes that
// steer the client are named, the rest go by class.
func replyEvent(code int) string {
	switch code {
	case 220, 221, 235, 250, 334, 354, 421:
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code/100) + "xx"
}
