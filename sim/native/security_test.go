//go:build !js

package native

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Security checks: no open relay, no file outside the Maildir reachable
// from a mailbox name or a message, no header, reply or log line injected
// through CR or LF in an argument. (Loopback by default, the warning for
// other addresses and the absence of outgoing connections are tested on
// the real binary: security_linux_test.go.)

// Whatever form a recipient takes, mail is either refused or delivered
// into a local maildrop: never queued for another host, before or after
// AUTH.
func TestNoOpenRelay(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	forms := []string{
		"<friend@elsewhere.example>",
		"<friend%elsewhere.example@example.com>",            // the percent hack
		"<@example.com:friend@elsewhere.example>",           // a source route through us
		"<\"friend@elsewhere.example\"@example.com>",        // a quoted local part
		"<elsewhere.example!friend@example.com>",            // a UUCP bang path
		"<friend@elsewhere.example.>",                       // a trailing dot
		"<bob@example.com.elsewhere.example>",               // our domain as a prefix
		"<bob@[127.0.0.1]>",                                 // an address literal of this host
		"<friend@elsewhere.example@example.com>",            // two @
		"<friend@localhost>",                                // another name of this host
		"<bob@EXAMPLE.COM>",                                 // ours, in capitals: local
		"<Postmaster>",                                      // ours (RFC 5321 §4.5.1)
		"<friend@[192.0.2.1]>",                              // an address literal elsewhere
		"<friend@elsewhere.example> NOTIFY=SUCCESS,FAILURE", // a DSN would go elsewhere
		"<bob@example.com> NOTIFY=SUCCESS,FAILURE",          // local, with a DSN asked for: none is sent
	}
	for _, authed := range []bool{false, true} {
		c := l.greetedEhlo(t)
		if authed {
			cmd(t, c, "AUTH PLAIN "+plain("alice", testUsers["alice"]))
			expectCode(t, c, 235)
		}
		for _, f := range forms {
			cmd(t, c, "MAIL FROM:<someone@elsewhere.example> RET=FULL ENVID=x")
			expectCode(t, c, 250)
			cmd(t, c, "RCPT TO:"+f)
			code, msg, _ := c.ReadResponse(0)
			if code == 250 {
				cmd(t, c, "DATA")
				expectCode(t, c, 354)
				w := c.DotWriter()
				w.Write([]byte("Subject: relay test\r\n\r\n" + f + "\r\n"))
				w.Close()
				expectCode(t, c, 250)
			} else if code/100 != 5 {
				t.Errorf("RCPT TO:<%s> (auth %v): %d %s, want 250 (local) or 5xx", f, authed, code, msg)
			}
			cmd(t, c, "RSET")
			expectCode(t, c, 250)
		}
	}
	// Only the users' maildrops exist: nothing went anywhere else.
	ents, err := os.ReadDir(l.root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		switch e.Name() {
		case "alice", "bob", "postmaster":
		default:
			t.Errorf("a maildrop %q was made", e.Name())
		}
	}
	if n := len(l.messages(t, "bob")) + len(l.messages(t, "postmaster")); n != 6 {
		t.Errorf("%d local deliveries, want 6 (bob@EXAMPLE.COM, Postmaster and bob with NOTIFY, with and without AUTH)", n)
	}
}

