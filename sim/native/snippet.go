//go:build !js

package native

import (
	"net"
	"strconv"
	"strings"
)

// Snippet is what `maillab serve` prints so that a student can send a
// message with smtplib and read it with poplib, as tutorials teach them,
// against this very server: the real addresses and passwords are filled in.
type Snippet struct {
	SMTP, POP3 net.Addr // where the servers listen
	Login      bool     // the server offers AUTH (auth is not off)

	Sender, SenderPassword string // the user who sends (logs in to SMTP)
	From, To               string // the envelope addresses
	Reader, ReaderPassword string // the user who reads (POP3)
}

// Send returns a Python script that sends one message with smtplib.
func (s Snippet) Send() string {
	host, port, tlsNeeded := clientAddr(s.SMTP)
	var b strings.Builder
	if tlsNeeded {
		b.WriteString("import smtplib, ssl\n")
	} else {
		b.WriteString("import smtplib\n")
	}
	b.WriteString("server = smtplib.SMTP(" + py(host) + ", " + port + ")\n")
	if tlsNeeded {
		// Off loopback the server takes passwords only over TLS; its
		// certificate is self-signed, so this example does not check it.
		b.WriteString("server.starttls(context=ssl._create_unverified_context())\n")
	}
	if s.Login {
		b.WriteString("server.login(" + py(s.Sender) + ", " + py(s.SenderPassword) + ")\n")
	}
	b.WriteString("server.sendmail(" + py(s.From) + ", [" + py(s.To) + "], \"Subject: Hello from maillab\\n\\nThis is a test email.\")\n")
	b.WriteString("server.quit()\n")
	return b.String()
}

// Fetch returns a Python script that reads the reader's maildrop with poplib.
func (s Snippet) Fetch() string {
	host, port, tlsNeeded := clientAddr(s.POP3)
	var b strings.Builder
	if tlsNeeded {
		b.WriteString("import poplib, ssl\n")
	} else {
		b.WriteString("import poplib\n")
	}
	b.WriteString("box = poplib.POP3(" + py(host) + ", " + port + ")\n")
	if tlsNeeded {
		b.WriteString("box.stls(context=ssl._create_unverified_context())\n")
	}
	b.WriteString("box.user(" + py(s.Reader) + ")\n")
	b.WriteString("box.pass_(" + py(s.ReaderPassword) + ")\n")
	b.WriteString("count, size = box.stat()\n")
	b.WriteString("print(count, \"message(s)\")\n")
	b.WriteString("for i in range(1, count + 1):\n")
	b.WriteString("    response, lines, octets = box.retr(i)\n")
	b.WriteString("    print(b\"\\n\".join(lines).decode(\"utf-8\", \"replace\"))\n")
	b.WriteString("box.quit()\n")
	return b.String()
}

// clientAddr is the host and port a client on this machine should use: a
// listener on every interface is reached as 127.0.0.1 (Go listens on both
// IPv4 and IPv6 for 0.0.0.0 and ::). tlsNeeded says the server will want
// TLS before a password there.
func clientAddr(a net.Addr) (host, port string, tlsNeeded bool) {
	h, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), "0", true
	}
	ip := net.ParseIP(h)
	if ip != nil && ip.IsUnspecified() {
		h = "127.0.0.1"
		ip = net.ParseIP(h)
	}
	return h, p, ip == nil || !ip.IsLoopback()
}

// py quotes a string as a Python literal; Go's escapes (\", \\, \n, \xNN,
// \uNNNN) mean the same in Python 3.
func py(s string) string { return strconv.Quote(s) }
