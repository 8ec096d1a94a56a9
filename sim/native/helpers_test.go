//go:build !js

package native

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/sim/mailstore"
	"maillab/sim/smtp"
)

// The helper ladder, after go-smtp's server_test.go: testServer starts
// native mode on 127.0.0.1:0 over a fresh Maildir; testServerGreeted
// connects and reads the greeting; testServerEhlo also says EHLO;
// testPOP3Greeted and testPOP3Login do the same for POP3.

// Passwords of the test users.
var testUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret"}

// testLab is native mode running for one test.
type testLab struct {
	*Lab
	root  string // the Maildir root
	store *mailstore.Maildir
	pool  *x509.CertPool // trusts the test certificate
}

type labOption func(*Setup)

func withLimits(l Limits) labOption { return func(s *Setup) { s.Limits = l } }

func testServer(t *testing.T, opts ...labOption) *testLab {
	t.Helper()
	root := filepath.Join(t.TempDir(), "mail")
	return testServerAt(t, root, opts...)
}

// testServerAt starts native mode over an existing Maildir (restarts).
func testServerAt(t *testing.T, root string, opts ...labOption) *testLab {
	t.Helper()
	store, err := mailstore.NewMaildir(root)
	if err != nil {
		t.Fatal(err)
	}
	cert, pool := testCertificate(t)
	s := Setup{
		SMTP:   smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: testUsers},
		Store:  store,
		TLS:    ServerTLS(cert),
		Limits: Limits{SMTPTimeout: 20 * time.Second, POP3Timeout: 20 * time.Second},
		// Short pauses: tests that fail logins on purpose must stay fast.
		Throttle: NewThrottle(ThrottleConfig{Pause: 10 * time.Millisecond, MaxPause: 50 * time.Millisecond}),
	}
	for _, o := range opts {
		o(&s)
	}
	lab, err := Start(s, Addrs{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0", SMTPS: "127.0.0.1:0", POP3S: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return &testLab{Lab: lab, root: root, store: store, pool: pool}
}

var (
	certOnce sync.Once
	certPEM  tls.Certificate
	certPool *x509.CertPool
	certErr  error
)

// testCertificate makes one self-signed certificate for the whole test run.
func testCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	certOnce.Do(func() {
		dir, err := os.MkdirTemp("", "maillab-cert")
		if err != nil {
			certErr = err
			return
		}
		defer os.RemoveAll(dir)
		certPEM, _, certErr = Certificate(dir, "mail.example.com")
		if certErr == nil {
			certPool = x509.NewCertPool()
			leaf, err := x509.ParseCertificate(certPEM.Certificate[0])
			if err != nil {
				certErr = err
				return
			}
			certPool.AddCert(leaf)
		}
	})
	if certErr != nil {
		t.Fatal(certErr)
	}
	return certPEM, certPool
}

// addr returns the host:port serving proto.
func (l *testLab) addr(proto string, implicitTLS bool) string {
	return l.Addr(proto, implicitTLS).String()
}

func (l *testLab) port(proto string) string {
	_, p, _ := net.SplitHostPort(l.addr(proto, false))
	return p
}

// dial opens a raw text connection to proto.
func (l *testLab) dial(t *testing.T, proto string) *textproto.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", l.addr(proto, false), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	c := textproto.NewConn(nc)
	t.Cleanup(func() { c.Close() })
	return c
}

func testServerGreeted(t *testing.T, opts ...labOption) (*testLab, *textproto.Conn) {
	t.Helper()
	l := testServer(t, opts...)
	c := l.dial(t, "smtp")
	expectCode(t, c, 220)
	return l, c
}

func testServerEhlo(t *testing.T, opts ...labOption) (*testLab, *textproto.Conn) {
	t.Helper()
	l, c := testServerGreeted(t, opts...)
	cmd(t, c, "EHLO client.example")
	expectCode(t, c, 250)
	return l, c
}

func testPOP3Greeted(t *testing.T, l *testLab) *textproto.Conn {
	t.Helper()
	c := l.dial(t, "pop3")
	expectLine(t, c, "+OK")
	return c
}

func testPOP3Login(t *testing.T, l *testLab, user string) *textproto.Conn {
	t.Helper()
	c := testPOP3Greeted(t, l)
	cmd(t, c, "USER "+user)
	expectLine(t, c, "+OK")
	cmd(t, c, "PASS "+testUsers[user])
	expectLine(t, c, "+OK")
	return c
}

