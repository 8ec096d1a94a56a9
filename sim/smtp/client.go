package smtp

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"maillab/sim/machine"
	"maillab/sim/trace"
	"maillab/sim/wire"
)

// Envelope is one message to send: the SMTP envelope and the message itself.
type Envelope struct {
	From    string   // reverse-path; "" sends MAIL FROM:<> (a bounce)
	To      []string // forward-paths
	Message []byte   // header and body; LF or CRLF line ends
	ID      int      // the caller's message number, echoed in Results
}

// Session is what one client connection does.
type Session struct {
	Helo     string // the name sent with EHLO/HELO
	User     string // AUTH credentials; "" = no AUTH
	Password string
	StartTLS string // required | optional | off; "" = the profile's default
	Messages []Envelope
}

// Outcome of one recipient.
type Outcome string

const (
	Accepted Outcome = "accepted" // the server took responsibility (250 after the final dot)
	Deferred Outcome = "deferred" // a 4xx, a drop or a timeout: try again later
	Failed   Outcome = "failed"   // a 5xx: do not repeat the same request
	Pending  Outcome = ""
)

// Result is what happened to one recipient of one message.
type Result struct {
	Message int
	Rcpt    string
	Outcome Outcome
	Reply   string // the reply line that decided it, or why there was none
	// NewTransaction: refused with 452/552 for too many recipients: the
	// sender should send it again in a second transaction (RFC 5321 §4.5.3.1.10).
	NewTransaction bool
}

// Client states.
const (
	ClientConnecting = "CONNECTING" // waiting for the greeting
	ClientHello      = "HELLO"
	ClientTLS        = "STARTTLS"
	ClientAuth       = "AUTH"
	ClientMail       = "MAIL"
	ClientRcpt       = "RCPT"
	ClientData       = "DATA"
	ClientSent       = "SENT" // the final dot is sent; waiting for the verdict
	ClientQuit       = "QUIT"
	ClientClosed     = "CLOSED"
)

// Client is the SMTP client machine: given a profile and a session it says
// what to send next and reacts to every reply (PROTOCOL.md §4).
type Client struct {
	p    Profile
	sess Session
	now  time.Time
	out  []machine.Event

	state   string
	in      wire.Splitter
	reply   []string // lines of the reply being read
	pending []string // commands sent and not yet answered, oldest first

	ext           map[string]string // EHLO keywords → parameters
	esmtp         bool
	tls           bool
	authed        bool
	mechs         []string // mechanisms still to try
	mech          string
	msg           int // index into sess.Messages
	rcptIdx       int // RCPT replies received in this transaction
	accepted      int
	results       []Result
	txn           []int // indexes into results: this transaction's recipients, in RCPT order
	done          bool
	quitAfterRset bool
	cause         string // the event behind the next state change (clientTable) // smtplib: the script catches the exception, then quit()
}

var _ machine.Client = (*Client)(nil)

// NewClient returns a client for the named profile.
func NewClient(profile string, sess Session) (*Client, error) {
	p, ok := Profiles[profile]
	if !ok {
		return nil, fmt.Errorf("unknown client profile %q (want one of %s)", profile, ProfileNames())
	}
	if sess.StartTLS == "" {
		sess.StartTLS = p.StartTLS
	}
	if sess.Helo == "" {
		sess.Helo = "client.example"
	}
	c := &Client{p: p, sess: sess, state: ClientConnecting, pending: []string{"GREETING"}}
	c.in.AcceptBareLF = true
	for _, m := range sess.Messages {
		for _, r := range m.To {
			c.results = append(c.results, Result{Message: m.ID, Rcpt: r})
		}
	}
	return c, nil
}

// ProfileNames lists the profiles, for error messages.
func ProfileNames() string {
	return "smtplib, thunderbird, mua, curl, telnet, swaks, mta"
}

// Results says what happened to each recipient so far.
func (c *Client) Results() []Result { return append([]Result(nil), c.results...) }

