// Package pop3 is the POP3 server and client as sans-IO state machines
// (RFC 1939 with the extensions of RFC 2449, 2595, 5034 and 6856): bytes and
// the time go in, events come out (lines to send, lines received, state
// changes, removed messages, log lines). Nothing here reads a clock, opens a
// socket or starts a goroutine, so the same code runs in the browser, in the
// simulation and behind native mode's TCP listener.
package pop3

import (
	"slices"
	"strconv"
	"time"

	"maillab/sim/fault"
	"maillab/sim/machine"
	"maillab/sim/mailstore"
	"maillab/sim/trace"
	"maillab/sim/wire"
)

// DefaultMaxLine is the longest command line, CRLF included, that the
// server must accept once it implements CAPA (RFC 2449 §4).
const DefaultMaxLine = 255

// TLS settings (Config.TLS).
const (
	TLSOff      = "off"      // no STLS
	TLSOptional = "optional" // STLS offered; plaintext login allowed
	TLSRequired = "required" // STLS offered; no login before it
)

// Config is one POP3 server's setup.
type Config struct {
	Hostname string
	Users    map[string]string // user → password
	APOP     bool              // put a <timestamp> in the greeting and accept APOP (RFC 1939 §7)
	TLS      string            // off | optional | required (anything else = off)
	Store    mailstore.Store   // nil: an empty in-memory store
	Faults   fault.Injector    // nil: no faults
	Peer     string            // the client's address, for the log ("rip=")
	MaxLine  int               // longest command line with CRLF; 0 = DefaultMaxLine
	// Conn numbers the connection. It goes into the APOP timestamp, which
	// MUST differ on every greeting (RFC 1939 §7): two sessions greeted at
	// the same virtual second still get different timestamps when the
	// driver numbers them.
	Conn int
}

// Server is one POP3 session, server side. It implements machine.Server.
type Server struct {
	cfg   Config
	state string
	in    wire.Splitter
	emitter

	timestamp string // the APOP challenge, "<conn.clock@host>", or ""
	tls       bool   // STLS completed
	utf8      bool   // the client sent UTF8 (RFC 6856 §2.1)
	hung      bool   // a timeout fault fired: read nothing, answer nothing

	user      string // the name from the last successful USER
	userLine  int    // the line number of that USER: PASS must be the very next line (RFC 1939 §7)
	lines     int    // lines received so far
	authTries int    // failed logins, for the log
	badCmds   int    // refused commands (badCommand)
	lockFails int    // good logins refused with [IN-USE], for the log
	fault     string // the fault rule behind the events being made, for Step.Fault

	sess *session // the open maildrop, from login to the end
}

var _ machine.Server = (*Server)(nil)

// NewServer returns a server session waiting for Start.
func NewServer(cfg Config) *Server {
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = DefaultMaxLine
	}
	if cfg.TLS != TLSOptional && cfg.TLS != TLSRequired {
		cfg.TLS = TLSOff
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	if cfg.Store == nil {
		cfg.Store = mailstore.NewMemory()
	}
	s := &Server{cfg: cfg, state: Authorization}
	s.in.Limit = cfg.MaxLine
	// A lone LF also ends a command: POP3 clients send no message text, so
	// there is no end-of-data to smuggle, and `nc` users type LF-only lines.
	s.in.AcceptBareLF = true
	return s
}

// State returns the current state name (see states.go).
func (s *Server) State() string { return s.state }

// Start sends the greeting (RFC 1939 §4), unless a fault on "connect" says otherwise.
func (s *Server) Start(now time.Time) []machine.Event {
	if s.cfg.APOP {
		// RFC 1939 §7 suggests <process-ID.clock@hostname>; the connection
		// number stands in for the process ID, the virtual clock for the clock.
		s.timestamp = "<" + strconv.Itoa(s.cfg.Conn) + "." + strconv.FormatInt(now.Unix(), 10) + "@" + s.cfg.Hostname + ">"
	}
	if o := s.check(fault.Connect); o != nil {
		switch o.Kind {
		case fault.Reply:
			// A refused greeting is a -ERR and a close, as servers that
			// turn connections away do; RFC 1939 only knows the +OK one.
			s.reply("GREETING", o.Reply, "RFC 1939 §4")
			s.closeConn("Disconnected: refused at greeting")
			return s.done()
		case fault.Drop:
			s.closeConn("Disconnected: Connection closed before the greeting")
			return s.done()
		case fault.Timeout:
			s.hang()
			return s.done()
		case fault.Delay:
			s.wait(o)
		}
	}
	text := "+OK " + s.cfg.Hostname + " POP3 ready."
	if s.timestamp != "" {
		text += " " + s.timestamp
	}
	s.reply("GREETING", text, "RFC 1939 §4")
	return s.done()
}

