package smtp

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"maillab/sim/fault"
	"maillab/sim/machine"
	"maillab/sim/trace"
	"maillab/sim/wire"
)

// ErrInsufficientStorage from Config.Deliver makes the server answer
// "452 4.3.1" (a full disk) instead of "451 4.3.0".
var ErrInsufficientStorage = errors.New("insufficient system storage")

// Server is the SMTP server machine (RFC 5321). It is sans-IO: the driver
// hands it bytes and the time, and writes out the reply lines it returns.
type Server struct {
	cfg   Config
	state string
	in    wire.Splitter
	now   time.Time
	out   []machine.Event
	spare []machine.Event // the other event buffer (Config.ReuseEvents)
	hang  bool
	body  []byte // a message buffer kept for the next transaction

	helo  string
	esmtp bool
	tls   bool
	user  string // SASL identity once authenticated
	errs  int

	txn  transaction
	auth saslExchange

	counts   []verbCount // for the disconnect log line, in first-use order
	lastCode int         // the code of the last reply sent
	cause    string      // the event behind the next state change: a verb, "end-of-data", "TLS", "timeout", "lost"

	logPrefix  string // "maillab/smtpd[PID]: ", made on first use
	clientName string // "name[addr]" for log lines, made on first use
}

// transaction is the mail transaction buffer of RFC 5321 §3.3: reverse-path,
// forward-paths and the data. RSET, EHLO, HELO and the end of data clear it.
type transaction struct {
	active    bool
	from      string
	params    mailParams
	rcpts     []string
	notify    map[string]string
	refused   int
	queueID   string
	body      []byte // un-stuffed message, LF line ends
	size      int64  // octets counted as RFC 1870 §3 does (CRLF pairs, no stuffing dots)
	tooBig    bool
	longLine  bool
	prevCRLF  bool // the previous line really ended in CR LF (a "." can only end data after one)
	usedBDAT  bool
	chunkLeft int // octets of the current BDAT chunk still to read
	chunkSize int
	chunkLast bool // the current chunk is BDAT … LAST
	chunkDrop bool // read the chunk but throw it away (BDAT out of sequence, RFC 3030 §2)
	inChunk   bool
}

type mailParams struct {
	size     int64
	body     string
	smtputf8 bool
	ret      string
	envid    string
}

type verbCount struct {
	verb    string
	ok, all int
}

var _ machine.Server = (*Server)(nil)

// NewServer returns a server machine with cfg (unset fields take defaults).
func NewServer(cfg Config) *Server {
	cfg = cfg.WithDefaults()
	s := &Server{cfg: cfg, state: StateInit, tls: cfg.ImplicitTLS}
	s.in.AcceptBareLF = true // so that bare-LF lines can be seen and handled by policy
	if cfg.ReuseEvents {
		if sc, ok := scratchPool.Get().(*scratch); ok {
			s.out, s.spare, s.body = sc.out, sc.spare, sc.body
			s.in.Reuse(sc.in)
		}
	}
	return s
}

// scratch is the memory one machine hands to the next (Release).
type scratch struct {
	out, spare []machine.Event
	body, in   []byte
}

var scratchPool sync.Pool

// Release gives the machine's buffers to the next machine NewServer makes
// (with Config.ReuseEvents only): a server that accepts a connection per
// message then reuses a few grown buffers instead of growing new ones for
// every session. The driver calls it when it is done with the events of the
// last call; the machine must not be used after it.
func (s *Server) Release() {
	if !s.cfg.ReuseEvents {
		return
	}
	sc := &scratch{in: s.in.Recycle()}
	if cap(s.out) <= maxKeptEvents && cap(s.spare) <= maxKeptEvents {
		clear(s.out[:cap(s.out)])
		clear(s.spare[:cap(s.spare)])
		sc.out, sc.spare = s.out[:0], s.spare[:0]
	}
	if cap(s.body) <= maxKeptBody {
		sc.body = s.body[:0]
	}
	*s = Server{cfg: s.cfg, state: StateClosed}
	scratchPool.Put(sc)
}

// Config returns the server's effective configuration.
func (s *Server) Config() Config { return s.cfg }

// State implements machine.Server.
func (s *Server) State() string { return s.state }

// Start sends the greeting (RFC 5321 §3.1), unless a "connect" fault says otherwise.
func (s *Server) Start(now time.Time) []machine.Event {
	s.begin(now)
	s.cause = "connect"
	s.log("connect from " + s.client())
	greeting := R(220, "", s.cfg.Hostname+" ESMTP maillab", "RFC 5321 §3.1")
	if o := s.fault(fault.Connect); o != nil {
		switch o.Kind {
		case fault.Reply:
			r := ParseReply(o.Reply)
			r.RFC = "RFC 5321 §3.1"
			s.reply(r, "GREETING", o.Rule)
			switch r.Code {
			case 554:
				s.setState(StateRejected)
			case 421:
				s.close("")
			}
			return s.end()
		case fault.Drop, fault.Timeout:
			s.doFault(o)
			return s.end()
		case fault.Delay:
			s.wait(o)
		}
	}
	s.reply(greeting, "GREETING", "")
	return s.end()
}

// Feed implements machine.Server.
func (s *Server) Feed(now time.Time, b []byte) []machine.Event {
	s.begin(now)
	if s.state == StateClosed || s.hang {
		return s.end()
	}
	if s.state == StateTLS {
		// Bytes sent after STARTTLS but before the handshake are plaintext
		// that an attacker could have injected: never execute them
		// (CVE-2011-0411; RFC 3207 §4.2 resets the session after TLS anyway).
		return s.end()
	}
	s.in.Feed(b)
	s.pump()
	return s.end()
}