// State implements machine.Client.
func (c *Client) State() string { return c.state }

// Done implements machine.Client.
func (c *Client) Done() bool { return c.done }

// Waiting names the reply the client waits for ("MAIL", "EOD"…), for timeouts.
func (c *Client) Waiting() string {
	if len(c.pending) == 0 {
		return ""
	}
	return c.pending[0]
}

// ReplyTimeout is how long the client waits for the reply it is waiting for
// before giving up (RFC 5321 §4.5.3.2).
func (c *Client) ReplyTimeout() time.Duration {
	if d, ok := replyTimeouts[c.Waiting()]; ok {
		return d
	}
	return 5 * time.Minute
}

// Feed implements machine.Client.
func (c *Client) Feed(now time.Time, b []byte) []machine.Event {
	c.now, c.out = now, nil
	c.in.Feed(b)
	for !c.done {
		line, ok := c.in.Next()
		if !ok {
			break
		}
		code, more, _, ok := ParseReplyLine(line.Text)
		if !ok {
			c.note("not a reply line: the client cannot understand the server and gives up (RFC 5321 §4.2)")
			c.closeNow()
			break
		}
		c.reply = append(c.reply, line.Text)
		if more {
			continue
		}
		r := c.parseReply(code)
		c.reply = nil
		c.handle(r)
	}
	return c.end()
}

// parseReply assembles the lines read into a Reply.
func (c *Client) parseReply(code int) Reply {
	r := Reply{Code: code}
	for _, l := range c.reply {
		_, _, text, _ := ParseReplyLine(l)
		enh, rest := SplitEnhanced(code, text)
		if enh != "" {
			r.Enhanced = enh
		}
		r.Text = append(r.Text, rest)
	}
	return r
}

// TLSReady implements machine.Client: after the handshake the client must
// forget what it knew and send EHLO again (RFC 3207 §4.2).
func (c *Client) TLSReady(now time.Time) []machine.Event {
	c.now, c.out = now, nil
	if c.state == ClientTLS {
		c.cause = "TLS"
		c.tls = true
		c.ext = nil
		c.sendHello("EHLO")
	}
	return c.end()
}

// Lost implements machine.Client: the connection dropped or the reply did
// not come in time. Whatever is not yet accepted is deferred: a drop after
// the final dot may even mean the message arrives twice (RFC 5321 §4.1.1.4).
func (c *Client) Lost(now time.Time, timeout bool) []machine.Event {
	c.now, c.out = now, nil
	if c.done {
		return c.end()
	}
	why := "the connection dropped"
	c.cause = "lost"
	if timeout {
		c.cause = "timeout"
		why = "no reply within " + c.ReplyTimeout().String() + " (RFC 5321 §4.5.3.2)"
	}
	waiting := c.Waiting()
	if waiting == "EOD" {
		c.note("the final dot was sent but no verdict came: the client must assume the message was not delivered and try again later; it may arrive twice (RFC 5321 §4.1.1.4)")
	}
	c.settleRest(Deferred, why)
	if c.p.AbortsOnError && waiting != "QUIT" {
		c.note(c.p.Error("closed"))
	}
	c.setState(ClientClosed)
	c.done = true
	return c.end()
}

