package pop3

import (
	"errors"
	"fmt"
	"time"

	"maillab/sim/machine"
	"maillab/sim/trace"
	"maillab/sim/wire"
)

// Job is what a POP3 client is asked to do.
type Job struct {
	User, Password string
	Delete         bool     // DELE each retrieved message (false: leave on server)
	STLS           string   // off | optional | required ("" = off)
	Seen           []string // UIDs the mua profile already downloaded in earlier sessions
}

// Retrieved is one message the client downloaded.
type Retrieved struct {
	Number  int    // the message number in that session (RFC 1939 §4: renumbered every session)
	UID     string // from UIDL; "" when the profile did not ask
	Size    int64  // octets received, every line counted with CRLF, stuffing not counted (RFC 1939 §11)
	Message []byte // un-stuffed, with LF line ends as a mail program stores it
}

// Error is a -ERR the server answered: the server refused something.
type Error struct {
	Command string // the verb it answered ("GREETING" for the greeting)
	Reply   string // the whole status line
}

func (e *Error) Error() string { return "pop3: " + e.Command + ": " + e.Reply }

// RespCode is the RFC 2449 §8 response code of the reply ("IN-USE"), if any.
func (e *Error) RespCode() string { _, code := statusOf(e.Reply); return code }

// ProtocolError means the server broke the dialogue: a line the client
// cannot read as POP3, as opposed to a refusal.
type ProtocolError struct{ Reason, Line string }

func (e *ProtocolError) Error() string { return "pop3: protocol error: " + e.Reason + ": " + e.Line }

var (
	// ErrLost: the connection closed before the session ended.
	ErrLost = errors.New("pop3: connection closed before QUIT was answered")
	// ErrTimeout: the server stopped answering.
	ErrTimeout = errors.New("pop3: timed out waiting for the server")
	// ErrNoTLS: the job requires TLS and the server offers no STLS.
	ErrNoTLS = errors.New("pop3: TLS required but the server offers no STLS")
)

// Client is one POP3 session, client side, acting like a real program (a
// profile). It implements machine.Client. The client reports its own
// lines, state changes and decisions; the lines it receives are reported
// by the server.
type Client struct {
	profile string
	job     Job
	state   string
	in      wire.Splitter
	emitter

	pending  string   // the verb whose response is awaited (OnGreeting at first)
	multi    bool     // reading the lines of a multi-line response
	status   string   // that response's status line
	body     []string // its lines, un-stuffed
	bodySize int64

	timestamp string            // APOP challenge from the greeting
	caps      map[string]string // CAPA tag → arguments; nil when unknown
	tls       bool

	queue     []int // message numbers still to RETR
	current   int   // the message of the pending RETR/DELE
	uids      map[int]string
	retrieved []Retrieved
	marked    int // DELE answered +OK
	deleted   int // removed: marked, then +OK to QUIT (RFC 1939 §6)
	err       error
}

var _ machine.Client = (*Client)(nil)

// poplibMaxLine is poplib's _MAXLINE: a longer response line raises
// error_proto('line too long').
const poplibMaxLine = 2048

// NewClient returns a client of the given profile (see Profiles) for a job.
func NewClient(profile string, job Job) (*Client, error) {
	if _, ok := clientTables[profile]; !ok {
		return nil, fmt.Errorf("pop3: unknown client profile %q (want one of %v)", profile, Profiles())
	}
	switch job.STLS {
	case "":
		job.STLS = TLSOff
	case TLSOff, TLSOptional, TLSRequired:
	default:
		return nil, fmt.Errorf("pop3: stls %q: want off, optional or required", job.STLS)
	}
	c := &Client{profile: profile, job: job, state: CGreeting, pending: OnGreeting, uids: map[int]string{}}
	c.in.AcceptBareLF = true // poplib and curl both accept LF-only lines
	c.in.Limit = 1 << 16
	if profile == ProfilePoplib {
		c.in.Limit = poplibMaxLine
	}
	return c, nil
}

// State returns the client's state (see states.go).
func (c *Client) State() string { return c.state }

// Done reports whether the client has nothing more to do on this connection.
func (c *Client) Done() bool { return c.state == CDone || c.state == CFailed }

// Retrieved returns the messages downloaded so far.
func (c *Client) Retrieved() []Retrieved { return append([]Retrieved(nil), c.retrieved...) }

// Deleted is the number of messages the server removed: DELE answered +OK
// and then +OK to QUIT, which is when UPDATE removes them (RFC 1939 §6).
func (c *Client) Deleted() int { return c.deleted }

// Err is why the session failed (an *Error, a *ProtocolError, ErrLost or
// ErrTimeout), or nil.
func (c *Client) Err() error { return c.err }