// TLSReady implements machine.Server: the handshake is done, and the
// session starts over as if just greeted (RFC 3207 §4.2).
func (s *Server) TLSReady(now time.Time) []machine.Event {
	s.begin(now)
	s.cause = "TLS"
	if s.state != StateTLS {
		return s.end()
	}
	s.tls = true
	// "The server MUST discard any knowledge obtained from the client …
	// which was not obtained from the TLS negotiation itself" (RFC 3207
	// §4.2): the EHLO name, the transaction and a plaintext AUTH too.
	s.helo, s.esmtp = "", false
	s.txn = transaction{}
	s.user, s.auth = "", saslExchange{}
	s.in.Rest()
	s.emit(trace.Step{Kind: trace.TLS, Text: "TLS handshake done: from here on the dialogue is encrypted; the client must send EHLO again (RFC 3207 §4.2)", RFC: "RFC 3207 §4.2"})
	s.log("Anonymous TLS connection established from " + s.client())
	s.setState(StateInit)
	return s.end()
}

// Timeout implements machine.Server: the client was silent longer than the
// server's command timeout (RFC 5321 §4.5.3.2.7).
func (s *Server) Timeout(now time.Time) []machine.Event {
	s.begin(now)
	s.cause = "timeout"
	if s.state == StateClosed {
		return s.end()
	}
	s.log("timeout after " + s.lastVerb() + " from " + s.client())
	s.reply(R(421, "4.4.2", s.cfg.Hostname+" Error: timeout exceeded", "RFC 5321 §4.5.3.2.7"), "", "")
	s.close("")
	return s.end()
}

// Lost implements machine.Server: the connection dropped without QUIT. An
// open transaction is abandoned, nothing is stored (RFC 5321 §3.8).
func (s *Server) Lost(now time.Time) []machine.Event {
	s.begin(now)
	s.cause = "lost"
	if s.state == StateClosed {
		return s.end()
	}
	s.log("lost connection after " + s.lastVerb() + " from " + s.client())
	s.txn = transaction{}
	s.close("")
	return s.end()
}

// pump handles every complete unit of input: command lines, data lines,
// SASL responses and BDAT chunks, in order (RFC 2920 §3.2(1): pipelined
// commands are answered in the order they came).
func (s *Server) pump() {
	for s.state != StateClosed && !s.hang && s.state != StateTLS {
		if s.txn.inChunk {
			if !s.readChunk() {
				return
			}
			continue
		}
		line, ok := s.nextLine()
		if !ok {
			return
		}
		switch s.state {
		case StateData:
			s.dataLine(line)
		case StateAuth:
			s.authLine(line)
		default:
			s.command(line)
		}
	}
}

// lineLimit is the longest line, CR LF included, the current state reads
// whole: a text line may have 1000 octets plus the stuffing dot, which is
// not counted (RFC 5321 §4.5.3.1.6); a command line is checked against 512
// in command, but AUTH exchanges may be longer (RFC 4954 §4).
func (s *Server) lineLimit() int {
	if s.state == StateData {
		return maxTextLine + 1
	}
	return maxAuthLine
}

// nextLine takes the next line from the input, cut at the limit of the
// current state. wire.Splitter keeps the CR at the end of an over-long
// line's cut, so a real CR LF split across reads stays a CR LF (RFC 5321
// §2.3.8, §4.1.1.4).
func (s *Server) nextLine() (wire.Line, bool) {
	s.in.Limit = s.lineLimit()
	return s.in.Next()
}