// Mailbox names that try to leave the Maildir are refused before any file
// is made; message files are named by the server, never by the client;
// and a file planted in a maildrop that points outside is not served.
func TestNoPathOutsideMaildir(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	root := filepath.Join(parent, "mail")
	l := testServerAt(t, root)
	c := l.greetedEhlo(t)
	cmd(t, c, "MAIL FROM:<../../evil@example.org>")
	code, _, _ := c.ReadResponse(0)
	if code == 250 {
		cmd(t, c, "RSET")
		expectCode(t, c, 250)
	}
	for _, rcpt := range []string{"../../etc@example.com", "..@example.com", "\"../x\"@example.com", "\"a/b\"@example.com", "alice/../../x@example.com", "\"..\"@example.com", "%2e%2e@example.com"} {
		cmd(t, c, "MAIL FROM:<a@example.org>")
		expectCode(t, c, 250)
		cmd(t, c, "RCPT TO:<"+rcpt+">")
		if code, msg, _ := c.ReadResponse(0); code/100 != 5 {
			t.Errorf("RCPT TO:<%s>: %d %s", rcpt, code, msg)
		}
		cmd(t, c, "RSET")
		expectCode(t, c, 250)
	}
	sendRaw(t, c, "a@example.org", "alice@example.com", "Subject: ../../../etc/passwd\r\nMessage-ID: <../../x@y>\r\n\r\nhi\r\n")
	p := testPOP3Greeted(t, l)
	for _, u := range []string{"../bob", "..", "/etc", "alice/../bob", "alice\\..\\bob"} {
		cmd(t, p, "USER "+u)
		expectLine(t, p, "+OK")
		cmd(t, p, "PASS "+testUsers["bob"])
		expectLine(t, p, "-ERR [AUTH]")
	}
	// Everything under the parent is the Maildir: nothing was made beside it.
	filepath.WalkDir(parent, func(path string, d os.DirEntry, err error) error {
		if path != parent && !strings.HasPrefix(path, root) {
			t.Errorf("a file outside the Maildir: %s", path)
		}
		return nil
	})
	name := regexp.MustCompile(`^\d+\.\d+_\d+\.[^/]+$`)
	for _, f := range maildirFilesAny(t, root, "alice", "new") {
		if !name.MatchString(filepath.Base(f)) {
			t.Errorf("message file %q is not named by the server", filepath.Base(f))
		}
	}
	// A symbolic link planted in new/ that points outside is not a message.
	secret := filepath.Join(parent, "secret.txt")
	os.WriteFile(secret, []byte("Subject: secret\n\nSECRET\n"), 0o600)
	if err := os.Symlink(secret, filepath.Join(root, "alice", "new", "1700000000.1_1.planted")); err != nil {
		t.Fatal(err)
	}
	a := testPOP3Login(t, l, "alice")
	cmd(t, a, "STAT")
	if stat := expectLine(t, a, "+OK"); stat != "+OK 1 "+strings.Fields(stat)[2] {
		t.Errorf("STAT %q: the planted link is listed", stat)
	}
	cmd(t, a, "RETR 2")
	expectLine(t, a, "-ERR")
}

