//go:build !js

package native

import (
	"bufio"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"maillab/sim/fault"
)

// Python's smtplib and poplib, used exactly as tutorials teach them.

const pySendmail = `
import smtplib, ssl, sys
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
server = smtplib.SMTP(host, port)
if mode == "starttls":
    server.starttls(context=ssl._create_unverified_context())
if mode == "login-LOGIN":
    server.ehlo()
    server.esmtp_features["auth"] = "LOGIN"  # make login() use AUTH LOGIN
if mode != "anonymous":
    server.login("alice", "alice-secret")
server.sendmail("alice@example.com", ["bob@example.com"], "Subject: Hello\n\nThis is a test email.\n.a line starting with a dot\n..two dots\n")
server.quit()
`

const pySentBody = "Subject: Hello\n\nThis is a test email.\n.a line starting with a dot\n..two dots\n"

func TestPythonSmtplib(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	for _, mode := range []string{"anonymous", "login-PLAIN", "login-LOGIN", "starttls"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			l := testServer(t)
			python(t, pySendmail, "127.0.0.1", l.port("smtp"), mode)
			got := l.oneMessage(t, "bob")
			if b := body(t, got); b != pySentBody {
				t.Errorf("stored body %q, want %q", b, pySentBody)
			}
			l.waitIdle(t)
			last := l.lastTrace(t)
			tr := last.Transcript()
			wantAuth := map[string]string{"login-PLAIN": "C: AUTH PLAIN ", "login-LOGIN": "C: AUTH LOGIN ", "starttls": "C: STARTTLS"}[mode]
			if !strings.Contains(tr, wantAuth) || !strings.Contains(tr, "C: mail FROM:<alice@example.com>") {
				t.Errorf("trace lacks %q:\n%s", wantAuth, tr)
			}
		})
	}
}

// send_message with a non-ASCII subject and an attachment: the stored
// message is the one smtplib flattened, byte for byte (with LF line ends).
const pySendMessage = `
import email.generator, io, smtplib, sys
from email.message import EmailMessage
host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
msg = EmailMessage()
msg["From"] = "alice@example.com"
msg["To"] = "bob@example.com"
msg["Subject"] = "Grüße aus dem Labor ✉"
msg.set_content("Hallo Bob,\n.eine Zeile mit Punkt\nünïcödé\n")
msg.add_attachment(bytes(range(256)) * 8, maintype="application", subtype="octet-stream", filename="data.bin")
# What smtplib.send_message sends: the message flattened with CRLF.
buf = io.BytesIO()
email.generator.BytesGenerator(buf, policy=msg.policy.clone(linesep="\r\n")).flatten(msg, linesep="\r\n")
open(out, "wb").write(buf.getvalue())
server = smtplib.SMTP(host, port)
server.login("alice", "alice-secret")
server.send_message(msg)
server.quit()
`

func TestPythonSendMessage(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	l := testServer(t)
	out := filepath.Join(t.TempDir(), "sent.eml")
	python(t, pySendMessage, "127.0.0.1", l.port("smtp"), out)
	sent, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if b := body(t, l.oneMessage(t, "bob")); b != lf(string(sent)) {
		t.Errorf("stored body differs from what smtplib sent:\n got %q\nwant %q", b, lf(string(sent)))
	}
}

// poplib: user, pass_, stat, list, uidl, retr, dele, quit. The message
// comes back byte for byte; DELE removes it only at QUIT.
const pyPoplib = `
import base64, poplib, sys
box = poplib.POP3(sys.argv[1], int(sys.argv[2]))
box.user("bob")
box.pass_("bob-secret")
count, size = box.stat()
print("STAT", count, size)
print("LIST", box.list()[1][0].decode())
print("UIDL", box.uidl()[1][0].decode())
response, lines, octets = box.retr(1)
print("RETR", base64.b64encode(b"\n".join(lines) + b"\n").decode())
box.dele(1)
if sys.argv[3] == "drop":
    box.sock.close()  # the script dies here: no QUIT
    sys.exit(0)
print("DELETED", flush=True)
sys.stdin.readline()
box.quit()
print("QUIT")
`