// command handles one command line.
func (s *Server) command(line wire.Line) {
	verb, arg := splitCommand(line.Text)
	s.cause = verb
	s.recv(trace.Command, line.Text, verb)
	if s.cfg.BareLF == "reject" && (line.BareLF || strings.IndexByte(line.Text, '\r') >= 0) {
		// A bare LF or CR in a command: the client's framing cannot be
		// trusted, so answer and close (PROTOCOL.md §1.8, RFC 5321 §2.3.8).
		r := replyBareLF
		if !line.BareLF {
			r = replyBareCR
		}
		s.reply(r, verb, "")
		s.close("")
		return
	}
	if line.TooLong || (len(line.Text)+2 > maxCmdLine && verb != "AUTH") {
		s.failed(verb, replyTooLong)
		return
	}
	if o := s.fault(line.Text); o != nil {
		if s.doFault(o) {
			r := ParseReply(o.Reply)
			s.reply(r, verb, o.Rule)
			s.count(verb, false)
			if (verb == "RCPT" || verb == "MAIL") && r.Code >= 400 {
				// Refused as if by the server's own policy: counted (DATA
				// then says "no valid recipients", RFC 5321 §3.3) and logged
				// the way Postfix logs a reject, so the log lesson works
				// with injected faults too.
				path, _, _ := parsePathArg(arg, map[string]string{"RCPT": "TO:", "MAIL": "FROM:"}[verb])
				s.logReject(verb, path, r)
				if verb == "RCPT" && s.txn.active {
					s.txn.refused++
				}
			}
			if r.Code == 421 {
				s.close("")
			}
			return
		}
		if o.Kind != fault.Delay {
			return
		}
	}
	if s.state == StateRejected && verb != "QUIT" && verb != "BDAT" {
		// After a 554 greeting the server "SHOULD respond to any intervening
		// commands with 503" until QUIT (RFC 5321 §3.1), unknown verbs too.
		s.failed(verb, replyBadSeq.withRFC("RFC 5321 §3.1"))
		return
	}
	if !implemented[verb] {
		if unimplemented[verb] {
			s.failed(verb, replyNotImpl)
		} else {
			s.failed(verb, replyUnknown)
		}
		return
	}
	if verb == "BDAT" {
		s.bdat(arg)
		return
	}
	if s.cfg.TLS == "required" && !s.tls && !tlsExempt[verb] {
		s.failed(verb, replyTLSReq)
		return
	}
	if s.authRequired() && !authExempt[verb] {
		s.failed(verb, replyAuthReq)
		return
	}
	next, ok := allowed(s.state, verb)
	if !ok {
		s.failed(verb, s.sequenceError(verb))
		return
	}
	r, good := s.handle(verb, arg)
	if r.Code != 0 {
		s.reply(r, verb, "")
	}
	// A DATA that got 354 is counted at its end (Postfix: data=1), an AUTH
	// exchange under way when it ends (finishAuth).
	if (verb != "DATA" || !good) && s.state != StateAuth {
		s.count(verb, good)
	}
	if !good {
		s.countError(r)
		return
	}
	switch verb {
	case "QUIT":
		s.close("")
	case "STARTTLS":
		s.setState(StateTLS)
		s.in.Rest() // CVE-2011-0411: drop pipelined plaintext after STARTTLS
		s.act(machine.StartTLS)
	case "DATA", "AUTH":
		// handle set the state (DATA, or AUTH while a SASL exchange runs)
		if verb == "DATA" {
			// The CRLF that ends the DATA line is the first CRLF of an
			// empty message's CRLF.CRLF (RFC 5321 §4.1.1.4); a bare LF
			// there is not one, so "DATA\n.\r\n" does not end the data
			// (§2.3.8, PROTOCOL.md §1.8).
			s.txn.prevCRLF = !line.BareLF
		}
	default:
		s.setState(next)
	}
}

// tlsExempt are the commands allowed before STARTTLS when TLS is required (RFC 3207 §4).
var tlsExempt = map[string]bool{"NOOP": true, "EHLO": true, "STARTTLS": true, "QUIT": true}

// authExempt are the commands allowed before AUTH when authentication is
// required (RFC 4954 §6, 530 5.7.0). STARTTLS is allowed too: a client may
// need TLS before it can authenticate (RFC 4954 §4).
var authExempt = map[string]bool{"AUTH": true, "EHLO": true, "HELO": true, "NOOP": true, "RSET": true, "QUIT": true, "STARTTLS": true}

// authRequired reports whether the client must still authenticate.
func (s *Server) authRequired() bool { return s.cfg.Auth == "required" && s.user == "" }

// sequenceError words the 503 for a command with no entry in the state table.
func (s *Server) sequenceError(verb string) Reply {
	switch {
	case s.state == StateInit:
		return replyNeedHelo
	case s.state == StateRejected:
		return replyBadSeq
	case verb == "MAIL":
		return replyNested
	case verb == "AUTH" || verb == "STARTTLS":
		return replyInTxn
	case s.state == StateBDAT && verb == "DATA":
		// DATA and BDAT must not be mixed in one transaction (RFC 3030 §2).
		return replyDataAfterBDAT
	case s.state == StateBDAT:
		return replyBadSeq.withRFC("RFC 3030 §2")
	case s.state == StateMail && (verb == "DATA" || verb == "BDAT"):
		return replyNeedRcpt
	case verb == "RCPT" || verb == "DATA" || verb == "BDAT":
		return replyNeedMail
	}
	return replyBadSeq
}

// handle runs an allowed command. good says the command succeeded (the state
// table's transition applies).
func (s *Server) handle(verb, arg string) (r Reply, good bool) {
	switch verb {
	case "EHLO", "HELO":
		return s.hello(verb, arg)
	case "MAIL":
		return s.mail(arg)
	case "RCPT":
		return s.rcpt(arg)
	case "DATA":
		return s.data(arg)
	case "RSET":
		if arg != "" {
			return R(501, "5.5.4", "Syntax: RSET", "RFC 5321 §4.1.1.5"), false
		}
		s.txn = transaction{}
		return replyOK.withRFC("RFC 5321 §4.1.1.5"), true
	case "NOOP":
		return replyOK, true // the argument is ignored (RFC 5321 §4.1.1.9)
	case "QUIT":
		if arg != "" {
			return R(501, "5.5.4", "Syntax: QUIT", "RFC 5321 §4.1.1.10"), false
		}
		s.txn = transaction{}
		return replyBye, true
	case "VRFY":
		return s.vrfy(arg)
	case "HELP":
		return Reply{Code: 214, Enhanced: "2.0.0", Text: []string{
			"Commands: " + s.commandList(),
			"See RFC 5321 section 4.1 for what each one does",
		}, RFC: "RFC 5321 §4.1.1.8"}, true
	case "AUTH":
		return s.authStart(arg)
	case "STARTTLS":
		switch {
		case s.cfg.TLS == "off":
			return replyNotImpl.withRFC("RFC 3207 §4"), false
		case arg != "":
			return R(501, "5.5.4", "Syntax: STARTTLS", "RFC 3207 §4"), false
		case s.tls:
			return replyTLSAgain, false
		}
		return replyTLSGo, true
	}
	return replyUnknown, false
}

