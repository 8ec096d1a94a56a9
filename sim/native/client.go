//go:build !js

package native

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"maillab/sim/machine"
	"maillab/sim/smtp"
	"maillab/sim/trace"
	"maillab/sim/wire"
)

// ClientOptions says how RunClient drives a client machine.
type ClientOptions struct {
	Proto  string // "smtp" or "pop3"
	Client string // the client's name in the trace ("" = the local address)
	Server string // the server's name in the trace ("" = the remote address)
	// TLS is the client side of STARTTLS/STLS; nil makes the handshake
	// fail, and the machine hears that the connection was lost.
	TLS *tls.Config
	// Timeout is how long to wait for each reply; 0 = the machine's own
	// ReplyTimeout (the RFC 5321 §4.5.3.2 minimums for SMTP), else 5 minutes.
	Timeout time.Duration
	// OnStep, if set, sees each step as it happens, so a command can print
	// the dialogue live.
	OnStep func(trace.Step)
}

// maxReplyBuffer bounds what a server may send without a line end.
const maxReplyBuffer = 1 << 20

// RunClient drives a client machine (smtp.NewClient, pop3.NewClient) over
// nc until its job is done or the connection ends, closes nc and returns
// the dialogue. The machine decides everything; this only moves bytes,
// runs the TLS handshake it asks for and tells it when the server is gone
// or too slow.
func RunClient(nc net.Conn, m machine.Client, o ClientOptions) *trace.Trace {
	r := &clientRun{o: o, raw: nc, nc: nc, m: m, start: time.Now(), verb: "GREETING"}
	if r.o.Client == "" {
		r.o.Client = nc.LocalAddr().String()
	}
	if r.o.Server == "" {
		r.o.Server = nc.RemoteAddr().String()
	}
	r.in.AcceptBareLF = true
	r.tr = &trace.Trace{
		Title: upper(o.Proto) + " dialogue with " + nc.RemoteAddr().String(),
		Start: r.start,
		Actors: []trace.Actor{
			{Name: r.o.Client, Role: "mua", Desc: "maillab's " + upper(o.Proto) + " client"},
			{Name: r.o.Server, Role: serverRole(o.Proto), Desc: "the server at " + nc.RemoteAddr().String()},
		},
	}
	r.step(trace.Step{Kind: trace.Connect, Text: o.Proto, From: r.o.Client, To: r.o.Server})
	r.run()
	r.close()
	r.step(trace.Step{Kind: trace.Close, Text: "connection 1 closed", ClientState: m.State(), From: r.o.Client, To: r.o.Server})
	return r.tr
}

// clientRun is one RunClient call.
type clientRun struct {
	o         ClientOptions
	raw, nc   net.Conn
	m         machine.Client
	tr        *trace.Trace
	start     time.Time
	in        wire.Splitter
	out       []byte
	encrypted bool
	closed    bool

	// For recording the server's lines: the command they answer and, in
	// POP3, whether they are the lines of a multi-line response.
	verb  string
	arg   bool
	multi bool
}

func (r *clientRun) run() {
	buf := make([]byte, 4096)
	for !r.closed && !r.m.Done() {
		r.nc.SetReadDeadline(time.Now().Add(r.timeout()))
		n, err := r.nc.Read(buf)
		if n > 0 {
			r.received(buf[:n])
		}
		if err == nil || r.closed || r.m.Done() {
			continue
		}
		timeout := isTimeout(err)
		switch {
		case timeout:
			r.note("no reply within " + r.timeout().String() + ": the client gives up")
		case errors.Is(err, io.EOF):
			r.note("the server closed the connection")
		default:
			r.note("the connection broke: " + err.Error())
		}
		r.apply(r.m.Lost(time.Now(), timeout))
		return
	}
}

// timeout is how long to wait for the next reply.
func (r *clientRun) timeout() time.Duration {
	if r.o.Timeout > 0 {
		return r.o.Timeout
	}
	if t, ok := r.m.(interface{ ReplyTimeout() time.Duration }); ok {
		return t.ReplyTimeout()
	}
	return 5 * time.Minute
}

// received records the server's lines and feeds them to the machine one
// at a time, so that each is labelled with the command it answers even
// when replies to pipelined commands arrive together.
func (r *clientRun) received(b []byte) {
	r.in.Feed(b)
	for !r.closed && !r.m.Done() {
		l, ok := r.in.Next()
		if !ok {
			break
		}
		r.serverLine(l.Text)
		term := "\r\n"
		if l.BareLF {
			term = "\n"
		}
		r.apply(r.m.Feed(time.Now(), []byte(l.Text+term)))
	}
	if r.in.Buffered() > maxReplyBuffer && !r.closed {
		r.note("the server sent more than 1 MB without a line end: the client gives up")
		r.apply(r.m.Lost(time.Now(), false))
		r.close()
	}
}

// serverLine records one line from the server as the trace shows replies.
func (r *clientRun) serverLine(text string) {
	st := trace.Step{Kind: trace.Reply, ByServer: true, Text: text, From: r.o.Server, To: r.o.Client}
	if r.o.Proto == "pop3" {
		r.pop3Line(&st)
	} else {
		if w, ok := r.m.(interface{ Waiting() string }); ok {
			st.ReplyTo = w.Waiting()
		}
		if code, more, rest, ok := smtp.ParseReplyLine(text); ok {
			st.Code, st.More = code, more
			st.Enhanced, _ = smtp.SplitEnhanced(code, rest)
		}
	}
	r.step(st)
}