// Feed takes bytes from the client and processes every complete line in
// order: a pipelined batch is answered command by command (RFC 2449 §6.6).
func (s *Server) Feed(now time.Time, b []byte) []machine.Event {
	if s.state == Closed || s.hung {
		return nil
	}
	if s.state == TLSHandshake {
		s.discardPlaintext(len(b))
		return s.done()
	}
	s.in.Feed(b)
	for s.state != Closed && !s.hung && s.state != TLSHandshake {
		l, ok := s.in.Next()
		if !ok {
			break
		}
		s.line(l)
	}
	if s.state == TLSHandshake && s.in.Buffered() > 0 {
		s.discardPlaintext(len(s.in.Rest()))
	}
	return s.done()
}

// discardPlaintext drops bytes that arrived after STLS but before the
// handshake finished. RFC 2595 §4 forbids the client to send them; acting on
// them would let an attacker inject commands that later run "under TLS"
// (the CVE-2011-0411 class of bug).
func (s *Server) discardPlaintext(n int) {
	s.add(trace.Step{Kind: trace.Note, Proto: proto, ServerState: s.state,
		Text: "server discards " + strconv.Itoa(n) + " octets sent after STLS before the TLS handshake (RFC 2595 §4)", RFC: "RFC 2595 §4"})
}

// TLSReady finishes an STLS: the session starts over in AUTHORIZATION over
// TLS, forgetting a pending USER (RFC 2595 §4).
func (s *Server) TLSReady(now time.Time) []machine.Event {
	if s.state != TLSHandshake {
		return nil
	}
	s.tls = true
	s.user = ""
	s.setState(Authorization)
	return s.done()
}

// Timeout is the autologout timer (RFC 1939 §3): close without a response
// and without entering UPDATE.
func (s *Server) Timeout(now time.Time) []machine.Event {
	if s.state == Closed {
		return nil
	}
	s.add(trace.Step{Kind: trace.Note, Proto: proto, ServerState: s.state, RFC: "RFC 1939 §3",
		Text: "autologout: the server closes the connection without a response and removes nothing (RFC 1939 §3)"})
	s.endWithoutUpdate("Disconnected for inactivity", true)
	return s.done()
}

// Lost says the connection dropped without QUIT: nothing is removed and the
// lock is released (RFC 1939 §6).
func (s *Server) Lost(now time.Time) []machine.Event {
	if s.state == Closed {
		return nil
	}
	s.endWithoutUpdate("Disconnected: Connection closed", false)
	return s.done()
}

// done hands over the collected events and forgets the current fault.
func (s *Server) done() []machine.Event {
	s.fault = ""
	return s.take()
}

// line handles one line from the client.
func (s *Server) line(l wire.Line) {
	s.lines++
	s.fault = "" // a fault marks the events of its own line only
	verb, args := verbOf(l.Text)
	if s.state == AuthExchange {
		verb = "AUTH" // a SASL response line belongs to the AUTH command (RFC 5034 §4)
	}
	s.add(trace.Step{Kind: trace.Command, Proto: proto, Text: l.Text, Verb: verb, ServerState: s.state}).Received = true
	if o := s.check(l.Text); o != nil && s.applyFault(o, verb) {
		return
	}
	switch {
	case s.state == AuthExchange:
		if l.TooLong {
			s.saslFail("-ERR Line too long: at most "+strconv.Itoa(s.cfg.MaxLine)+" octets (RFC 2449 §4)", "RFC 2449 §4")
			return
		}
		s.saslResponse(l.Text)
	case l.TooLong:
		s.reply(verb, "-ERR Line too long: a command is at most "+strconv.Itoa(s.cfg.MaxLine)+" octets (RFC 2449 §4)", "RFC 2449 §4")
		s.badCommand()
	case verb == "":
		s.reply(verb, "-ERR Empty command line (RFC 1939 §3)", "RFC 1939 §3")
		s.badCommand()
	default:
		s.command(verb, args)
	}
}

