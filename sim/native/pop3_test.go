//go:build !js

package native

import (
	"crypto/tls"
	"net"
	"net/textproto"
	"strings"
	"testing"
)

// deliver puts one message into bob's maildrop over SMTP.
func (l *testLab) deliver(t *testing.T, to, text string) {
	t.Helper()
	c := l.dial(t, "smtp")
	expectCode(t, c, 220)
	cmd(t, c, "EHLO client.example")
	expectCode(t, c, 250)
	sendRaw(t, c, "someone@example.org", to, text)
	cmd(t, c, "QUIT")
	expectCode(t, c, 221)
}

// Two sessions of one user: the second is refused with [IN-USE] (RFC 2449
// §8.1.2), and gets in once the first has quit.
func TestPOP3InUse(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	first := testPOP3Login(t, l, "bob")
	second := testPOP3Greeted(t, l)
	cmd(t, second, "USER bob")
	expectLine(t, second, "+OK")
	cmd(t, second, "PASS "+testUsers["bob"])
	expectLine(t, second, "-ERR [IN-USE]")
	cmd(t, first, "QUIT")
	expectLine(t, first, "+OK")
	l.waitIdleExcept(t, 1)
	cmd(t, second, "USER bob")
	expectLine(t, second, "+OK")
	cmd(t, second, "PASS "+testUsers["bob"])
	expectLine(t, second, "+OK")
}

// DELE only marks: a session that drops before QUIT removes nothing, one
// that quits removes the message (RFC 1939 §6).
func TestPOP3DeleteOnlyAfterQuit(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	l.deliver(t, "bob@example.com", "Subject: one\r\n\r\nhi\r\n")

	c := testPOP3Login(t, l, "bob")
	cmd(t, c, "DELE 1")
	expectLine(t, c, "+OK")
	c.Close() // no QUIT
	l.waitIdle(t)
	if n := len(l.messages(t, "bob")); n != 1 {
		t.Fatalf("after DELE and a dropped connection bob has %d messages, want 1", n)
	}

	c = testPOP3Login(t, l, "bob")
	cmd(t, c, "DELE 1")
	expectLine(t, c, "+OK")
	if n := len(l.messages(t, "bob")); n != 1 {
		t.Fatalf("DELE removed the message before QUIT")
	}
	cmd(t, c, "QUIT")
	expectLine(t, c, "+OK")
	l.waitIdle(t)
	if n := len(l.messages(t, "bob")); n != 0 {
		t.Fatalf("after QUIT bob has %d messages, want 0", n)
	}
}

// Mail survives a restart of the server: it is in the Maildir, not in memory.
func TestRestartKeepsMail(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	l.deliver(t, "bob@example.com", "Subject: before the restart\r\n\r\nstill here\r\n")
	l.Close()

	l2 := testServerAt(t, l.root)
	c := testPOP3Login(t, l2, "bob")
	cmd(t, c, "RETR 1")
	expectLine(t, c, "+OK")
	lines, err := c.ReadDotLines()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "still here") {
		t.Errorf("RETR after restart: %q", lines)
	}
}

// STLS (RFC 2595 §4), then login over TLS.
func TestPOP3STLS(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	nc, err := net.Dial("tcp", l.addr("pop3", false))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := textproto.NewConn(nc)
	expectLine(t, c, "+OK")
	cmd(t, c, "STLS")
	expectLine(t, c, "+OK")
	tc := tls.Client(nc, &tls.Config{RootCAs: l.pool, ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c = textproto.NewConn(tc)
	cmd(t, c, "USER bob")
	expectLine(t, c, "+OK")
	cmd(t, c, "PASS "+testUsers["bob"])
	expectLine(t, c, "+OK")
	cmd(t, c, "QUIT")
	expectLine(t, c, "+OK")
}

func TestPOP3ImplicitTLS(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	tc, err := tls.Dial("tcp", l.addr("pop3", true), &tls.Config{RootCAs: l.pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := textproto.NewConn(tc)
	expectLine(t, c, "+OK")
	cmd(t, c, "CAPA")
	expectLine(t, c, "+OK")
	caps, _ := c.ReadDotLines()
	if strings.Contains(strings.Join(caps, " "), "STLS") {
		t.Errorf("STLS offered over implicit TLS: %q", caps)
	}
}

// waitIdleExcept waits until at most n sessions are live.
func (l *testLab) waitIdleExcept(t *testing.T, n int) {
	t.Helper()
	for range 2000 {
		live := 0
		for _, s := range l.Hub.Sessions() {
			if s.Live {
				live++
			}
		}
		if live <= n {
			return
		}
		sleepBriefly()
	}
	t.Fatalf("more than %d sessions still live", n)
}