func (r Reply) withRFC(rfc string) Reply { r.RFC = rfc; return r }

// hello answers EHLO and HELO. Either one resets the transaction as RSET
// would (RFC 5321 §4.1.4). The name is not checked against the address: a
// server MUST NOT refuse on a mismatch (§4.1.4).
func (s *Server) hello(verb, arg string) (Reply, bool) {
	arg = strings.TrimSpace(arg)
	if arg == "" || hasControl(arg) {
		// A CR, NUL or other control octet is no part of a domain or an
		// address literal (RFC 5321 §4.1.1.1, §4.1.3), and the name goes
		// into the Received: header: a bare CR there could start a header
		// line of the client's making (RFC 5322 §2.2).
		return R(501, "5.5.4", "Syntax: "+verb+" hostname", "RFC 5321 §4.1.1.1"), false
	}
	s.txn = transaction{}
	s.helo, s.esmtp = arg, verb == "EHLO"
	if verb == "HELO" {
		// HELO gets one line and no extensions (RFC 5321 §3.2).
		return Reply{Code: 250, Text: []string{s.cfg.Hostname}, RFC: "RFC 5321 §4.1.1.1"}, true
	}
	// EHLO replies carry no enhanced status codes (RFC 2034 §4).
	return Reply{Code: 250, Text: s.extensions(), RFC: "RFC 5321 §4.1.1.1"}, true
}

// extensions lists what this server implements, in Postfix's order; nothing
// is advertised that is not implemented (RFC 5321 §4.2.4).
func (s *Server) extensions() []string {
	ext := []string{s.cfg.Hostname, "PIPELINING", "SIZE " + strconv.FormatInt(s.cfg.MaxMessageBytes, 10)}
	if s.cfg.VRFY {
		ext = append(ext, "VRFY")
	}
	if s.cfg.TLS != "off" && !s.tls {
		ext = append(ext, "STARTTLS")
	}
	if s.authOffered() {
		ext = append(ext, "AUTH PLAIN LOGIN")
	}
	return append(ext, "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING")
}

// commandList is what HELP names: the commands of RFC 5321 (§4.5.1: VRFY
// too, which answers 252 when it will not tell) and those of the
// extensions offered right now, as EHLO would list them. A command that
// would only be refused (STARTTLS without a certificate or after TLS,
// AUTH when off or before STARTTLS) is not named.
func (s *Server) commandList() string {
	l := "EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP"
	if s.authOffered() {
		l += " AUTH"
	}
	if s.cfg.TLS != "off" && !s.tls {
		l += " STARTTLS"
	}
	return l
}

func (s *Server) authOffered() bool {
	return s.cfg.Auth != "off" && (!s.cfg.AuthNeedsTLS || s.tls)
}

// mail handles MAIL FROM:<reverse-path> [params] (RFC 5321 §4.1.1.2).
func (s *Server) mail(arg string) (Reply, bool) {
	if s.cfg.Auth == "required" && s.user == "" {
		return replyAuthReq, false
	}
	path, params, ok := parsePathArg(arg, "FROM:")
	if !ok {
		return R(501, "5.5.4", "Syntax: MAIL FROM:<address>", "RFC 5321 §4.1.1.2"), false
	}
	var p mailParams
	seen := map[string]bool{}
	for _, kv := range params {
		if !s.esmtp {
			return replyParamAfterHelo, false
		}
		if seen[kv.Key] {
			return R(501, "5.5.4", "Error: duplicate "+kv.Key+" parameter", "RFC 3461 §4"), false
		}
		seen[kv.Key] = true
		switch kv.Key {
		case "SIZE":
			n, ok := parseSize(kv.Value)
			if !ok {
				return R(501, "5.5.4", "Bad message size syntax", "RFC 1870 §3"), false
			}
			p.size = n
		case "BODY":
			v := strings.ToUpper(kv.Value)
			if v != "7BIT" && v != "8BITMIME" {
				return R(501, "5.5.4", "Unsupported BODY type: "+kv.Value, "RFC 6152 §2"), false
			}
			p.body = v
		case "SMTPUTF8":
			if kv.HasValue {
				return R(501, "5.5.4", "Error: SMTPUTF8 takes no value", "RFC 6531 §3.4"), false
			}
			p.smtputf8 = true
		case "RET":
			v := strings.ToUpper(kv.Value)
			if v != "FULL" && v != "HDRS" {
				return R(501, "5.5.4", "Bad RET parameter syntax", "RFC 3461 §4.3"), false
			}
			p.ret = v
		case "ENVID":
			if !isXtext(kv.Value) || len(kv.Value) > 100 {
				return R(501, "5.5.4", "Bad ENVID parameter syntax", "RFC 3461 §4.4"), false
			}
			p.envid = kv.Value
		case "AUTH":
			// RFC 4954 §5: accepted; the identity is not trusted from an
			// unauthenticated client. Only when AUTH was advertised.
			if !s.authOffered() {
				return R(555, "5.5.4", "Unsupported option: AUTH", "RFC 5321 §4.1.1.11"), false
			}
			if kv.Value != "<>" && !isXtext(kv.Value) {
				return R(501, "5.5.4", "Bad AUTH parameter syntax", "RFC 4954 §5"), false
			}
		default:
			return R(555, "5.5.4", "Unsupported option: "+kv.Key, "RFC 5321 §4.1.1.11"), false
		}
	}
	if path != "" {
		problem, nonASCII := addrProblem(path, true)
		if problem != "" {
			return R(501, "5.1.7", "Bad sender address syntax", "RFC 5321 §4.1.2"), false
		}
		if nonASCII && !p.smtputf8 {
			return R(550, "5.6.7", "Error: non-ASCII sender address needs SMTPUTF8", "RFC 6531 §3.5"), false
		}
		// Checked after the local part (64) and the domain (255): with both
		// at their limits the path is longer than 256, so this limit is
		// the one that bites (RFC 5321 §4.5.3.1.1–3).
		if len(path)+2 > maxPath {
			return replyPathTooLong, false
		}
	}
	if p.size > s.cfg.MaxMessageBytes {
		return replyTooBig, false
	}
	s.txn = transaction{active: true, from: path, params: p, notify: map[string]string{}}
	return replyMailOK, true
}