// handle reacts to one complete reply.
func (c *Client) handle(r Reply) {
	if len(c.pending) == 0 {
		c.note("a reply nobody asked for: ignored")
		return
	}
	cmd := c.pending[0]
	c.pending = c.pending[1:]
	c.cause = replyEvent(r.Code)
	if r.Code == 421 && cmd != "QUIT" {
		// 421: the server is closing; send nothing more (RFC 5321 §3.8).
		c.note("421: the server is closing the connection; the client sends nothing more and will try again later")
		c.settleRest(Deferred, r.String())
		c.closeNow()
		return
	}
	switch cmd {
	case "GREETING":
		c.greeting(r)
	case "EHLO", "HELO":
		c.hello(cmd, r)
	case "STARTTLS":
		c.startTLSReply(r)
	case "AUTH":
		c.authReply(r)
	case "MAIL":
		c.mailReply(r)
	case "RCPT":
		c.rcptReply(r)
	case "DATA":
		c.dataReply(r)
	case "EOD":
		c.eodReply(r)
	case "RSET":
		if c.quitAfterRset {
			c.quitAfterRset = false
			c.setState(ClientQuit)
			c.send("QUIT", c.verb("QUIT"))
			return
		}
		c.next()
	case "QUIT":
		c.closeNow()
	}
}

func (c *Client) greeting(r Reply) {
	if r.Code == 220 {
		c.sendHello("EHLO")
		return
	}
	// 554 (or anything else): no service here (RFC 5321 §3.1).
	outcome := Failed
	if r.Temporary() {
		outcome = Deferred
	}
	c.settleRest(outcome, r.String())
	if c.p.QuitOnRejectedGreeting {
		c.send("QUIT", "QUIT")
		return
	}
	c.note(c.p.Error("greeting") + " and closes the connection without QUIT")
	c.closeNow()
}

func (c *Client) sendHello(verb string) {
	c.setState(ClientHello)
	c.send(verb, c.verb(verb)+" "+c.sess.Helo)
}

func (c *Client) hello(cmd string, r Reply) {
	if r.Code/100 != 2 {
		if cmd == "EHLO" {
			// No ESMTP here: fall back to HELO, without extensions (RFC 5321 §3.2).
			c.note("EHLO refused: the client falls back to HELO (RFC 5321 §3.2)")
			c.sendHello("HELO")
			return
		}
		c.fail("helo", r)
		return
	}
	c.esmtp = cmd == "EHLO"
	c.ext = map[string]string{}
	if c.esmtp {
		for _, t := range r.Text[1:] {
			k, v, _ := strings.Cut(t, " ")
			c.ext[strings.ToUpper(k)] = v
		}
	}
	c.afterHello()
}

// afterHello decides between STARTTLS, AUTH and the first transaction.
func (c *Client) afterHello() {
	if !c.tls && c.sess.StartTLS != "off" {
		if _, ok := c.ext["STARTTLS"]; ok {
			c.setState(ClientTLS)
			c.send("STARTTLS", "STARTTLS")
			return
		}
		if c.sess.StartTLS == "required" {
			c.note("the server does not offer STARTTLS but this client requires it (RFC 3207 §4)")
			c.fail("starttls", Reply{Code: 530, Text: []string{"STARTTLS not offered"}})
			return
		}
	}
	if c.sess.User != "" && !c.authed {
		offered := strings.Fields(strings.ToUpper(c.ext["AUTH"]))
		c.mechs = nil
		for _, m := range c.p.AuthOrder {
			if contains(offered, m) && (m == "PLAIN" || m == "LOGIN") {
				c.mechs = append(c.mechs, m)
			}
		}
		if len(c.mechs) > 0 {
			c.nextMech()
			return
		}
		c.note("the server offers no AUTH mechanism this client can use; it goes on without logging in")
	}
	c.next()
}

func (c *Client) startTLSReply(r Reply) {
	if r.Code == 220 {
		c.act(machine.StartTLS, "TLS handshake starts")
		return
	}
	if c.sess.StartTLS == "required" {
		c.fail("starttls", r)
		return
	}
	c.note("STARTTLS refused: this client goes on without encryption (RFC 3207 §4)")
	c.tls = false
	c.sess.StartTLS = "off"
	c.afterHello()
}