// command runs one command, after the state table has allowed it.
func (s *Server) command(verb, args string) {
	h, known := handlers[verb]
	if !known {
		s.reply(verb, "-ERR Unknown command (RFC 1939 §3)", "RFC 1939 §3")
		s.badCommand()
		return
	}
	if !validIn(s.state, verb) {
		states := statesFor(verb)
		text := "-ERR " + verb + " is only valid in the " + states[0] + " state"
		if len(states) > 1 {
			text = "-ERR " + verb + " is not valid in the " + s.state + " state"
		}
		rfc := commandRFC(verb)
		s.reply(verb, text+" ("+rfc+")", rfc)
		s.badCommand()
		return
	}
	h(s, args)
}

// MaxBadCommands is how many unknown, empty, over-long or out-of-state
// commands a session may send before the server gives up on it, as
// Dovecot does and as the SMTP server does after 20 errors: a client stuck
// in a loop cannot hold a connection (and a maildrop lock) forever.
const MaxBadCommands = 20

// badCommand counts a refused command and ends the session, without
// UPDATE, when there have been too many.
func (s *Server) badCommand() {
	s.badCmds++
	if s.badCmds < MaxBadCommands || s.state == Closed {
		return
	}
	s.reply("", "-ERR Too many bad commands.", "RFC 1939 §3")
	s.endWithoutUpdate("Disconnected: Too many bad commands", true)
}

// handlers maps each verb the server knows to its code. Which state it is
// valid in is the table's business, not the handler's.
var handlers map[string]func(*Server, string)

func init() {
	handlers = map[string]func(*Server, string){
		"USER": (*Server).cmdUSER,
		"PASS": (*Server).cmdPASS,
		"APOP": (*Server).cmdAPOP,
		"AUTH": (*Server).cmdAUTH,
		"CAPA": (*Server).cmdCAPA,
		"STLS": (*Server).cmdSTLS,
		"UTF8": (*Server).cmdUTF8,
		"QUIT": (*Server).cmdQUIT,
		"STAT": (*Server).cmdSTAT,
		"LIST": (*Server).cmdLIST,
		"RETR": (*Server).cmdRETR,
		"DELE": (*Server).cmdDELE,
		"NOOP": (*Server).cmdNOOP,
		"RSET": (*Server).cmdRSET,
		"TOP":  (*Server).cmdTOP,
		"UIDL": (*Server).cmdUIDL,
	}
}

// reply sends one status line (or a SASL "+ " line) answering verb.
func (s *Server) reply(verb, text, rfc string) *machine.Event {
	status, code := statusOf(text)
	return s.add(trace.Step{Kind: trace.Reply, ByServer: true, Proto: proto, Text: text,
		Status: status, RespCode: code, ReplyTo: verb, RFC: rfc, ServerState: s.state, Fault: s.fault})
}

// multi sends "+OK …", the byte-stuffed lines and the terminating "."
// (RFC 1939 §3). lines must not be stuffed yet.
func (s *Server) multi(verb, status string, lines []string, rfc string) {
	s.out = slices.Grow(s.out, len(lines)+2) // one allocation for a whole message
	s.reply(verb, status, rfc).Step.More = true
	for _, l := range wire.Stuff(lines) {
		s.add(trace.Step{Kind: trace.Data, ByServer: true, Proto: proto, Text: l, ReplyTo: verb,
			RFC: rfc, ServerState: s.state, More: true, Fault: s.fault})
	}
	s.add(trace.Step{Kind: trace.Data, ByServer: true, Proto: proto, Text: ".", ReplyTo: verb,
		RFC: rfc, ServerState: s.state, Fault: s.fault})
}

// setState moves to a new state and reports it.
func (s *Server) setState(to string) *machine.Event {
	from := s.state
	s.state = to
	return s.add(trace.Step{Kind: trace.State, Proto: proto, Text: "server: " + from + " → " + to, ServerState: to, Fault: s.fault})
}

// log attaches a mail-log line to the latest event. Several lines are
// joined with "\n", so a line must hold no LF of its own: log lines quote
// what clients sent (user names, from AUTH PLAIN too), and a CR or LF there
// would forge a log line. Control octets become "?", as Dovecot's
// str_sanitize makes them.
func (s *Server) log(text string) {
	if e := s.last(); e != nil {
		if e.Log != "" {
			e.Log += "\n"
		}
		e.Log += logSafe(text)
	}
}

// logSafe replaces the control octets (C0 and DEL) of a log line with "?".
func logSafe(t string) string {
	b := []byte(nil)
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < 0x20 || c == 0x7f {
			if b == nil {
				b = []byte(t)
			}
			b[i] = '?'
		}
	}
	if b == nil {
		return t
	}
	return string(b)
}