// rcpt handles RCPT TO:<forward-path> [params] (RFC 5321 §4.1.1.3).
func (s *Server) rcpt(arg string) (Reply, bool) {
	path, params, ok := parsePathArg(arg, "TO:")
	if !ok {
		return R(501, "5.5.4", "Syntax: RCPT TO:<address>", "RFC 5321 §4.1.1.3"), false
	}
	notify := ""
	seen := map[string]bool{}
	for _, kv := range params {
		if !s.esmtp {
			return replyParamAfterHelo, false
		}
		if seen[kv.Key] {
			return R(501, "5.5.4", "Error: duplicate "+kv.Key+" parameter", "RFC 3461 §4"), false
		}
		seen[kv.Key] = true
		switch kv.Key {
		case "NOTIFY":
			if !validNotify(kv.Value) {
				return R(501, "5.5.4", "Bad NOTIFY parameter syntax", "RFC 3461 §4.1"), false
			}
			notify = strings.ToUpper(kv.Value)
		case "ORCPT":
			typ, val, ok := strings.Cut(kv.Value, ";")
			if !ok || typ == "" || !isXtext(val) {
				return R(501, "5.5.4", "Bad ORCPT parameter syntax", "RFC 3461 §4.2"), false
			}
		default:
			return R(555, "5.5.4", "Unsupported option: "+kv.Key, "RFC 5321 §4.1.1.11"), false
		}
	}
	postmaster := strings.EqualFold(path, "postmaster")
	if !postmaster {
		problem, nonASCII := addrProblem(path, true)
		if problem != "" {
			return s.reject(path, R(501, "5.1.3", "Bad recipient address syntax", "RFC 5321 §4.1.2"))
		}
		if nonASCII && !s.txn.params.smtputf8 {
			return s.reject(path, R(553, "5.6.7", "Error: non-ASCII recipient address needs SMTPUTF8", "RFC 6531 §3.5"))
		}
		if len(path)+2 > maxPath {
			return s.reject(path, replyPathTooLong)
		}
	}
	if len(s.txn.rcpts) >= s.cfg.MaxRecipients {
		return s.reject(path, replyTooMany)
	}
	switch {
	case postmaster:
	case s.cfg.IsLocal(domainOf(path)):
		if !s.cfg.HasUser(localOf(path)) {
			return s.reject(path, R(550, "5.1.1", "<"+path+">: Recipient address rejected: User unknown in local recipient table", "RFC 5321 §3.3"))
		}
	case s.user == "" || s.cfg.NoRelay:
		// Not ours and the client is not one of our users: relaying for it
		// would make this an open relay (RFC 5321 §3.6.2, §7.1).
		return s.reject(path, R(554, "5.7.1", "<"+path+">: Relay access denied", "RFC 5321 §3.6.2"))
	}
	if s.txn.queueID == "" {
		s.txn.queueID = s.cfg.QueueID()
		l := s.txn.queueID + ": client=" + s.client()
		if s.user != "" {
			l += ", sasl_method=" + s.auth.lastMech + ", sasl_username=" + s.user
		}
		s.log(l)
	}
	s.txn.rcpts = append(s.txn.rcpts, path)
	if notify != "" {
		s.txn.notify[path] = notify
	}
	return replyRcptOK, true
}

// reject refuses one recipient and logs it the way Postfix does, so that
// students learn to find the reason in a server log.
func (s *Server) reject(path string, r Reply) (Reply, bool) {
	s.txn.refused++
	s.logReject("RCPT", path, r)
	return r, false
}

// logReject writes Postfix's "NOQUEUE: reject" line for a refused MAIL or RCPT.
func (s *Server) logReject(verb, path string, r Reply) {
	proto := "SMTP"
	if s.esmtp {
		proto = "ESMTP"
	}
	from, to := s.txn.from, path
	if verb == "MAIL" {
		from, to = path, ""
	}
	line := "NOQUEUE: reject: " + verb + " from " + s.client() + ": " + r.String() + "; from=<" + from + ">"
	if verb == "RCPT" {
		line += " to=<" + to + ">"
	}
	s.log(line + " proto=" + proto + " helo=<" + s.helo + ">")
}

func validNotify(v string) bool {
	v = strings.ToUpper(v)
	if v == "NEVER" {
		return true
	}
	for _, p := range strings.Split(v, ",") {
		if p != "SUCCESS" && p != "FAILURE" && p != "DELAY" {
			return false
		}
	}
	return v != ""
}