// pop3Line labels a POP3 line: a status line, or a line of a multi-line
// response (RFC 1939 §3), which ends at ".".
func (r *clientRun) pop3Line(st *trace.Step) {
	st.ReplyTo = r.verb
	if r.multi {
		st.Kind = trace.Data
		st.More = st.Text != "."
		r.multi = st.More
		return
	}
	switch {
	case strings.HasPrefix(st.Text, "+OK"):
		st.Status = "+OK"
	case strings.HasPrefix(st.Text, "-ERR"):
		st.Status = "-ERR"
	case strings.HasPrefix(st.Text, "+"):
		st.Status = "+" // a SASL continuation (RFC 5034 §4)
	}
	if rest := strings.TrimPrefix(st.Text, st.Status); strings.HasPrefix(rest, " [") {
		if end := strings.IndexByte(rest, ']'); end > 2 {
			st.RespCode = rest[2:end]
		}
	}
	if st.Status == "+OK" && pop3Multi(r.verb, r.arg) {
		r.multi, st.More = true, true
	}
}

// pop3Multi: the commands whose +OK is followed by lines and "." (RFC 1939
// §5, RFC 2449 §5); LIST and UIDL only without an argument.
func pop3Multi(verb string, arg bool) bool {
	switch verb {
	case "CAPA", "RETR", "TOP":
		return true
	case "LIST", "UIDL":
		return !arg
	}
	return false
}

// apply records the client's events, writes its lines and carries out its actions.
func (r *clientRun) apply(evs []machine.Event) {
	for _, e := range evs {
		if e.Step.Kind != "" {
			st := e.Step
			st.From, st.To = r.o.Client, r.o.Server
			r.step(st)
		}
		if e.Sends() && !r.closed {
			r.out = append(r.out, e.Step.Text...)
			r.out = append(r.out, "\r\n"...)
			if e.Step.Kind == trace.Command {
				r.verb = e.Step.Verb
				_, arg, _ := strings.Cut(e.Step.Text, " ")
				r.arg = strings.TrimSpace(arg) != ""
			}
		}
		switch e.Action {
		case machine.StartTLS:
			r.flush()
			r.startTLS()
		case machine.CloseConn:
			r.flush()
			r.close()
		}
	}
	r.flush()
}

func (r *clientRun) flush() {
	if len(r.out) == 0 || r.closed {
		r.out = r.out[:0]
		return
	}
	r.nc.SetWriteDeadline(time.Now().Add(r.timeout()))
	_, err := r.nc.Write(r.out)
	r.out = r.out[:0]
	if err != nil {
		r.note("the connection broke while sending: " + err.Error())
		r.apply(r.m.Lost(time.Now(), false))
		r.close()
	}
}

// startTLS runs the client side of the handshake after the server's 220
// (STARTTLS) or +OK (STLS). Whatever the server sent before it in plaintext
// is dropped: it could have been injected (RFC 3207 §6).
func (r *clientRun) startTLS() {
	r.in.Rest()
	if r.o.TLS == nil {
		r.note("this client has no TLS configuration: it cannot start TLS")
		r.apply(r.m.Lost(time.Now(), false))
		r.close()
		return
	}
	tc := tls.Client(r.raw, r.o.TLS)
	r.raw.SetDeadline(time.Now().Add(30 * time.Second))
	err := tc.Handshake()
	r.raw.SetDeadline(time.Time{})
	if err != nil {
		r.note("TLS handshake failed: " + err.Error())
		r.apply(r.m.Lost(time.Now(), false))
		r.close()
		return
	}
	r.nc, r.encrypted = tc, true
	st := tc.ConnectionState()
	text := tls.VersionName(st.Version) + " established (" + tls.CipherSuiteName(st.CipherSuite) + ")"
	if r.o.TLS.InsecureSkipVerify {
		text += "; the server's certificate was not verified"
	} else {
		text += "; the server's certificate was verified"
	}
	r.step(trace.Step{Kind: trace.TLS, Text: text, From: r.o.Client, To: r.o.Server})
	r.apply(r.m.TLSReady(time.Now()))
}

func (r *clientRun) close() {
	if r.closed {
		return
	}
	r.closed = true
	r.nc.Close()
}

func (r *clientRun) note(text string) {
	r.step(trace.Step{Kind: trace.Note, Text: text, From: r.o.Client, To: r.o.Server})
}

// step records a step and shows it to OnStep.
func (r *clientRun) step(st trace.Step) {
	st.Conn = 1
	st.Proto = r.o.Proto
	st.At = time.Since(r.start)
	st.Encrypted = st.Encrypted || r.encrypted
	if st.ServerState == "" && st.ClientState == "" {
		st.ClientState = r.m.State()
	}
	r.tr.Steps = append(r.tr.Steps, st)
	if r.o.OnStep != nil {
		r.o.OnStep(st)
	}
}