func cmd(t *testing.T, c *textproto.Conn, line string) {
	t.Helper()
	if err := c.PrintfLine("%s", line); err != nil {
		t.Fatalf("send %q: %v", line, err)
	}
}

// expectCode reads an SMTP reply and checks its code; it returns the text.
func expectCode(t *testing.T, c *textproto.Conn, code int) string {
	t.Helper()
	got, msg, err := c.ReadResponse(0)
	if err != nil && got == 0 {
		t.Fatalf("want a %d reply: %v", code, err)
	}
	if got != code {
		t.Fatalf("got %d %s, want %d", got, msg, code)
	}
	return msg
}

// expectLine reads one line and checks its start.
func expectLine(t *testing.T, c *textproto.Conn, prefix string) string {
	t.Helper()
	l, err := c.ReadLine()
	if err != nil {
		t.Fatalf("want %q…: %v", prefix, err)
	}
	if !strings.HasPrefix(l, prefix) {
		t.Fatalf("got %q, want %q…", l, prefix)
	}
	return l
}

// expectEOF checks that the server closed the connection.
func expectEOF(t *testing.T, c *textproto.Conn) {
	t.Helper()
	if l, err := c.ReadLine(); err == nil {
		t.Fatalf("got %q, want the connection closed", l)
	}
}

// sendRaw runs a whole SMTP transaction on a greeted, EHLO'd connection.
func sendRaw(t *testing.T, c *textproto.Conn, from, to, body string) {
	t.Helper()
	sendText(t, c, from, to, body)
	expectCode(t, c, 250)
}

// sendText is sendRaw up to the final dot: the reply to the message is
// left for the caller to read.
func sendText(t *testing.T, c *textproto.Conn, from, to, body string) {
	t.Helper()
	cmd(t, c, "MAIL FROM:<"+from+">")
	expectCode(t, c, 250)
	cmd(t, c, "RCPT TO:<"+to+">")
	expectCode(t, c, 250)
	cmd(t, c, "DATA")
	expectCode(t, c, 354)
	w := c.DotWriter()
	w.Write([]byte(body))
	w.Close()
}

// waitIdle waits until no session is live, so that what a session's end
// does (a POP3 lock released, nothing removed) has happened.
func (l *testLab) waitIdle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		live := false
		for _, s := range l.Hub.Sessions() {
			live = live || s.Live
		}
		if !live {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("sessions still live after 10s")
}

// messages returns the files of a user's Maildir (new/ and cur/), oldest first by name.
func (l *testLab) messages(t *testing.T, user string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"new", "cur"} {
		ents, err := os.ReadDir(filepath.Join(l.root, user, sub))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(l.root, user, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
	}
	slices.Sort(out)
	return out
}

// oneMessage returns the only message of a user's Maildir.
func (l *testLab) oneMessage(t *testing.T, user string) string {
	t.Helper()
	msgs := l.messages(t, user)
	if len(msgs) != 1 {
		t.Fatalf("%s has %d messages, want 1: %q", user, len(msgs), msgs)
	}
	return msgs[0]
}

// body strips the headers the server adds (Return-Path, Delivered-To and
// the Received: field with its folded lines), leaving what the client sent.
func body(t *testing.T, stored string) string {
	t.Helper()
	for _, h := range []string{"Return-Path: ", "Delivered-To: ", "Received: "} {
		if !strings.HasPrefix(stored, h) {
			t.Fatalf("stored message does not start with %q: %q", h, stored)
		}
		_, stored, _ = strings.Cut(stored, "\n")
		for strings.HasPrefix(stored, "\t") || strings.HasPrefix(stored, " ") {
			_, stored, _ = strings.Cut(stored, "\n")
		}
	}
	return stored
}

// lf turns CRLF into LF, as a Maildir stores lines.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// need skips the test when an external program is missing: CI installs
// curl, and python3 is present; a developer machine may lack either.
func need(t *testing.T, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		t.Skipf("%s is not installed (not in PATH): skipping this interoperability test", program)
	}
	return p
}

// run runs an external program with a deadline and returns its stdout;
// the test fails if it exits non-zero, unless wantFail.
func run(t *testing.T, stdin string, wantFail bool, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, need(t, name), args...)
	c.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if (err != nil) != wantFail {
		t.Fatalf("%s %s: err=%v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// python runs a Python script given as source.
func python(t *testing.T, script string, args ...string) string {
	t.Helper()
	return run(t, "", false, "python3", append([]string{"-c", script}, args...)...)
}

func sleepBriefly() { time.Sleep(5 * time.Millisecond) }
