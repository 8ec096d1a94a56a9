//go:build !js

package native

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// conn drives one machine over one connection. Its goroutine is the only
// one that touches the machine: reads, the deadlines' expiry, delays and
// TLS handshakes all happen here, one after the other.
type conn struct {
	srv  *Server
	raw  net.Conn // the TCP connection (Close and deadlines reach it)
	nc   net.Conn // what is read and written: raw, or TLS over raw
	m    machine.Server
	sess *session
	ip   string // the client's address, for the login throttle
	out  []byte // lines to write, flushed before each action and at the end of a batch
	buf  []byte // what is read goes here

	tlsStarts int // STARTTLS/STLS handshakes begun (see feed)

	closed bool // the session is over; nothing more is read or written
	quit   bool // the client sent QUIT (see close)
	broken bool // a write failed: the client is gone or does not read
	hung   bool // a "timeout" fault: read and ignore until the client gives up

	// progress is when the machine last took in a whole line. The read
	// deadline counts from it, not from the last byte, so a client sending
	// one byte every few seconds cannot keep a session open forever.
	progress  time.Time
	hangUntil time.Time
}

// readBuffer is the size of a connection's read buffer: a whole 1 KB
// message with its commands, or four full-length lines of text.
const readBuffer = 4096

// handle serves one connection from the greeting to the close, reading
// into buf (the worker's, reused from one connection to the next).
func (s *Server) handle(raw net.Conn, implicitTLS bool, buf []byte) {
	defer s.untrack(raw)
	c := &conn{srv: s, raw: raw, nc: raw, sess: s.begin(raw, implicitTLS), ip: hostIP(raw.RemoteAddr()), buf: buf}
	defer func() {
		c.sess.end("connection "+itoa(c.sess.id())+" closed", c.state())
		if r, ok := c.m.(interface{ Release() }); ok {
			r.Release() // its buffers go to the next session's machine
		}
	}()
	defer c.recoverPanic()
	if implicitTLS {
		tc := tls.Server(raw, s.tls)
		if !c.handshake(tc, true) {
			return
		}
		c.nc = tc
	}
	c.m = s.machine(peer{ID: c.sess.id(), Remote: raw.RemoteAddr(), Local: raw.LocalAddr(), TLS: implicitTLS}, c.sess)
	c.run()
}

func (c *conn) state() string {
	if c.m == nil {
		return ""
	}
	return c.m.State()
}

// run is the read loop: greeting, then bytes in and replies out until one
// side ends the session.
func (c *conn) run() {
	c.progress = time.Now()
	c.apply(c.m.Start(time.Now()))
	for !c.closed {
		if c.broken {
			c.lost("the client does not read its replies: the server gives up on it")
			return
		}
		deadline := c.progress.Add(c.srv.timeout)
		if c.hung {
			deadline = c.hangUntil
		}
		c.nc.SetReadDeadline(deadline)
		// Checked after setting the deadline: Close sets one in the past
		// after raising closing, so one of the two is always seen.
		if c.srv.closing.Load() {
			c.shutdown()
			return
		}
		n, err := c.nc.Read(c.buf)
		if n > 0 && !c.hung {
			c.feed(c.buf[:n])
		}
		if err == nil || c.closed {
			continue
		}
		switch {
		case c.srv.closing.Load():
			c.shutdown()
		case c.hung && isTimeout(err):
			c.lost("the server stopped answering and the client did not give up within " + c.srv.timeout.String() + ": the server closes the connection")
		case isTimeout(err):
			// RFC 5321 §4.5.3.2.7 (421 4.4.2) or RFC 1939 §3 (autologout,
			// no reply): the machine knows which.
			c.apply(c.m.Timeout(time.Now()))
		case errors.Is(err, io.EOF):
			c.lost("the client closed the connection")
		default:
			c.lost("the connection broke: " + err.Error())
		}
		c.close()
	}
}