// data handles DATA (RFC 5321 §4.1.1.4).
func (s *Server) data(arg string) (Reply, bool) {
	if s.state == StateMail {
		if s.txn.refused > 0 {
			return replyNoValid, false
		}
		return replyNeedRcpt, false
	}
	if arg != "" {
		return R(501, "5.5.4", "Syntax: DATA", "RFC 5321 §4.1.1.4"), false
	}
	if s.txn.usedBDAT {
		return replyDataAfterBDAT, false
	}
	s.txn.prevCRLF = true
	s.setState(StateData)
	return replyStartData, true
}

// dataLine handles one line of message text after 354. Only a "." line whose
// own CR LF and the one before it are real CR LF pairs ends the data (RFC
// 5321 §4.1.1.4, §2.3.8); every other sequence, \n.\n and \r.\r included, is
// text, so nothing a client smuggles inside the data is ever run as a command
// (PROTOCOL.md §1.8).
func (s *Server) dataLine(line wire.Line) {
	if line.Text == "." && !line.BareLF && s.txn.prevCRLF {
		s.cause = "end-of-data"
		s.recv(trace.Data, ".", "")
		s.endOfData()
		return
	}
	s.recv(trace.Data, line.Text, "")
	if s.cfg.BareLF == "reject" && (line.BareLF || strings.IndexByte(line.Text, '\r') >= 0) {
		r := replyBareLF
		if !line.BareLF {
			r = replyBareCR
		}
		// The stream cannot be trusted from here on: answer and close.
		s.txn = transaction{}
		s.reply(r, "DATA", "")
		s.close("")
		return
	}
	text := line.Text
	if text != "." && strings.HasPrefix(text, ".") {
		text = text[1:] // un-stuff (RFC 5321 §4.5.2)
	}
	// Never store a bare CR: Postfix replaces stray CR with a space too.
	text = strings.ReplaceAll(text, "\r", " ")
	s.txn.prevCRLF = !line.BareLF
	if line.TooLong || len(text)+2 > maxTextLine {
		// 1000 octets with CR LF, the stuffing dot not counted (RFC 5321 §4.5.3.1.6).
		s.txn.longLine = true
	}
	s.txn.size += int64(len(text)) + 2
	if s.txn.size > s.cfg.MaxMessageBytes {
		s.txn.tooBig = true // keep reading to the end, store nothing (RFC 1870 §6.2)
		s.txn.body = nil
		return
	}
	if s.txn.body == nil && s.body != nil {
		s.txn.body, s.body = s.body[:0], nil
	}
	s.txn.body = append(s.txn.body, text...)
	s.txn.body = append(s.txn.body, '\n')
}

// endOfData gives the verdict on the whole message: all recipients or none
// (RFC 5321 §4.2.5). Whatever the verdict, the transaction ends.
func (s *Server) endOfData() {
	replyTo, verb := "EOD", "data"
	if s.txn.usedBDAT {
		verb = "bdat"
	}
	finish := func(r Reply, rule string) {
		s.reply(r, replyTo, rule)
		s.count(verb, r.Code/100 == 2)
		s.txn = transaction{}
		s.setState(StateReady)
	}
	if o := s.fault(fault.EndOfData); o != nil {
		if s.doFault(o) {
			r := ParseReply(o.Reply)
			r.RFC = "RFC 5321 §4.2.5"
			finish(r, o.Rule)
			if r.Code == 421 {
				s.close("")
			}
			return
		}
		if o.Kind != fault.Delay {
			s.txn = transaction{}
			return
		}
	}
	switch {
	case s.txn.tooBig:
		finish(replyTooBig.withRFC("RFC 1870 §6.2"), "")
		return
	case s.txn.longLine:
		finish(replyLongLine, "")
		return
	}
	msg := s.message()
	if s.cfg.Deliver != nil {
		if err := s.cfg.Deliver(msg); err != nil {
			s.log(msg.QueueID + ": warning: delivery failed: " + err.Error())
			if errors.Is(err, ErrInsufficientStorage) {
				finish(replyFull, "")
			} else {
				finish(replyStore, "")
			}
			return
		}
	}
	s.log(msg.QueueID + ": from=<" + msg.From + ">, size=" + strconv.Itoa(len(msg.Data)) + ", nrcpt=" + strconv.Itoa(len(msg.To)) + " (queue active)")
	s.emit(trace.Step{Kind: trace.Store, Text: "queued as " + msg.QueueID + ": from <" + msg.From + "> to " + angleList(msg.To), RFC: "RFC 5321 §4.2.5"})
	finish(R(250, "2.0.0", "Ok: queued as "+msg.QueueID, "RFC 5321 §4.1.1.4"), "")
}