// CR, LF and NUL in arguments never reach a header, a reply or a log line
// as line breaks: the EHLO name and the addresses are refused (501), a
// SASL user name with a line break shows up in the log with "?" in its
// place, and every reply is one line per CRLF.
func TestNoCRLFInjection(t *testing.T) {
	t.Parallel()
	l := testServer(t, withSetup(func(s *Setup) { s.SMTP.VRFY = true }))
	nc := badSession(t, l, "smtp")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	attack := "EHLO evil\rBcc: victim@example.org\r\n" +
		"EHLO evil\x00x\r\n" +
		"EHLO good.example\r\n" +
		"VRFY alice\rX-Injected: yes\r\n" +
		"MAIL FROM:<a@example.org\r>\r\n" +
		"MAIL FROM:<a\rX-Injected: yes@example.org>\r\n" +
		"MAIL FROM:<a@example.org>\r\n" +
		"RCPT TO:<alice@example.com\rX-Injected: yes>\r\n" +
		"RCPT TO:<alice@example.com>\r\n" +
		"AUTH PLAIN " + b64("\x00alice\r\nmaillab/smtpd[1]: forged line\x00wrong") + "\r\n" +
		"AUTH LOGIN " + b64("alice\rforged") + "\r\n" + b64("wrong") + "\r\n" +
		"DATA\r\n"
	lines := exchange(t, nc, attack, 13)
	wantCodes(t, lines, "501", "501", "250", "550", "501", "501", "250", "501", "250", "503", "503", "500", "354")
	lines = exchange(t, nc, "Subject: injected?\r\n\r\nhi\r\n.\r\nQUIT\r\n", 2)
	wantCodes(t, lines, "250", "221")
	// The header lines the server added: each is a field or a fold.
	stored := l.oneMessage(t, "alice")
	head, _, _ := strings.Cut(stored, "\n\n")
	for _, h := range strings.Split(head, "\n") {
		if strings.ContainsAny(h, "\r\x00") || strings.Contains(h, "X-Injected") || strings.Contains(h, "Bcc:") {
			t.Errorf("header line %q", h)
		}
	}
	// AUTH inside a transaction is refused before the name is decoded;
	// outside one, the decoded name reaches the log as "?".
	c := l.greetedEhlo(t)
	cmd(t, c, "AUTH PLAIN "+b64("\x00alice\r\nmaillab/smtpd[1]: forged line\x00wrong"))
	expectCode(t, c, 535)
	cmd(t, c, "AUTH LOGIN "+b64("alice\rforged"))
	expectCode(t, c, 334)
	cmd(t, c, b64("wrong"))
	expectCode(t, c, 535)
	p := testPOP3Greeted(t, l)
	cmd(t, p, "USER ali\rce")
	expectLine(t, p, "+OK")
	cmd(t, p, "PASS x")
	expectLine(t, p, "-ERR")
	cmd(t, p, "AUTH PLAIN "+b64("\x00bob\nforged-pop3 line\x00x"))
	expectLine(t, p, "-ERR")
	c.Close()
	p.Close()
	l.waitIdle(t)
	var logs []string
	for _, s := range l.Hub.Sessions() {
		tr, _ := l.Hub.Trace(s.ID)
		for _, lg := range tr.Log {
			logs = append(logs, lg.Text)
			if strings.ContainsAny(lg.Text, "\r\n\x00") || strings.HasPrefix(lg.Text, "forged") {
				t.Errorf("log line %q", lg.Text)
			}
		}
	}
	all := strings.Join(logs, "\n")
	for _, want := range []string{"helo=<good.example>", "user=<ali?ce>", "user=<bob?forged-pop3 line>"} {
		if !strings.Contains(all, want) {
			t.Errorf("the log lacks %q:\n%s", want, all)
		}
	}
}

// Commands sent in plaintext behind STLS or STARTTLS, in the same packet,
// are never run once TLS is up (CVE-2011-0411; RFC 2595 §4, RFC 3207 §4.2).
func TestNoPlaintextInjectionAfterTLS(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	for _, c := range []struct{ proto, attack, after, want string }{
		{"pop3", "STLS\r\nUSER alice\r\nPASS " + testUsers["alice"] + "\r\n", "STAT", "-ERR"},
		{"smtp", "EHLO x\r\nSTARTTLS\r\nMAIL FROM:<injected@example.org>\r\n", "RCPT TO:<bob@example.com>", "503"},
	} {
		nc, err := net.Dial("tcp", l.addr(c.proto, false))
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(nc)
		r.ReadString('\n') // greeting
		nc.Write([]byte(c.attack))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v", c.proto, err)
			}
			if strings.HasPrefix(line, "+OK Begin TLS") || strings.HasPrefix(line, "220 ") {
				break
			}
		}
		tc := tls.Client(nc, &tls.Config{RootCAs: l.pool, ServerName: "mail.example.com"})
		if err := tc.Handshake(); err != nil {
			t.Fatalf("%s: %v", c.proto, err)
		}
		tp := textproto.NewConn(tc)
		if c.proto == "smtp" {
			cmd(t, tp, "EHLO x")
			expectCode(t, tp, 250)
		}
		cmd(t, tp, c.after)
		// Had the injected lines run, STAT would succeed (logged in) and
		// RCPT would follow a MAIL; the first line over TLS answers ours.
		if got := expectLine(t, tp, ""); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: after TLS, %q got %q: the plaintext lines ran", c.proto, c.after, got)
		}
	}
}