func (c *Client) nextMech() {
	c.mech, c.mechs = c.mechs[0], c.mechs[1:]
	c.setState(ClientAuth)
	u, p := c.sess.User, c.sess.Password
	switch {
	case c.mech == "PLAIN" && c.p.PlainIR:
		c.send("AUTH", "AUTH PLAIN "+b64("\x00"+u+"\x00"+p))
	case c.mech == "LOGIN" && c.p.LoginIR:
		c.send("AUTH", "AUTH LOGIN "+b64(u))
	default:
		c.send("AUTH", "AUTH "+c.mech)
	}
}

func (c *Client) authReply(r Reply) {
	switch {
	case r.Code == 334:
		challenge, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.Join(r.Text, "")))
		u, p := c.sess.User, c.sess.Password
		switch {
		case c.mech == "PLAIN":
			c.send("AUTH", b64("\x00"+u+"\x00"+p))
		case strings.HasPrefix(strings.ToLower(string(challenge)), "user"):
			c.send("AUTH", b64(u))
		default:
			c.send("AUTH", b64(p))
		}
	case r.Code == 235 || (r.Code == 503 && c.p.Name == "smtplib"):
		// smtplib counts 503 "already authenticated" as success.
		c.authed = true
		c.next()
	case r.Code == 535 && c.p.AuthFallback && len(c.mechs) > 0:
		c.note("535: smtplib tries the next mechanism it knows (" + c.mechs[0] + ")")
		c.nextMech()
	default:
		c.fail("auth", r)
	}
}

// next starts the next transaction, or ends the session.
func (c *Client) next() {
	if c.msg > 0 {
		// Recipients refused with 452 go in a new transaction of the same
		// message (RFC 5321 §4.5.3.1.10).
		if again := c.undecided(c.current().ID, "retry-next"); len(again) > 0 {
			c.note("a second transaction for the recipients the server could not take in the first (452, RFC 5321 §4.5.3.1.10)")
			c.startTxn(again)
			return
		}
	}
	if c.msg >= len(c.sess.Messages) {
		c.setState(ClientQuit)
		c.send("QUIT", c.verb("QUIT"))
		return
	}
	c.msg++
	c.startTxn(c.undecided(c.current().ID, Pending))
}

// undecided lists the recipients of a message with the given outcome.
func (c *Client) undecided(id int, o Outcome) []int {
	var out []int
	for i, r := range c.results {
		if r.Message == id && r.Outcome == o {
			out = append(out, i)
		}
	}
	return out
}

func (c *Client) startTxn(rcpts []int) {
	m := c.current()
	c.txn, c.rcptIdx, c.accepted = rcpts, 0, 0
	for _, i := range rcpts {
		c.results[i].Outcome, c.results[i].NewTransaction = Pending, false
	}
	c.setState(ClientMail)
	line := c.verb("MAIL") + " FROM:<" + m.From + ">"
	if _, ok := c.ext["SIZE"]; ok && c.p.SizeParam != "" {
		line += " " + c.p.SizeParam + strconv.Itoa(c.size(m.Message))
	}
	if _, ok := c.ext["8BITMIME"]; ok && c.p.Body8BitMIME && has8bit(m.Message) {
		line += " BODY=8BITMIME"
	}
	c.send("MAIL", line)
	if c.pipelined() {
		// RFC 2920 §3.1: MAIL, the RCPTs and DATA go in one group; DATA is last.
		for _, i := range rcpts {
			c.send("RCPT", c.verb("RCPT")+" TO:<"+c.results[i].Rcpt+">")
		}
		c.send("DATA", c.verb("DATA"))
	}
}

func (c *Client) current() Envelope { return c.sess.Messages[c.msg-1] }

func (c *Client) pipelined() bool {
	_, ok := c.ext["PIPELINING"]
	return ok && c.p.Pipeline
}

func (c *Client) mailReply(r Reply) {
	if r.Code/100 == 2 {
		c.setState(ClientRcpt)
		if !c.pipelined() {
			c.send("RCPT", c.verb("RCPT")+" TO:<"+c.results[c.txn[0]].Rcpt+">")
		}
		return
	}
	c.settleTxn(outcomeOf(r), r.String())
	if c.pipelined() {
		return // the RCPT and DATA replies still come; RSET after DATA's reply
	}
	c.abortTxn("sender", r)
}