// message builds the accepted message with the Received: header this server
// adds at the top (RFC 5321 §4.4).
func (s *Server) message() *Message {
	t := s.txn
	with := "SMTP"
	if s.esmtp {
		with = "ESMTP"
	}
	if s.tls {
		with += "S"
	}
	if s.user != "" {
		with += "A" // RFC 3848
	}
	// The header form has a space before the address (RFC 5321 §4.4, as
	// Postfix writes it); the log form does not.
	recv := "Received: from " + s.helo + " (" + s.cfg.Peer.Name + " [" + s.cfg.Peer.Addr + "])\n\tby " + s.cfg.Hostname + " (maillab) with " + with + " id " + t.queueID
	if len(t.rcpts) == 1 {
		recv += "\n\tfor <" + t.rcpts[0] + ">"
	}
	recv += "; " + s.now.Format(DateFormat) + "\n"
	data := make([]byte, 0, len(recv)+len(t.body))
	data = append(append(data, recv...), t.body...)
	if cap(t.body) <= maxKeptBody {
		s.body = t.body[:0] // copied into data: the next message may reuse it
	}
	return &Message{
		QueueID: t.queueID, From: t.from, To: append([]string(nil), t.rcpts...),
		Data: data, Size: t.size, Helo: s.helo, Authenticated: s.user, TLS: s.tls,
		Received: s.now, Ret: t.params.ret, EnvID: t.params.envid, Notify: t.notify,
		SMTPUTF8: t.params.smtputf8,
	}
}

// maxKeptBody bounds the message buffer a session keeps for its next
// transaction.
const maxKeptBody = 64 << 10

// DateFormat is the RFC 5322 §3.3 date-time used in headers.
const DateFormat = "Mon, 02 Jan 2006 15:04:05 -0700"

func angleList(addrs []string) string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = "<" + a + ">"
	}
	return strings.Join(out, ", ")
}

// vrfy answers VRFY (RFC 5321 §3.5.3): 250 only for a mailbox really known,
// 252 when the server will not or cannot say.
func (s *Server) vrfy(arg string) (Reply, bool) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return R(501, "5.5.4", "Syntax: VRFY address", "RFC 5321 §4.1.1.6"), false
	}
	if !s.cfg.VRFY {
		return replyVrfyOff, true
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(arg, "<"), ">")
	local, domain := addr, ""
	if strings.Contains(addr, "@") {
		local, domain = localOf(addr), domainOf(addr)
	}
	if domain != "" && !s.cfg.IsLocal(domain) {
		return replyVrfyOff, true
	}
	if !s.cfg.HasUser(local) {
		return R(550, "5.1.1", "<"+addr+">: Recipient address rejected: User unknown in local recipient table", "RFC 5321 §3.5.3"), false
	}
	if domain == "" {
		addr = local + "@" + s.cfg.MyDestination[0]
	}
	return R(250, "2.0.0", "<"+addr+">", "RFC 5321 §3.5.3"), true
}

// failed answers a command that broke the rules (500, 501, 502, 503, 530…),
// leaving the state unchanged (RFC 5321 §4.1.4), and counts the error.
func (s *Server) failed(verb string, r Reply) {
	s.reply(r, verb, "")
	s.count(verb, false)
	s.countError(r)
}

// countError closes the session after too many errors, as Postfix does
// (smtpd_hard_error_limit), so a client stuck in a loop cannot keep a
// connection forever.
func (s *Server) countError(r Reply) {
	if r.Code/100 != 5 || s.state == StateClosed {
		return
	}
	s.errs++
	if s.errs >= s.cfg.MaxErrors {
		s.log("too many errors after " + s.lastVerb() + " from " + s.client())
		// 421 text starts with the domain (RFC 5321 §4.2, §4.2.3), as Postfix's does.
		r := replyTooManyErrors
		r.Text = []string{s.cfg.Hostname + " " + r.Text[0]}
		s.reply(r, "", "")
		s.close("")
	}
}

// fault asks the injector about a line.
func (s *Server) fault(line string) *fault.Outcome {
	if s.cfg.Faults == nil {
		return nil
	}
	return s.cfg.Faults.CheckAs("smtp", s.cfg.Hostname, s.user, line)
}

// doFault carries out drop, timeout and delay; it reports true when the
// fault is a reply the caller must send.
func (s *Server) doFault(o *fault.Outcome) bool {
	switch o.Kind {
	case fault.Reply:
		return true
	case fault.Drop:
		s.log("lost connection after " + s.lastVerb() + " from " + s.client() + " (fault: dropped)")
		s.txn = transaction{}
		s.emit(trace.Step{Kind: trace.Note, Text: "the server drops the connection without a reply", Fault: o.Rule})
		s.close(o.Rule)
	case fault.Timeout:
		s.hang = true
		s.emit(trace.Step{Kind: trace.Note, Text: "the server stops answering", Fault: o.Rule})
		s.act(machine.Hang)
	case fault.Delay:
		s.wait(o)
	}
	return false
}

func (s *Server) wait(o *fault.Outcome) {
	s.out = append(s.out, machine.Event{
		Step:   s.step(trace.Step{Kind: trace.Wait, Text: "the server waits " + o.Delay.String() + " before answering", Fault: o.Rule}),
		Action: machine.Wait, Delay: o.Delay,
	})
}

// --- event helpers ---

// maxKeptEvents bounds the event buffers a machine keeps between calls
// (Config.ReuseEvents): a burst of text does not pin its memory for ever.
const maxKeptEvents = 256

func (s *Server) begin(now time.Time) {
	s.now = now
	if !s.cfg.ReuseEvents {
		s.out = nil
		return
	}
	// Alternate two buffers: the events returned by the previous call stay
	// valid while this one runs.
	s.out, s.spare = s.spare, s.out
	if cap(s.out) > maxKeptEvents {
		s.out = nil
		return
	}
	clear(s.out) // drop the strings of old events for the collector
	s.out = s.out[:0]
}

func (s *Server) end() []machine.Event {
	out := s.out
	if !s.cfg.ReuseEvents {
		s.out = nil
	}
	return out
}