// Feed takes bytes from the server.
func (c *Client) Feed(now time.Time, b []byte) []machine.Event {
	if c.Done() {
		return nil
	}
	c.in.Feed(b)
	for !c.Done() {
		l, ok := c.in.Next()
		if !ok {
			break
		}
		c.lineIn(l)
	}
	return c.take()
}

// TLSReady: the handshake finished. Cached capabilities are discarded
// (RFC 2595 §4); curl and the mua ask again, poplib does not.
func (c *Client) TLSReady(now time.Time) []machine.Event {
	if c.state != CSTLS || c.pending != "" {
		return nil
	}
	c.tls = true
	c.caps = nil
	if c.profile == ProfilePoplib {
		c.setState(CLogin)
		c.login()
	} else {
		c.setState(CCapa)
		c.send("CAPA", "CAPA")
	}
	return c.take()
}

// Lost: the connection closed, or the server stopped answering and the
// client's timer ran out (then the client closes it).
func (c *Client) Lost(now time.Time, timeout bool) []machine.Event {
	if c.Done() {
		return nil
	}
	if timeout {
		c.err = ErrTimeout
		c.note(c.says("timeout"))
	} else {
		c.err = ErrLost
		c.note(c.says("lost"))
	}
	if c.marked > 0 {
		c.note(plural(c.marked, "message") + " marked with DELE " + verbS(c.marked, "stay") + " on the server: the session never reached UPDATE (RFC 1939 §6)")
	}
	e := c.setState(CFailed)
	if timeout {
		e.Action = machine.CloseConn
	}
	return c.take()
}

// lineIn reads one line of a response.
func (c *Client) lineIn(l wire.Line) {
	if l.TooLong {
		c.protocolError("line too long", l.Text)
		return
	}
	if c.multi {
		text, end := wire.Unstuff(l.Text)
		if !end {
			c.body = append(c.body, text)
			c.bodySize += int64(len(text)) + 2
			return
		}
		c.multi = false
		c.response(c.status, c.body)
		return
	}
	status, _ := statusOf(l.Text)
	switch {
	case c.pending == "":
		c.protocolError("a line the client did not ask for", l.Text)
	case status == "+OK" && multiLine(c.pending):
		c.multi, c.status, c.body, c.bodySize = true, l.Text, nil, 0
	case status == "+OK", status == "-ERR", status == "+" && c.pending == "AUTH":
		c.response(l.Text, nil)
	default:
		c.protocolError("not a POP3 status line", l.Text)
	}
}

// multiLine: the commands whose +OK is followed by lines and "." (RFC 1939 §3).
func multiLine(verb string) bool {
	switch verb {
	case "CAPA", "LIST", "UIDL", "RETR", "TOP":
		return true
	}
	return false
}

// protocolError ends the session on a line that is not POP3. Every profile
// simply closes: there is no way to tell what the server meant.
func (c *Client) protocolError(reason, line string) {
	c.err = &ProtocolError{Reason: reason, Line: line}
	if c.profile == ProfilePoplib {
		c.note("poplib raises error_proto('" + reason + "') and the script stops")
	} else {
		c.note("the client cannot read the server's reply (" + reason + ") and closes the connection")
	}
	c.setState(CFailed).Action = machine.CloseConn
}

// response handles one complete response to the pending command.
func (c *Client) response(line string, body []string) {
	verb := c.pending
	c.pending = ""
	status, _ := statusOf(line)
	ok := status == "+OK"
	if status == "-ERR" {
		c.err = &Error{Command: verb, Reply: line}
	}
	switch verb {
	case OnGreeting:
		c.onGreeting(line, ok)
	case "CAPA":
		c.onCapa(ok, body)
	case "STLS":
		c.onSTLS(line, ok)
	case "USER", "PASS", "APOP", "AUTH":
		c.onLogin(verb, line, status)
	case "STAT", "LIST", "UIDL":
		c.onSurvey(verb, line, ok, body)
	case "RETR", "DELE":
		c.onFetch(verb, line, ok, body)
	case "QUIT":
		c.onQuit(ok)
	}
}

// send writes one command line.
func (c *Client) send(verb, text string) {
	c.pending = verb
	c.add(trace.Step{Kind: trace.Command, Proto: proto, Text: text, Verb: verb, ClientState: c.state})
}

// setState moves the client and reports it. Staying in the same state is
// not a change and makes no step; the returned event is then a placeholder
// the caller may set an Action on without effect.
func (c *Client) setState(to string) *machine.Event {
	from := c.state
	if from == to {
		return &machine.Event{}
	}
	c.state = to
	return c.add(trace.Step{Kind: trace.State, Proto: proto, Text: "client: " + from + " → " + to, ClientState: to})
}

// note reports a decision the student should see.
func (c *Client) note(text string) {
	c.add(trace.Step{Kind: trace.Note, Proto: proto, Text: text, ClientState: c.state})
}
