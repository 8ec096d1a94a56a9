//go:build !js

package native

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	"maillab/sim/fault"
	"maillab/sim/trace"
)

// plain is the AUTH PLAIN initial response for a user (RFC 4616 §2).
func plain(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }

func TestSMTPGreetingAndEhlo(t *testing.T) {
	t.Parallel()
	l, c := testServerGreeted(t)
	cmd(t, c, "EHLO client.example")
	ext := expectCode(t, c, 250)
	for _, want := range []string{"STARTTLS", "AUTH PLAIN LOGIN", "PIPELINING", "SIZE"} {
		if !strings.Contains(ext, want) {
			t.Errorf("EHLO reply lacks %s:\n%s", want, ext)
		}
	}
	cmd(t, c, "QUIT")
	expectCode(t, c, 221)
	expectEOF(t, c)
	l.waitIdle(t)
}

// A message is in the Maildir as sent (with LF line ends), after the
// headers the server adds, as soon as the 250 comes.
func TestSMTPDeliversToMaildir(t *testing.T) {
	t.Parallel()
	l, c := testServerEhlo(t)
	msg := "Subject: test\r\n\r\nline one\r\n.starts with a dot\r\nlast\r\n"
	sendRaw(t, c, "someone@example.org", "bob@example.com", msg)
	got := l.oneMessage(t, "bob")
	if !strings.HasPrefix(got, "Return-Path: <someone@example.org>\nDelivered-To: bob@example.com\nReceived: from client.example (localhost") {
		t.Errorf("headers:\n%s", got)
	}
	if b := body(t, got); b != lf(msg) {
		t.Errorf("body %q, want %q", b, lf(msg))
	}
}

// Native mode never relays: another domain is refused before AUTH (by the
// machine) and after AUTH (by the relay guard), with 554 5.7.1.
func TestSMTPNeverRelays(t *testing.T) {
	t.Parallel()
	l, c := testServerEhlo(t)
	cmd(t, c, "MAIL FROM:<someone@example.org>")
	expectCode(t, c, 250)
	cmd(t, c, "RCPT TO:<friend@elsewhere.example>")
	if msg := expectCode(t, c, 554); !strings.HasPrefix(msg, "5.7.1") {
		t.Errorf("got 554 %s, want 5.7.1", msg)
	}
	cmd(t, c, "RSET")
	expectCode(t, c, 250)
	cmd(t, c, "AUTH PLAIN "+plain("alice", testUsers["alice"]))
	expectCode(t, c, 235)
	cmd(t, c, "MAIL FROM:<alice@example.com>")
	expectCode(t, c, 250)
	cmd(t, c, "RCPT TO:<friend@elsewhere.example>")
	if msg := expectCode(t, c, 554); !strings.HasPrefix(msg, "5.7.1") {
		t.Errorf("got 554 %s, want 5.7.1 after AUTH too", msg)
	}
	cmd(t, c, "RCPT TO:<bob@example.com>")
	expectCode(t, c, 250) // local mail still goes
	cmd(t, c, "QUIT")
	expectCode(t, c, 221)
	l.waitIdle(t)
	tr := l.lastTrace(t)
	for _, st := range tr.Steps {
		if st.Code == 554 && st.Fault != "" {
			t.Errorf("the relay refusal is shown as a fault: %+v", st)
		}
	}
}

func TestSMTPConnectionLimit(t *testing.T) {
	t.Parallel()
	l, _ := testServerGreeted(t, withLimits(Limits{MaxConns: 1}))
	c := l.dial(t, "smtp")
	if msg := expectCode(t, c, 421); msg != "4.7.0 mail.example.com Error: too many connections" {
		t.Errorf("got 421 %s", msg)
	}
	expectEOF(t, c)
	p := l.dial(t, "pop3") // POP3 counts its own sessions
	expectLine(t, p, "+OK")
}

func TestPOP3ConnectionLimit(t *testing.T) {
	t.Parallel()
	l := testServer(t, withLimits(Limits{MaxConns: 1}))
	testPOP3Greeted(t, l)
	c := l.dial(t, "pop3")
	expectLine(t, c, "-ERR [SYS/TEMP] too many connections")
	expectEOF(t, c)
}