func (s *Server) step(st trace.Step) trace.Step {
	st.Proto = "smtp"
	st.ServerState = s.state
	st.Encrypted = s.tls
	return st
}

func (s *Server) emit(st trace.Step) { s.out = append(s.out, machine.Event{Step: s.step(st)}) }

func (s *Server) act(a machine.Action) {
	s.out = append(s.out, machine.Event{Step: s.step(trace.Step{Kind: trace.Note, Text: actionNote[a]}), Action: a})
}

var actionNote = map[machine.Action]string{
	machine.StartTLS:  "TLS handshake starts",
	machine.CloseConn: "the server closes the connection",
	machine.Hang:      "the server stops answering",
}

func (s *Server) recv(kind trace.Kind, text, verb string) {
	s.out = append(s.out, machine.Event{Step: s.step(trace.Step{Kind: kind, Text: text, Verb: verb}), Received: true})
}

func (s *Server) reply(r Reply, replyTo, rule string) {
	s.lastCode = r.Code
	if (replyTo == "EHLO" || replyTo == "HELO") && rule == "" {
		// No enhanced status code on "any response to HELO or EHLO" (RFC 2034 §3(4)).
		r.Enhanced = ""
	}
	n := r.NumLines()
	for i := range n {
		s.out = append(s.out, machine.Event{Step: s.step(trace.Step{
			Kind: trace.Reply, ByServer: true, Text: r.Line(i), Code: r.Code, Enhanced: r.Enhanced,
			More: i < n-1, ReplyTo: replyTo, RFC: r.RFC, Fault: rule,
		})})
	}
}

func (s *Server) setState(next string) {
	if next == s.state {
		return
	}
	from := s.state
	s.state = next
	// Verb names the state table's event, so the page can light the exact transition.
	s.emit(trace.Step{Kind: trace.State, Text: transitionText(from, next), Verb: s.cause})
}

// close ends the session: state CLOSED, then the driver closes the socket.
func (s *Server) close(rule string) {
	if s.state == StateClosed {
		return
	}
	// Name the event for the state table: QUIT, lost and timeout say
	// themselves; otherwise a 421, a fault's drop, or an error that makes
	// the stream unusable (bare LF under reject, a bad BDAT size…).
	switch {
	case s.cause == "QUIT" || s.cause == "lost" || s.cause == "timeout":
	case s.lastCode == 421:
		s.cause = "421"
	case rule != "":
		s.cause = "drop"
	default:
		s.cause = "error"
	}
	s.setState(StateClosed)
	s.log("disconnect from " + s.client() + s.commandCounts())
	s.out = append(s.out, machine.Event{Step: s.step(trace.Step{Kind: trace.Note, Text: "the server closes the connection", Fault: rule}), Action: machine.CloseConn})
}

func (s *Server) log(text string) {
	// A log event carries no step: the driver puts it in the server log only.
	// Log lines quote what clients sent (HELO names, addresses, SASL user
	// names): a CR or LF in them must not forge a line of its own, so
	// control octets become "?", as Postfix's printable() makes them.
	if s.logPrefix == "" {
		s.logPrefix = "maillab/smtpd[" + strconv.Itoa(s.cfg.PID) + "]: "
	}
	s.out = append(s.out, machine.Event{Log: s.logPrefix + logSafe(text)})
}

// hasControl reports an ASCII control octet (C0 or DEL).
func hasControl(t string) bool {
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// logSafe replaces the control octets of a log line with "?".
func logSafe(t string) string {
	if !hasControl(t) {
		return t
	}
	b := []byte(t)
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

func (s *Server) client() string {
	if s.clientName == "" {
		s.clientName = s.cfg.Peer.Name + "[" + s.cfg.Peer.Addr + "]"
	}
	return s.clientName
}

// count keeps Postfix's per-command tally for the disconnect line.
func (s *Server) count(verb string, ok bool) {
	if verb == "" {
		verb = "unknown"
	}
	for i := range s.counts {
		if strings.EqualFold(s.counts[i].verb, verb) {
			s.counts[i].all++
			if ok {
				s.counts[i].ok++
			}
			return
		}
	}
	c := verbCount{verb: strings.ToLower(verb), all: 1}
	if ok {
		c.ok = 1
	}
	s.counts = append(s.counts, c)
}

func (s *Server) lastVerb() string {
	switch s.state {
	case StateInit, StateRejected:
		return "CONNECT"
	case StateData:
		return "DATA"
	case StateBDAT:
		return "BDAT"
	case StateMail:
		return "MAIL"
	case StateRcpt:
		return "RCPT"
	case StateAuth:
		return "AUTH"
	}
	if len(s.counts) > 0 {
		return strings.ToUpper(s.counts[len(s.counts)-1].verb)
	}
	return "CONNECT"
}

func (s *Server) commandCounts() string {
	var b strings.Builder
	ok, all := 0, 0
	for _, c := range s.counts {
		b.WriteString(" " + c.verb + "=")
		if c.ok == c.all {
			b.WriteString(strconv.Itoa(c.all))
		} else {
			b.WriteString(strconv.Itoa(c.ok) + "/" + strconv.Itoa(c.all))
		}
		ok += c.ok
		all += c.all
	}
	if all == 0 {
		return ""
	}
	if ok == all {
		return b.String() + " commands=" + strconv.Itoa(all)
	}
	return b.String() + " commands=" + strconv.Itoa(ok) + "/" + strconv.Itoa(all)
}