func (c *Client) rcptReply(r Reply) {
	res := &c.results[c.txn[c.rcptIdx]]
	c.rcptIdx++
	if res.Outcome == Pending {
		switch {
		case r.Code/100 == 2:
			c.accepted++
			res.Reply = r.String()
			res.Outcome = "rcpt-ok"
		case (r.Code == 452 || r.Code == 552) && c.p.Queues:
			// Too many recipients: not a failure, just "not in this
			// transaction" (RFC 5321 §4.5.3.1.10; 552 is treated as 452 here).
			res.NewTransaction = true
			res.Reply = r.String()
			res.Outcome = "retry-next"
		default:
			res.Outcome, res.Reply = outcomeOf(r), r.String()
			if r.Permanent() {
				c.note("recipient <" + res.Rcpt + "> refused permanently (" + strconv.Itoa(r.Code) + "); the client carries on with the others")
			} else {
				c.note("recipient <" + res.Rcpt + "> refused for now (" + strconv.Itoa(r.Code) + "); the client will try it again later (RFC 5321 §4.5.4.1)")
			}
		}
	}
	if r.Code/100 != 2 && c.p.StopOnFirstRcptFailure {
		c.note(c.p.Error("recipients"))
		c.settleTxn(Deferred, "not sent: the client stopped")
		c.setState(ClientQuit)
		c.send("QUIT", c.verb("QUIT"))
		return
	}
	if c.rcptIdx < len(c.txn) {
		if !c.pipelined() {
			c.send("RCPT", c.verb("RCPT")+" TO:<"+c.results[c.txn[c.rcptIdx]].Rcpt+">")
		}
		return
	}
	if c.accepted == 0 {
		if c.pipelined() {
			return // DATA was sent in the same group; its reply (554/503) comes next
		}
		c.abortTxn("recipients", r)
		return
	}
	if !c.pipelined() {
		c.setState(ClientData)
		c.send("DATA", c.verb("DATA"))
	}
}

func (c *Client) dataReply(r Reply) {
	if r.Code == 354 {
		c.setState(ClientData)
		for _, l := range wire.Stuff(wire.SplitLines(string(c.current().Message))) {
			c.sendData(l)
		}
		c.sendData(".")
		c.pending = append(c.pending, "EOD")
		c.setState(ClientSent)
		return
	}
	if c.accepted > 0 {
		c.settleAccepted(outcomeOf(r), r.String())
	}
	c.abortTxn("data", r)
}

func (c *Client) eodReply(r Reply) {
	if r.Code/100 == 2 {
		c.settleAccepted(Accepted, r.String())
		c.next()
		return
	}
	c.settleAccepted(outcomeOf(r), r.String())
	if c.p.AbortsOnError {
		c.send("RSET", c.verb("RSET"))
		c.note(c.p.Error("data") + "; the script catches it and calls quit()")
		c.quitAfterRset = true
		return
	}
	c.next()
}

// abortTxn ends a failed transaction: RSET (RFC 5321 §4.1.1.5), then the
// program's own reaction.
func (c *Client) abortTxn(kind string, r Reply) {
	if c.p.AbortsOnError {
		// smtplib sends RSET and raises; a script that catches the exception
		// then calls quit() (wire/smtplib_relay_denied.txt).
		c.send("RSET", c.verb("RSET"))
		c.note(c.p.Error(kind) + "; the script catches it and calls quit()")
		c.quitAfterRset = true
		return
	}
	if c.p.Name == "curl" || c.p.Name == "swaks" {
		c.note(c.p.Error(kind))
		c.setState(ClientQuit)
		c.send("QUIT", c.verb("QUIT"))
		return
	}
	c.send("RSET", c.verb("RSET"))
}