// RFC 5321 §4.5.3.2.7: a silent client gets 421 4.4.2 and is closed.
func TestSMTPTimeout(t *testing.T) {
	t.Parallel()
	l, c := testServerGreeted(t, withLimits(Limits{SMTPTimeout: 200 * time.Millisecond}))
	start := time.Now()
	if msg := expectCode(t, c, 421); !strings.HasPrefix(msg, "4.4.2 mail.example.com Error: timeout exceeded") {
		t.Errorf("got 421 %s", msg)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("timed out after %v, want about 200ms", d)
	}
	expectEOF(t, c)
	l.waitIdle(t)
}

// A client trickling a byte at a time does not reset the timeout: only a
// whole line counts as progress.
func TestSMTPTimeoutCountsLines(t *testing.T) {
	t.Parallel()
	l := testServer(t, withLimits(Limits{SMTPTimeout: 300 * time.Millisecond}))
	nc, err := net.Dial("tcp", l.addr("smtp", false))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := textproto.NewConn(nc)
	expectCode(t, c, 220)
	start := time.Now()
	go func() {
		for range 20 {
			if _, err := nc.Write([]byte("N")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	expectCode(t, c, 421)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the trickle kept the session for %v", d)
	}
}

// RFC 1939 §3: autologout closes without a response.
func TestPOP3Timeout(t *testing.T) {
	t.Parallel()
	l := testServer(t, withLimits(Limits{POP3Timeout: 200 * time.Millisecond}))
	c := testPOP3Greeted(t, l)
	expectEOF(t, c)
}

// Faults apply to live sessions, and can be removed again.
func TestSMTPLiveFaults(t *testing.T) {
	t.Parallel()
	l, c := testServerEhlo(t)
	if err := l.Faults.Add(fault.Rule{When: "RCPT TO:<bob@example.com>", Then: "451 4.7.1 Greylisted, try again later"}); err != nil {
		t.Fatal(err)
	}
	cmd(t, c, "MAIL FROM:<someone@example.org>")
	expectCode(t, c, 250)
	cmd(t, c, "RCPT TO:<bob@example.com>")
	expectCode(t, c, 451)
	l.Faults.Remove(0)
	cmd(t, c, "RCPT TO:<bob@example.com>")
	expectCode(t, c, 250)

	l.Faults.Add(fault.Rule{When: "NOOP", Then: "delay 300ms", Times: 1})
	start := time.Now()
	cmd(t, c, "NOOP")
	expectCode(t, c, 250)
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("delay fault: answered after %v", d)
	}
	l.Faults.Add(fault.Rule{When: "RSET", Then: "drop"})
	cmd(t, c, "RSET")
	expectEOF(t, c)
	l.waitIdle(t)
	var fired int
	for _, st := range l.lastTrace(t).Steps {
		if st.Fault != "" {
			fired++
		}
	}
	if fired < 3 {
		t.Errorf("%d steps name a fault, want at least 3", fired)
	}
}

// A "timeout" fault stops answering; the session ends when the client gives up.
func TestSMTPHangFault(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	nc, err := net.Dial("tcp", l.addr("smtp", false))
	if err != nil {
		t.Fatal(err)
	}
	c := textproto.NewConn(nc)
	expectCode(t, c, 220)
	l.Faults.Add(fault.Rule{When: "NOOP", Then: "timeout"})
	cmd(t, c, "NOOP")
	nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if line, err := c.ReadLine(); err == nil {
		t.Fatalf("the server answered %q", line)
	}
	nc.Close()
	l.waitIdle(t)
	if tr := l.lastTrace(t); !strings.Contains(tr.Transcript(), "the server stops answering") {
		t.Errorf("trace:\n%s", tr.Transcript())
	}
}

// STARTTLS (RFC 3207): 220, the handshake, then EHLO again, now with AUTH.
func TestSMTPStartTLS(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	nc, err := net.Dial("tcp", l.addr("smtp", false))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := textproto.NewConn(nc)
	expectCode(t, c, 220)
	cmd(t, c, "EHLO client.example")
	expectCode(t, c, 250)
	cmd(t, c, "STARTTLS")
	expectCode(t, c, 220)
	tc := tls.Client(nc, &tls.Config{RootCAs: l.pool, ServerName: "mail.example.com"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c = textproto.NewConn(tc)
	cmd(t, c, "EHLO client.example")
	if ext := expectCode(t, c, 250); strings.Contains(ext, "STARTTLS") {
		t.Errorf("STARTTLS offered again after TLS:\n%s", ext)
	}
	cmd(t, c, "AUTH PLAIN "+plain("alice", testUsers["alice"]))
	expectCode(t, c, 235)
	sendRaw(t, c, "alice@example.com", "bob@example.com", "Subject: over TLS\r\n\r\nhi\r\n")
	if got := l.oneMessage(t, "bob"); !strings.Contains(got, "with ESMTPSA") {
		t.Errorf("Received: does not say ESMTPSA:\n%s", got)
	}
}

// Implicit TLS (RFC 8314): the handshake first, no STARTTLS offered.
func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	tc, err := tls.Dial("tcp", l.addr("smtp", true), &tls.Config{RootCAs: l.pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := textproto.NewConn(tc)
	expectCode(t, c, 220)
	cmd(t, c, "EHLO client.example")
	if ext := expectCode(t, c, 250); strings.Contains(ext, "STARTTLS") || !strings.Contains(ext, "AUTH") {
		t.Errorf("EHLO over implicit TLS:\n%s", ext)
	}
	cmd(t, c, "QUIT")
	expectCode(t, c, 221)
	l.waitIdle(t)
	if tr := l.lastTrace(t); !tr.Steps[len(tr.Steps)-1].Encrypted {
		t.Errorf("implicit TLS session not marked encrypted")
	}
}

// Close says 421 4.3.2 to live SMTP sessions (RFC 5321 §3.8).
func TestSMTPShutdown(t *testing.T) {
	t.Parallel()
	l, c := testServerEhlo(t)
	done := make(chan struct{})
	go func() { l.Close(); close(done) }()
	if msg := expectCode(t, c, 421); !strings.HasPrefix(msg, "4.3.2") {
		t.Errorf("got 421 %s", msg)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}

// The trace of a session has the connection, every line in both
// directions, the server log and the envelope.
func TestSMTPTraceInHub(t *testing.T) {
	t.Parallel()
	l, c := testServerEhlo(t)
	sendRaw(t, c, "someone@example.org", "bob@example.com", "Subject: x\r\n\r\nhi\r\n")
	cmd(t, c, "QUIT")
	expectCode(t, c, 221)
	l.waitIdle(t)
	tr := l.lastTrace(t)
	text := tr.Transcript()
	for _, want := range []string{"C: EHLO client.example", "S: 250-mail.example.com", "C: MAIL FROM:<someone@example.org>", "S: 354 End data", "C: hi", "S: 250 2.0.0 Ok: queued as", "delivered to bob's Maildir"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	first, last := tr.Steps[0], tr.Steps[len(tr.Steps)-1]
	if first.Kind != trace.Connect || last.Kind != trace.Close || first.To != "mail.example.com" || !strings.HasPrefix(first.From, "127.0.0.1:") {
		t.Errorf("first %+v last %+v", first, last)
	}
	if len(tr.Log) == 0 || !strings.Contains(tr.Log[0].Text, "connect from localhost[127.0.0.1]") {
		t.Errorf("log: %+v", tr.Log)
	}
	if len(tr.Envelopes) != 1 || tr.Envelopes[0].From != "someone@example.org" || tr.Envelopes[0].Accepted[0] != "bob@example.com" || tr.Envelopes[0].QueueID == "" {
		t.Errorf("envelopes: %+v", tr.Envelopes)
	}
}

// A message is stored before its 250, and a store that fails gets 451,
// never 250 (RFC 5321 §6.1).
func TestSMTPStoreFailureIs451(t *testing.T) {
	t.Parallel()
	l, c := testServerEhlo(t)
	cmd(t, c, "MAIL FROM:<someone@example.org>")
	expectCode(t, c, 250)
	cmd(t, c, "RCPT TO:<postmaster@example.com>")
	expectCode(t, c, 250)
	// Make the postmaster's Maildir impossible: a file where its folder goes.
	if err := writeFile(l.root+"/postmaster", "not a folder"); err != nil {
		t.Fatal(err)
	}
	cmd(t, c, "DATA")
	expectCode(t, c, 354)
	w := c.DotWriter()
	w.Write([]byte("Subject: x\r\n\r\nhi\r\n"))
	w.Close()
	expectCode(t, c, 451)
}

func (l *testLab) lastTrace(t *testing.T) trace.Trace {
	t.Helper()
	s := l.Hub.Sessions()
	if len(s) == 0 {
		t.Fatal("no sessions in the hub")
	}
	tr, ok := l.Hub.Trace(s[len(s)-1].ID)
	if !ok {
		t.Fatal("the hub forgot the last session")
	}
	return tr
}