func TestPythonPoplib(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	l := testServer(t)
	python(t, pySendmail, "127.0.0.1", l.port("smtp"), "login-PLAIN")
	stored := l.oneMessage(t, "bob")

	c := exec.Command("python3", "-c", pyPoplib, "127.0.0.1", l.port("pop3"), "quit")
	stdin, _ := c.StdinPipe()
	stdout, _ := c.StdoutPipe()
	c.Stderr = os.Stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Process.Kill()
	got := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		got[k] = v
		if k == "DELETED" {
			break
		}
	}
	if n := len(l.messages(t, "bob")); n != 1 {
		t.Errorf("after DELE, before QUIT, bob has %d messages, want 1", n)
	}
	stdin.Write([]byte("\n"))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		got[k] = v
	}
	if err := c.Wait(); err != nil {
		t.Fatalf("poplib script: %v (%v)", err, got)
	}
	if _, ok := got["QUIT"]; !ok {
		t.Fatalf("the script did not reach QUIT: %v", got)
	}
	l.waitIdle(t)
	if n := len(l.messages(t, "bob")); n != 0 {
		t.Errorf("after QUIT bob has %d messages, want 0", n)
	}
	retr, _ := base64.StdEncoding.DecodeString(got["RETR"])
	if string(retr) != stored {
		t.Errorf("RETR gave\n%q\nthe Maildir holds\n%q", retr, stored)
	}
	if !strings.HasPrefix(got["STAT"], "1 ") || !strings.HasPrefix(got["LIST"], "1 ") || !strings.HasPrefix(got["UIDL"], "1 ") {
		t.Errorf("STAT/LIST/UIDL: %v", got)
	}
}

// A poplib session that dies after DELE deletes nothing (RFC 1939 §6).
func TestPythonPoplibKilledAfterDele(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	l := testServer(t)
	l.deliver(t, "bob@example.com", "Subject: keep me\r\n\r\nhi\r\n")
	python(t, pyPoplib, "127.0.0.1", l.port("pop3"), "drop")
	l.waitIdle(t)
	if n := len(l.messages(t, "bob")); n != 1 {
		t.Errorf("bob has %d messages, want 1: DELE without QUIT removed mail", n)
	}
}

// A fault rule added while the server runs makes smtplib raise
// SMTPRecipientsRefused, and the trace names the rule.
func TestPythonSeesLiveFault(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	l := testServer(t)
	l.Faults.Add(fault.Rule{When: "RCPT TO:<nobody@example.com>", Then: "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown"})
	out := python(t, `
import smtplib, sys
server = smtplib.SMTP(sys.argv[1], int(sys.argv[2]))
try:
    server.sendmail("alice@example.com", ["nobody@example.com"], "Subject: x\n\nhi\n")
except smtplib.SMTPRecipientsRefused as e:
    print("refused", e.recipients)
server.quit()
`, "127.0.0.1", l.port("smtp"))
	if !strings.Contains(out, "refused {'nobody@example.com': (550, b'5.1.1 <nobody@example.com>: Recipient address rejected: User unknown')}") {
		t.Errorf("smtplib said: %s", out)
	}
	l.waitIdle(t)
	fired := false
	for _, st := range l.lastTrace(t).Steps {
		fired = fired || (st.Code == 550 && strings.HasPrefix(st.Fault, "fault 1:"))
	}
	if !fired {
		t.Errorf("the 550 is not attributed to the rule")
	}
}

// The snippets `maillab serve` prints run as they are.
func TestPythonSnippetsRun(t *testing.T) {
	t.Parallel()
	need(t, "python3")
	l := testServer(t)
	s := Snippet{SMTP: l.Addr("smtp", false), POP3: l.Addr("pop3", false), Login: true,
		Sender: "alice", SenderPassword: testUsers["alice"], From: "alice@example.com", To: "bob@example.com",
		Reader: "bob", ReaderPassword: testUsers["bob"]}
	python(t, s.Send())
	out := python(t, s.Fetch())
	if !strings.Contains(out, "1 message(s)") || !strings.Contains(out, "This is a test email.") {
		t.Errorf("the poplib snippet printed:\n%s", out)
	}
}