// fail ends the session after an error outside a transaction.
func (c *Client) fail(kind string, r Reply) {
	c.settleRest(outcomeOf(r), r.String())
	if c.p.AbortsOnError {
		kind = c.p.Error(kind) + "; the script catches it and calls quit()"
	} else {
		kind = c.p.Error(kind)
	}
	c.note(kind)
	c.setState(ClientQuit)
	c.send("QUIT", c.verb("QUIT"))
}

func outcomeOf(r Reply) Outcome {
	if r.Code/100 == 4 {
		return Deferred
	}
	return Failed
}

// settleAccepted decides the recipients accepted at RCPT time.
func (c *Client) settleAccepted(o Outcome, why string) {
	for _, i := range c.txn {
		if c.results[i].Outcome == "rcpt-ok" {
			c.results[i].Outcome, c.results[i].Reply = o, why
		}
	}
}

// settleTxn decides every undecided recipient of this transaction.
func (c *Client) settleTxn(o Outcome, why string) {
	for _, i := range c.txn {
		if c.results[i].Outcome == Pending || c.results[i].Outcome == "rcpt-ok" {
			c.results[i].Outcome, c.results[i].Reply = o, why
		}
	}
}

// settleRest decides every recipient not yet decided, in every message.
func (c *Client) settleRest(o Outcome, why string) {
	for i := range c.results {
		switch c.results[i].Outcome {
		case Pending, "rcpt-ok", "retry-next":
			c.results[i].Outcome, c.results[i].Reply = o, why
		}
	}
}

// size is the SIZE value the program declares (RFC 1870 §3: octets with CRLF line ends).
func (c *Client) size(msg []byte) int {
	n := 0
	lines := wire.SplitLines(string(msg))
	for _, l := range lines {
		n += len(l) + 2
	}
	if c.p.Name == "smtplib" && len(msg) > 0 && msg[len(msg)-1] != '\n' {
		n -= 2 // smtplib counts before it adds the final CRLF
	}
	return n
}

func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// verb spells a command the way the profile does.
func (c *Client) verb(v string) string {
	if c.p.LowerVerbs {
		return strings.ToLower(v)
	}
	return v
}

// --- events ---

func (c *Client) end() []machine.Event {
	out := c.out
	c.out = nil
	return out
}

func (c *Client) step(st trace.Step) trace.Step {
	st.Proto = "smtp"
	st.ClientState = c.state
	st.Encrypted = c.tls
	return st
}

func (c *Client) send(expect, line string) {
	verb, _ := splitCommand(line)
	if expect == "AUTH" && !strings.HasPrefix(strings.ToUpper(line), "AUTH") {
		verb = "AUTH"
	}
	c.pending = append(c.pending, expect)
	c.out = append(c.out, machine.Event{Step: c.step(trace.Step{Kind: trace.Command, Text: line, Verb: verb})})
}

func (c *Client) sendData(line string) {
	c.out = append(c.out, machine.Event{Step: c.step(trace.Step{Kind: trace.Data, Text: line})})
}

func (c *Client) note(text string) {
	c.out = append(c.out, machine.Event{Step: c.step(trace.Step{Kind: trace.Note, Text: c.p.Name + ": " + text})})
}

func (c *Client) act(a machine.Action, text string) {
	c.out = append(c.out, machine.Event{Step: c.step(trace.Step{Kind: trace.Note, Text: text}), Action: a})
}

func (c *Client) setState(s string) {
	if s == c.state {
		return
	}
	from := c.state
	c.state = s
	c.out = append(c.out, machine.Event{Step: c.step(trace.Step{Kind: trace.State, Text: "client: " + from + " → " + s, Verb: c.cause})})
}

func (c *Client) closeNow() {
	c.settleRest(Deferred, "the session ended before a verdict")
	c.setState(ClientClosed)
	c.done = true
	c.act(machine.CloseConn, "the client closes the connection")
}