// feed hands what was read to the machine. POP3 gets one line at a time,
// each answered and written before the next is handed over: a client that
// pipelines a read buffer full of "RETR 1" (RFC 2449 §6.6) would otherwise
// make the machine build hundreds of copies of the message at once, and
// the server's memory would follow. One response is as big as the largest
// message; the rest of the pipeline waits in the read buffer.
func (c *conn) feed(b []byte) {
	tls := c.tlsStarts
	for len(b) > 0 && !c.closed && !c.hung && !c.broken {
		if c.tlsStarts != tls {
			// The rest was read in plaintext before the handshake: the
			// client may not send it (RFC 2595 §4, RFC 3207 §4.2), and
			// running it now, as if it had come over TLS, is how commands
			// get injected (CVE-2011-0411).
			c.sess.note("the server discards "+itoa(len(b))+" octets sent in plaintext after the TLS command", "RFC 3207 §4.2")
			return
		}
		chunk := b
		if c.srv.lineAtATime {
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				chunk = b[:i+1]
			}
		}
		b = b[len(chunk):]
		c.apply(c.m.Feed(time.Now(), chunk))
	}
}

// apply records a batch of machine events and carries them out in order.
// The lines the machine took in are recorded first: on the wire the
// client's whole write (a pipelined group, a message) came before any reply
// to it (RFC 2920 §3.2), and the page should draw it that way.
func (c *conn) apply(evs []machine.Event) {
	c.sess.tick()
	for i := range evs {
		if e := &evs[i]; e.Received {
			c.sess.event(e)
			c.progress = c.sess.now
			c.quit = c.quit || e.Step.Verb == "QUIT"
		}
	}
	c.sess.flushHeld()
	for i := range evs {
		e := &evs[i]
		if e.Received {
			continue
		}
		if loginFailure(e) {
			c.throttle()
			c.sess.tick()
		}
		c.sess.event(e)
		if e.Sends() {
			c.out = appendLine(c.out, e.Step.Text)
		}
		switch e.Action {
		case machine.Wait:
			c.flush()
			c.wait(e.Delay)
			c.sess.tick()
		case machine.StartTLS:
			c.flush()
			c.startTLS() // its handshake and the machine's TLSReady read the clock again
		case machine.CloseConn:
			c.flush()
			c.close()
		case machine.Hang:
			c.flush()
			c.hung = true
			c.hangUntil = time.Now().Add(c.srv.timeout)
		}
	}
	c.flush()
}

// throttle counts a failed login from the client's address and, beyond
// the free ones, waits before the failure is answered: a password guesser
// gets a few tries a minute instead of thousands.
func (c *conn) throttle() {
	t := c.srv.throttle
	if t == nil {
		return
	}
	d := t.Fail(c.ip)
	if d <= 0 {
		return
	}
	c.sess.note("login throttle: "+itoa(t.Failures(c.ip))+" failed logins from "+c.ip+": the server waits "+d.String()+" before answering", "")
	c.flush()
	c.srv.sleep(d)
}

// appendLine adds one line and its CRLF. A CR or LF inside the line would
// end it early and let the rest pass for a reply or a command of its own
// (reply injection), so the driver writes them as "?" whatever a machine
// produced: the machines already never put them there, and this keeps it so.
func appendLine(out []byte, line string) []byte {
	start := len(out)
	out = append(out, line...)
	if strings.ContainsAny(line, "\r\n") {
		for i := start; i < len(out); i++ {
			if out[i] == '\r' || out[i] == '\n' {
				out[i] = '?'
			}
		}
	}
	return append(out, '\r', '\n')
}

// flush writes the lines collected so far, within the protocol's timeout.
func (c *conn) flush() {
	c.sess.publish()
	if len(c.out) == 0 || c.closed || c.broken {
		c.out = c.out[:0]
		return
	}
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.timeout))
	_, err := c.nc.Write(c.out)
	c.out = c.out[:0]
	if err != nil {
		c.broken = true
	}
}

// wait carries out a "delay" fault in real time, capped by Limits.MaxDelay.
func (c *conn) wait(d time.Duration) {
	if d > c.srv.lim.MaxDelay {
		c.sess.note("native mode caps a delay at "+c.srv.lim.MaxDelay.String()+" (the rule asked for "+d.String()+")", "")
		d = c.srv.lim.MaxDelay
	}
	c.srv.sleep(d)
}

// startTLS runs the server side of STARTTLS (RFC 3207 §4) or STLS (RFC 2595
// §4) after the machine's 220 or +OK went out: the handshake on the same
// TCP connection, then the machine starts over with TLSReady.
func (c *conn) startTLS() {
	if c.srv.tls == nil {
		// The machines offer TLS only when the server has a certificate.
		c.lost("the server has no certificate: the TLS handshake cannot start")
		c.close()
		return
	}
	c.tlsStarts++
	tc := tls.Server(c.raw, c.srv.tls)
	if !c.handshake(tc, false) {
		c.apply(c.m.Lost(time.Now()))
		c.close()
		return
	}
	c.nc = tc
	c.progress = time.Now()
	c.apply(c.m.TLSReady(time.Now()))
}

