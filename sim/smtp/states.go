package smtp

import "maillab/sim/machine"

// Server states (PROTOCOL.md §1.1, RFC 5321 §4.1.4).
const (
	StateInit     = "INIT"     // greeting sent; waiting for EHLO/HELO
	StateRejected = "REJECTED" // 554 greeting sent; only QUIT is useful (RFC 5321 §3.1)
	StateReady    = "READY"    // EHLO/HELO done; no transaction
	StateMail     = "MAIL"     // MAIL accepted; no recipient yet
	StateRcpt     = "RCPT"     // at least one recipient accepted
	StateData     = "DATA"     // 354 sent; reading message text
	StateBDAT     = "BDAT"     // a BDAT chunk without LAST accepted (RFC 3030 §2)
	StateAuth     = "AUTH"     // a SASL exchange is under way (RFC 4954 §4)
	StateTLS      = "TLS"      // 220 sent to STARTTLS; the handshake is pending (RFC 3207 §4)
	StateClosed   = "CLOSED"
)

// serverTable is the SMTP server's whole sequence discipline, as data: in a
// state, a command listed here is allowed and leads to the given state when
// it succeeds; a failed command leaves the state unchanged (RFC 5321 §4.1.4).
// A command with no entry is answered "503 5.5.1" (the one place a sequence
// error comes from). The page draws the server's state diagram from it.
var serverTable = map[string]map[string]string{
	StateInit: {
		"EHLO": StateReady, "HELO": StateReady,
		"NOOP": StateInit, "RSET": StateInit, "VRFY": StateInit, "HELP": StateInit,
		"QUIT": StateClosed,
	},
	StateRejected: {
		"QUIT": StateClosed,
	},
	StateReady: {
		"EHLO": StateReady, "HELO": StateReady,
		"MAIL": StateMail, "AUTH": StateReady, "STARTTLS": StateTLS,
		"NOOP": StateReady, "RSET": StateReady, "VRFY": StateReady, "HELP": StateReady,
		"QUIT": StateClosed,
	},
	StateMail: {
		"EHLO": StateReady, "HELO": StateReady,
		"RCPT": StateRcpt,
		// DATA here never gets 354: "554 5.5.1 no valid recipients" after
		// refused RCPTs, "503 5.5.1 need RCPT" otherwise (RFC 5321 §3.3).
		"DATA": StateMail,
		"NOOP": StateMail, "RSET": StateReady, "VRFY": StateMail, "HELP": StateMail,
		"QUIT": StateClosed,
	},
	StateRcpt: {
		"EHLO": StateReady, "HELO": StateReady,
		"RCPT": StateRcpt, "DATA": StateData, "BDAT": StateBDAT, "BDAT LAST": StateReady,
		"NOOP": StateRcpt, "RSET": StateReady, "VRFY": StateRcpt, "HELP": StateRcpt,
		"QUIT": StateClosed,
	},
	StateData: {
		"end-of-data": StateReady,
	},
	StateBDAT: {
		"BDAT": StateBDAT, "BDAT LAST": StateReady,
		// "NOOP, HELP, EXPN, VRFY, and RSET … can be used at any time" (RFC 5321 §4.1.4).
		"NOOP": StateBDAT, "RSET": StateReady, "VRFY": StateBDAT, "HELP": StateBDAT,
		"EHLO": StateReady, "HELO": StateReady,
		"QUIT": StateClosed,
	},
}

// stateOrder fixes the order states are listed and drawn in.
var stateOrder = []string{StateInit, StateRejected, StateReady, StateMail, StateRcpt, StateData, StateBDAT, StateClosed}

// ServerTable returns the server's state table as transitions, in a stable
// order, for the state diagrams: the commands of serverTable, then the
// events outside it (a SASL exchange, the TLS handshake, the ways a session
// can end without QUIT). TestServerFollowsItsTable holds every state change
// of every golden scenario against it.
func ServerTable() []machine.Transition {
	var out []machine.Transition
	for _, from := range stateOrder {
		row := serverTable[from]
		for _, ev := range commandOrder {
			if to, ok := row[ev]; ok {
				out = append(out, machine.Transition{From: from, Event: ev, To: to})
			}
		}
	}
	out = append(out,
		machine.Transition{From: StateInit, Event: "connect", To: StateRejected}, // a 554 greeting (RFC 5321 §3.1)
		machine.Transition{From: StateReady, Event: "AUTH", To: StateAuth},       // 334: a SASL exchange begins
		machine.Transition{From: StateAuth, Event: "AUTH", To: StateReady},       // 235, 535, 501: it ends
		machine.Transition{From: StateTLS, Event: "TLS", To: StateInit},          // handshake done (RFC 3207 §4.2)
	)
	for _, ev := range []string{"lost", "timeout", "drop", "421", "error"} {
		out = append(out, machine.Transition{From: machine.AnyState, Event: ev, To: StateClosed})
	}
	return out
}

// allowed looks a command up in the table.
func allowed(state, cmd string) (next string, ok bool) {
	next, ok = serverTable[state][cmd]
	return
}

// commandOrder lists every event of the table in the order diagrams show them.
var commandOrder = []string{"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "end-of-data", "BDAT", "BDAT LAST", "RSET", "NOOP", "VRFY", "HELP", "QUIT"}

// transitions holds the text of each state change, "server: MAIL → RCPT",
// made once instead of at every change.
var transitions = func() map[[2]string]string {
	states := []string{StateInit, StateRejected, StateReady, StateMail, StateRcpt, StateData, StateBDAT, StateAuth, StateTLS, StateClosed}
	m := make(map[[2]string]string, len(states)*len(states))
	for _, a := range states {
		for _, b := range states {
			m[[2]string{a, b}] = "server: " + a + " → " + b
		}
	}
	return m
}()

// transitionText is the Text of the State step from one state to another.
func transitionText(from, to string) string {
	if t, ok := transitions[[2]string{from, to}]; ok {
		return t
	}
	return "server: " + from + " → " + to
}
