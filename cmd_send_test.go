package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"maillab/sim/fault"
	"maillab/sim/mailstore"
	"maillab/sim/native"
	"maillab/sim/smtp"
)

// `maillab send` against maillab's own server, Python's smtpd and go-smtp's
// server, over real TCP on 127.0.0.1.

var labUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret"}

// cmdLab is native mode on 127.0.0.1:0 with a fresh Maildir.
type cmdLab struct {
	*native.Lab
	root string
}

func startCmdLab(t *testing.T) *cmdLab {
	t.Helper()
	dir := t.TempDir()
	store, err := mailstore.NewMaildir(filepath.Join(dir, "mail"))
	if err != nil {
		t.Fatal(err)
	}
	cert, _, err := native.Certificate(filepath.Join(dir, "tls"), "mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	lab, err := native.Start(native.Setup{
		SMTP:  smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: labUsers},
		Store: store, TLS: native.ServerTLS(cert),
	}, native.Addrs{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return &cmdLab{Lab: lab, root: filepath.Join(dir, "mail")}
}

func (l *cmdLab) addr(proto string) string { return l.Addr(proto, false).String() }

// files returns the contents of a user's Maildir messages.
func (l *cmdLab) files(t *testing.T, user string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(l.root, user, sub))
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(l.root, user, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
	}
	return out
}

// waitIdle waits until the lab has no live session.
func (l *cmdLab) waitIdle(t *testing.T) {
	t.Helper()
	for range 2000 {
		live := false
		for _, s := range l.Hub.Sessions() {
			live = live || s.Live
		}
		if !live {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("sessions still live")
}

func send(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cmdSend(args, &out, &errb)
	return code, out.String() + errb.String()
}

func TestSendToNative(t *testing.T) {
	t.Parallel()
	l := startCmdLab(t)
	code, out := send(t, "--server", l.addr("smtp"), "--from", "alice@example.com", "--to", "bob@example.com",
		"--subject", "Grüße", "--body", "hello\n.a dot line", "--user", "alice", "--password", labUsers["alice"], "--explain")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"C: STARTTLS", "certificate was not verified", "C: AUTH PLAIN", "S: 250 2.0.0 Ok: queued as", "    ↳ ", "# bob@example.com: accepted — 250 2.0.0 Ok: queued as"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	files := l.files(t, "bob")
	if len(files) != 1 || !strings.Contains(files[0], "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\n") || !strings.HasSuffix(files[0], "\n\nhello\n.a dot line\n") {
		t.Errorf("stored: %q", files)
	}
}

// The exit status tells success, temporary and permanent failure apart.
func TestSendExitStatus(t *testing.T) {
	t.Parallel()
	l := startCmdLab(t)
	base := []string{"--server", l.addr("smtp"), "--from", "someone@example.org", "--body", "hi", "--lang", "zh", "--explain"}
	code, out := send(t, append(base, "--to", "nobody@example.com")...)
	if code != exitUnavailable || !strings.Contains(out, "S: 550 5.1.1") || !strings.Contains(out, "参见") {
		t.Errorf("unknown user: exit %d, want %d:\n%s", code, exitUnavailable, out)
	}
	l.Faults.Add(fault.Rule{When: "RCPT TO:<bob@example.com>", Then: "451 4.7.1 Greylisted, try again later", Times: 1})
	if code, out := send(t, append(base, "--to", "bob@example.com")...); code != exitTempFail {
		t.Errorf("greylisted: exit %d, want %d:\n%s", code, exitTempFail, out)
	}
	if code, out := send(t, append(base, "--to", "bob@example.com")...); code != exitOK {
		t.Errorf("second try: exit %d, want 0:\n%s", code, out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	// No server there: exit 75 and the reason in plain words, in either language.
	if code, out := send(t, "--server", closed, "--from", "a@example.org", "--to", "bob@example.com", "--lang", "en"); code != exitTempFail ||
		!strings.Contains(out, "maillab send: cannot connect to "+closed+": connection refused: no server listens on that address and port") {
		t.Errorf("no server: exit %d, want %d:\n%s", code, exitTempFail, out)
	}
	if _, out := send(t, "--server", closed, "--from", "a@example.org", "--to", "bob@example.com", "--lang", "zh"); !strings.Contains(out, "无法连接到 "+closed+"：连接被拒绝") {
		t.Errorf("no server, in Chinese:\n%s", out)
	}
	if code, out := send(t, "--from", "a@example.org", "--lang", "zh"); code != exitUsage || !strings.Contains(out, "必须给出 --server、--from 和 --to") {
		t.Errorf("missing flags: exit %d, want %d:\n%s", code, exitUsage, out)
	}
	if code, _ := send(t, "--server", closed, "--from", "a@example.org", "--to", "b@example.org", "--subject", "x\nBcc: evil@example.org"); code != exitUsage {
		t.Errorf("a line break in --subject: exit %d, want %d", code, exitUsage)
	}
}

// Python 3.11 still has smtpd (removed in 3.12): a real, independent SMTP
// server to hold our client against.
func TestSendToPythonSmtpd(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed (not in PATH)")
	}
	if err := exec.Command("python3", "-W", "ignore", "-c", "import smtpd").Run(); err != nil {
		t.Skip("this Python has no smtpd module (removed in Python 3.12): skipping the smtpd interoperability test")
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := exec.CommandContext(ctx, "python3", "-W", "ignore", "-u", "-c", `
import asyncore, smtpd, sys
smtpd.DebuggingServer(("127.0.0.1", int(sys.argv[1])), None)
print("ready", flush=True)
asyncore.loop()
`, strconv.Itoa(addr.Port))
	var out syncBuffer
	srv.Stdout, srv.Stderr = &out, &out
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	waitFor(t, func() bool { return strings.Contains(out.String(), "ready") })
	code, dialogue := send(t, "--server", addr.String(), "--from", "alice@example.com", "--to", "bob@example.org", "--body", "hello smtpd")
	if code != 0 {
		t.Fatalf("exit %d:\n%s\nsmtpd:\n%s", code, dialogue, out.String())
	}
	waitFor(t, func() bool { return strings.Contains(out.String(), "hello smtpd") })
}

// go-smtp's server: an SMTP server written by others.
func TestSendToGoSMTP(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	be := gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &goSession{deliver: func(s string) { mu.Lock(); got = append(got, s); mu.Unlock() }}, nil
	})
	srv := gosmtp.NewServer(be)
	srv.Domain = "go-smtp.example"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	code, out := send(t, "--server", ln.Addr().String(), "--from", "alice@example.com", "--to", "bob@example.org", "--to", "carol@example.org", "--body", "hello go-smtp", "--profile", "mta")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.Contains(got[0], "from=alice@example.com to=bob@example.org,carol@example.org") || !strings.HasSuffix(got[0], "\r\n\r\nhello go-smtp\r\n") {
		t.Errorf("go-smtp received %q", got)
	}
}

type goSession struct {
	from    string
	to      []string
	deliver func(string)
}

func (s *goSession) Reset()        { s.from, s.to = "", nil }
func (s *goSession) Logout() error { return nil }
func (s *goSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *goSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *goSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.deliver("from=" + s.from + " to=" + strings.Join(s.to, ",") + "\n" + string(b))
	return nil
}

// syncBuffer is a bytes.Buffer a subprocess writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for range 1000 {
		if ok() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal(errors.New("timed out waiting"))
}