// handshake runs a TLS handshake within Limits.Handshake and records it.
func (c *conn) handshake(tc *tls.Conn, implicit bool) bool {
	c.raw.SetDeadline(time.Now().Add(c.srv.lim.Handshake))
	if c.srv.closing.Load() {
		return false
	}
	err := tc.Handshake()
	c.raw.SetDeadline(time.Time{})
	if err != nil {
		c.sess.note("TLS handshake failed: "+err.Error(), "RFC 8446 §6")
		return false
	}
	c.sess.encrypted = true
	st := tc.ConnectionState()
	text := tls.VersionName(st.Version) + " established (" + tls.CipherSuiteName(st.CipherSuite) + "): from here on the dialogue is encrypted"
	rfc := "RFC 3207 §4"
	switch {
	case implicit:
		rfc = "RFC 8314 §3.3"
	case c.srv.proto == "pop3":
		rfc = "RFC 2595 §4"
	}
	c.sess.step(trace.Step{Kind: trace.TLS, Text: text, RFC: rfc})
	return true
}

// lost tells the machine the connection is gone (no QUIT: an SMTP
// transaction is dropped, a POP3 session removes nothing, RFC 1939 §6).
func (c *conn) lost(why string) {
	c.sess.note(why, "")
	c.apply(c.m.Lost(time.Now()))
	c.close()
}

// shutdown ends a live session because the server is stopping: SMTP says
// 421 first (RFC 5321 §3.8), POP3 just closes without UPDATE.
func (c *conn) shutdown() {
	if c.srv.bye.Text != "" && !c.hung && !c.broken {
		c.sess.step(c.srv.bye)
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		c.nc.Write([]byte(c.srv.bye.Text + "\r\n"))
	}
	c.sess.note("the server is shutting down", "")
	c.apply(c.m.Lost(time.Now()))
	c.close()
}

// close ends the connection once. It half-closes first and reads what is
// left for a moment: closing a socket with unread input makes the kernel
// send RST, which can destroy the last reply before the client reads it.
// After QUIT, with nothing left unread, the client has said it is done
// and will send nothing more: the socket is closed at once (FIN after the
// last reply), as Postfix does.
func (c *conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	if c.quit && nothingUnread(c.nc) {
		c.nc.Close()
		return
	}
	lingerClose(c.nc, c.srv.closing.Load())
}

func lingerClose(nc net.Conn, hurry bool) {
	if cw, ok := nc.(interface{ CloseWrite() error }); ok && !hurry {
		if cw.CloseWrite() == nil {
			nc.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
			io.Copy(io.Discard, io.LimitReader(nc, 1<<16))
		}
	}
	nc.Close()
}

// refuse answers a client beyond MaxConns and closes (RFC 5321 §3.1 lets a
// server refuse a session at the greeting; 421 says "try again later").
func (s *Server) refuse(nc net.Conn, implicitTLS bool) {
	defer s.untrack(nc)
	ss := s.begin(nc, implicitTLS)
	ss.log("warning: too many connections: " + nc.RemoteAddr().String() + " refused (limit " + itoa(s.lim.MaxConns) + ")")
	if !implicitTLS { // a TLS client could not read a plaintext line anyway
		ss.step(s.busy)
		nc.SetWriteDeadline(time.Now().Add(2 * time.Second))
		nc.Write([]byte(s.busy.Text + "\r\n"))
	}
	ss.end("connection "+itoa(ss.id())+" closed: too many connections", "")
	lingerClose(nc, s.closing.Load())
}

// recoverPanic keeps a bug in one session from taking the whole server
// down: the client is told goodbye as at shutdown, the machine hears that
// the connection is lost (so a POP3 maildrop lock is released) and the
// session ends. The other sessions go on.
func (c *conn) recoverPanic() {
	r := recover()
	if r == nil {
		return
	}
	c.sess.note(fmt.Sprintf("internal error in the server, the session is closed: %v", r), "")
	if !c.closed && c.srv.bye.Text != "" {
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		c.nc.Write([]byte(c.srv.bye.Text + "\r\n"))
	}
	if c.m != nil {
		func() {
			defer func() { recover() }()
			c.m.Lost(time.Now())
		}()
	}
	c.closed = true
	c.nc.Close()
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}
