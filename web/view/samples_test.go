package view

import (
	"strconv"
	"strings"
	"time"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// builder writes a trace by hand the way the engine records one, so the
// views can be tested without depending on the engine's exact wording.
type builder struct {
	t              *trace.Trace
	at             time.Duration
	conn           int
	client, server string
	proto          string
	pending        []string // verbs waiting for a reply, oldest first
	fault          string   // set on the next step, then cleared
	enc            bool
}

func newBuilder(title string, actors ...trace.Actor) *builder {
	t := &trace.Trace{Title: title, Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	for _, a := range actors {
		t.AddActor(a)
	}
	return &builder{t: t}
}

func (b *builder) add(s trace.Step) {
	s.At = b.at
	s.Conn = b.conn
	s.Proto = b.proto
	s.Encrypted = b.enc
	if b.fault != "" {
		s.Fault = b.fault
		b.fault = ""
	}
	b.t.Steps = append(b.t.Steps, s)
	b.at += 40 * time.Millisecond
}

func (b *builder) connect(proto, client, server, text string) {
	b.conn++
	b.proto, b.client, b.server = proto, client, server
	b.pending = []string{"GREETING"}
	b.enc = false
	b.add(trace.Step{Kind: trace.Connect, From: client, To: server, Text: text})
}

func (b *builder) c(line string) {
	verb := strings.ToUpper(firstWord(line))
	b.pending = append(b.pending, verb)
	b.add(trace.Step{Kind: trace.Command, From: b.client, To: b.server, Text: line, Verb: verb})
}

// d is a line of message text from the client; "." ends the data.
func (b *builder) d(line string) {
	if line == "." {
		b.pending = append(b.pending, "EOD")
	}
	b.add(trace.Step{Kind: trace.Data, From: b.client, To: b.server, Text: line})
}

// sd is a line of a POP3 multi-line response.
func (b *builder) sd(line string) {
	b.add(trace.Step{Kind: trace.Data, From: b.server, To: b.client, Text: line, ByServer: true})
}

// s is a reply line, parsed as the engine would.
func (b *builder) s(line string) {
	st := trace.Step{Kind: trace.Reply, From: b.server, To: b.client, Text: line, ByServer: true}
	if b.proto == "pop3" {
		st.Status, _, _ = strings.Cut(line, " ")
		if i := strings.IndexByte(line, '['); i >= 0 {
			if j := strings.IndexByte(line, ']'); j > i {
				st.RespCode = line[i+1 : j]
			}
		}
	} else {
		st.Code, _ = strconv.Atoi(line[:3])
		st.More = len(line) > 3 && line[3] == '-'
		if f := strings.Fields(line[4:]); len(f) > 0 && strings.Count(f[0], ".") == 2 && f[0][0] == line[0] {
			st.Enhanced = f[0]
		}
	}
	if len(b.pending) > 0 {
		st.ReplyTo = b.pending[0]
		if !st.More {
			b.pending = b.pending[1:]
		}
	}
	b.add(st)
}

func (b *builder) state(side, from, to string) {
	actor := b.server
	if side == "client" {
		actor = b.client
	}
	b.add(trace.Step{Kind: trace.State, From: actor, Text: side + ": " + from + " → " + to})
}

func (b *builder) tls(text string) {
	b.add(trace.Step{Kind: trace.TLS, From: b.client, To: b.server, Text: text})
	b.enc = true
}

func (b *builder) close(text string) {
	b.add(trace.Step{Kind: trace.Close, From: b.client, To: b.server, Text: text})
	b.enc = false
}

func (b *builder) note(from, text string) {
	b.add(trace.Step{Kind: trace.Note, From: from, Text: text})
}

func (b *builder) store(at, text string) { b.add(trace.Step{Kind: trace.Store, From: at, Text: text}) }

func (b *builder) wait(d time.Duration, text string) {
	b.add(trace.Step{Kind: trace.Wait, Text: text})
	b.at += d
}

func (b *builder) log(host, text string) {
	b.t.Log = append(b.t.Log, trace.LogLine{At: b.at, Host: host, Text: text})
}

var (
	aliceMUA = trace.Actor{Name: "alice's MUA", Role: "mua", Desc: "Python smtplib"}
	mailMSA  = trace.Actor{Name: "mail.example.com", Role: "msa", Desc: "alice's provider: submission, AUTH, STARTTLS"}
	mxMTA    = trace.Actor{Name: "mx.example.org", Role: "mta", Desc: "MX for example.org"}
	mailMTA  = trace.Actor{Name: "mail.example.com", Role: "mta"}
	bobMUA   = trace.Actor{Name: "bob's MUA", Role: "mua", Desc: "Python poplib"}
	mxPOP3   = trace.Actor{Name: "mx.example.org", Role: "pop3"}
)

const helloRaw = "Received: from client.example.com (client.example.com [192.0.2.10])\n" +
	"\tby mail.example.com (maillab) with ESMTPSA id 4F1A2B3C4D\n" +
	"\tfor <bob@example.com>; Mon, 2 Mar 2026 09:00:01 +0000 (UTC)\n" +
	"From: alice@example.com\nTo: bob@example.com\nSubject: Hello\n\nThis is a test email.\n.and a line that starts with a dot: the client doubles it\n"

// ehlo sends EHLO and reads a Postfix-like extension list.
func (b *builder) ehlo(host string, tls bool) {
	b.c("EHLO client.example.com")
	b.s("250-" + host)
	b.s("250-PIPELINING")
	b.s("250-SIZE 10240000")
	if !tls {
		b.s("250-STARTTLS")
	}
	b.s("250-AUTH PLAIN LOGIN")
	b.s("250-ENHANCEDSTATUSCODES")
	b.s("250 8BITMIME")
}

// samplePlain: alice submits one message over STARTTLS with AUTH; the
// server delivers it locally to bob.
func samplePlain() *trace.Trace {
	b := newBuilder("A plain session", aliceMUA, mailMSA)
	b.connect("smtp", aliceMUA.Name, mailMSA.Name, "port 587")
	b.log("mail.example.com", "postfix/submission/smtpd[2041]: connect from client.example.com[192.0.2.10]")
	b.s("220 mail.example.com ESMTP maillab")
	b.ehlo("mail.example.com", false)
	b.state("server", "INIT", "READY")
	b.c("STARTTLS")
	b.s("220 2.0.0 Ready to start TLS")
	b.tls("TLS 1.3")
	b.state("server", "READY", "INIT")
	b.ehlo("mail.example.com", true)
	b.state("server", "INIT", "READY")
	b.c("AUTH PLAIN AGFsaWNlAHNlY3JldA==")
	b.s("235 2.7.0 Authentication successful")
	b.c("MAIL FROM:<alice@example.com> SIZE=312")
	b.s("250 2.1.0 Ok")
	b.state("server", "READY", "MAIL")
	b.c("RCPT TO:<bob@example.com>")
	b.s("250 2.1.5 Ok")
	b.state("server", "MAIL", "RCPT")
	b.c("DATA")
	b.s("354 End data with <CR><LF>.<CR><LF>")
	b.state("server", "RCPT", "DATA")
	b.d("From: alice@example.com")
	b.d("To: bob@example.com")
	b.d("Subject: Hello")
	b.d("")
	b.d("This is a test email.")
	b.d("..and a line that starts with a dot: the client doubles it")
	b.d(".")
	b.s("250 2.0.0 Ok: queued as 4F1A2B3C4D")
	b.log("mail.example.com", "4F1A2B3C4D: client=client.example.com[192.0.2.10], sasl_method=PLAIN, sasl_username=alice")
	b.log("mail.example.com", "postfix/qmgr[2038]: 4F1A2B3C4D: from=<alice@example.com>, size=312, nrcpt=1 (queue active)")
	b.state("server", "DATA", "READY")
	b.store(mailMSA.Name, "bob@example.com: stored in the maildrop (UID 1)")
	b.log("mail.example.com", "postfix/local[2045]: 4F1A2B3C4D: to=<bob@example.com>, relay=local, delay=0.2, status=sent (delivered to maildrop)")
	b.c("QUIT")
	b.s("221 2.0.0 Bye")
	b.state("server", "READY", "CLOSED")
	b.close("QUIT")
	b.log("mail.example.com", "postfix/submission/smtpd[2041]: disconnect from client.example.com[192.0.2.10] ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8")
	b.t.Mailboxes = []trace.Mailbox{{Host: "mail.example.com", User: "bob", Messages: []trace.Message{
		{UID: "1", From: "alice@example.com", To: []string{"bob@example.com"}, Raw: helloRaw},
	}}}
	b.t.Envelopes = []trace.Envelope{{Conn: 1, Server: mailMSA.Name, From: "alice@example.com", Accepted: []string{"bob@example.com"}, QueueID: "4F1A2B3C4D", Result: "250 2.0.0 Ok: queued as 4F1A2B3C4D"}}
	return b.t
}

// sample550: the second recipient is refused by a fault rule; smtplib
// sends the message to the one that was accepted.
func sample550() *trace.Trace {
	b := newBuilder("Unknown recipient", aliceMUA, mailMSA)
	b.connect("smtp", aliceMUA.Name, mailMSA.Name, "port 587")
	b.log("mail.example.com", "postfix/submission/smtpd[2041]: connect from client.example.com[192.0.2.10]")
	b.s("220 mail.example.com ESMTP maillab")
	b.c("EHLO client.example.com")
	b.s("250-mail.example.com")
	b.s("250-PIPELINING")
	b.s("250 ENHANCEDSTATUSCODES")
	b.state("server", "INIT", "READY")
	b.c("MAIL FROM:<alice@example.com>")
	b.s("250 2.1.0 Ok")
	b.state("server", "READY", "MAIL")
	b.c("RCPT TO:<bob@example.com>")
	b.s("250 2.1.5 Ok")
	b.state("server", "MAIL", "RCPT")
	b.c("RCPT TO:<nobody@example.com>")
	b.fault = "fault 1: RCPT TO:<nobody@example.com> → 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown"
	b.log("mail.example.com", "postfix/submission/smtpd[2041]: NOQUEUE: reject: RCPT from client.example.com[192.0.2.10]: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown; from=<alice@example.com> to=<nobody@example.com> proto=ESMTP helo=<client.example.com>")
	b.s("550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown")
	b.note(aliceMUA.Name, "smtplib records nobody@example.com as refused and goes on with the accepted recipient")
	b.c("DATA")
	b.s("354 End data with <CR><LF>.<CR><LF>")
	b.state("server", "RCPT", "DATA")
	b.d("Subject: Hello")
	b.d("")
	b.d("Hi <Bob> & co.")
	b.d(".")
	b.s("250 2.0.0 Ok: queued as 7C3D9E0A11")
	b.state("server", "DATA", "READY")
	b.log("mail.example.com", "postfix/qmgr[2038]: 7C3D9E0A11: from=<alice@example.com>, size=201, nrcpt=1 (queue active)")
	b.c("QUIT")
	b.s("221 2.0.0 Bye")
	b.state("server", "READY", "CLOSED")
	b.close("QUIT")
	b.t.Mailboxes = []trace.Mailbox{
		{Host: "mail.example.com", User: "bob", Messages: []trace.Message{{UID: "1", From: "alice@example.com", To: []string{"bob@example.com"},
			Raw: "Received: from client.example.com\n\tby mail.example.com (maillab) with ESMTP id 7C3D9E0A11;\n\tMon, 2 Mar 2026 09:00:01 +0000\nSubject: Hello\n\nHi <Bob> & co.\n"}}},
	}
	return b.t
}

// sampleGreylist: the destination greylists the first attempt (451 4.7.1);
// the sending MTA keeps the message queued and retries 30 minutes later.
func sampleGreylist() *trace.Trace {
	b := newBuilder("Greylisting", mailMTA, mxMTA)
	attempt := func(greylist bool) {
		b.connect("smtp", mailMTA.Name, mxMTA.Name, "MX for example.org, port 25")
		b.s("220 mx.example.org ESMTP maillab")
		b.c("EHLO mail.example.com")
		b.s("250-mx.example.org")
		b.s("250 ENHANCEDSTATUSCODES")
		b.c("MAIL FROM:<alice@example.com>")
		b.s("250 2.1.0 Ok")
		b.c("RCPT TO:<bob@example.org>")
		if greylist {
			b.fault = "fault 1: RCPT TO:* → 451 4.7.1 Greylisted, try again later"
			b.log("mx.example.org", "postfix/smtpd[3101]: NOQUEUE: reject: RCPT from mail.example.com[192.0.2.25]: 451 4.7.1 <bob@example.org>: Recipient address rejected: Greylisted, try again later; from=<alice@example.com> to=<bob@example.org> proto=ESMTP helo=<mail.example.com>")
			b.s("451 4.7.1 Greylisted, try again later")
			b.c("QUIT")
			b.s("221 2.0.0 Bye")
			b.close("QUIT")
			b.log("mail.example.com", "postfix/smtp[2050]: 4F1A2B3C4D: to=<bob@example.org>, relay=mx.example.org[192.0.2.30]:25, delay=0.3, status=deferred (host mx.example.org said: 451 4.7.1 Greylisted, try again later (in reply to RCPT TO command))")
			b.note(mailMTA.Name, "451 is a transient failure: keep the message queued and try again later (RFC 5321 §4.5.4.1)")
			return
		}
		b.s("250 2.1.5 Ok")
		b.c("DATA")
		b.s("354 End data with <CR><LF>.<CR><LF>")
		b.d("Subject: Hello")
		b.d("")
		b.d("Hi Bob.")
		b.d(".")
		b.s("250 2.0.0 Ok: queued as 9B8A7C6D5E")
		b.log("mail.example.com", "postfix/smtp[2061]: 4F1A2B3C4D: to=<bob@example.org>, relay=mx.example.org[192.0.2.30]:25, delay=1800, status=sent (250 2.0.0 Ok: queued as 9B8A7C6D5E)")
		b.store(mxMTA.Name, "bob@example.org: stored in the maildrop (UID 1)")
		b.c("QUIT")
		b.s("221 2.0.0 Bye")
		b.close("QUIT")
	}
	attempt(true)
	b.wait(30*time.Minute, "mail.example.com retries from its queue")
	attempt(false)
	b.t.Mailboxes = []trace.Mailbox{{Host: "mx.example.org", User: "bob", Messages: []trace.Message{{UID: "1", From: "alice@example.com", To: []string{"bob@example.org"},
		Raw: "Received: from mail.example.com (mail.example.com [192.0.2.25])\n\tby mx.example.org (maillab) with ESMTP id 9B8A7C6D5E\n\tfor <bob@example.org>; Mon, 2 Mar 2026 09:30:01 +0000\nReceived: from client.example.com\n\tby mail.example.com (maillab) with ESMTPSA id 4F1A2B3C4D;\n\tMon, 2 Mar 2026 09:00:00 +0000\nSubject: Hello\n\nHi Bob.\n"}}}}
	return b.t
}

// samplePOP3: bob reads his one message and deletes it; the deletion takes
// effect at QUIT (UPDATE state), so the maildrop ends empty.
func samplePOP3() *trace.Trace {
	b := newBuilder("Reading mail with POP3", bobMUA, mxPOP3)
	b.connect("pop3", bobMUA.Name, mxPOP3.Name, "port 110")
	b.s("+OK POP3 server ready")
	b.c("USER bob")
	b.s("+OK")
	b.c("PASS secret")
	b.s("+OK maildrop locked and ready")
	b.state("server", "AUTHORIZATION", "TRANSACTION")
	b.c("STAT")
	b.s("+OK 1 312")
	b.c("RETR 1")
	b.s("+OK 312 octets")
	b.sd("Received: from mail.example.com")
	b.sd("Subject: Hello")
	b.sd("")
	b.sd("Hi Bob.")
	b.sd(".")
	b.c("DELE 1")
	b.s("+OK message 1 deleted")
	b.c("DELE 1")
	b.s("-ERR message 1 already deleted")
	b.c("QUIT")
	b.state("server", "TRANSACTION", "UPDATE")
	b.s("+OK bye (0 messages left)")
	b.close("QUIT")
	b.t.Mailboxes = []trace.Mailbox{{Host: "mx.example.org", User: "bob"}}
	return b.t
}

// smtpServerTable is sim/smtp's ServerTable() as it was written when these
// tests were, copied so that the view's golden files do not change when
// the engine's table does (the page always draws the live one).
func smtpServerTable() []machine.Transition {
	rows := []struct{ from, events, to string }{
		{"INIT", "EHLO HELO", "READY"},
		{"INIT", "RSET NOOP VRFY HELP", "INIT"},
		{"INIT", "QUIT", "CLOSED"},
		{"REJECTED", "QUIT", "CLOSED"},
		{"READY", "EHLO HELO", "READY"},
		{"READY", "STARTTLS", "INIT"},
		{"READY", "AUTH", "READY"},
		{"READY", "MAIL", "MAIL"},
		{"READY", "RSET NOOP VRFY HELP", "READY"},
		{"READY", "QUIT", "CLOSED"},
		{"MAIL", "EHLO HELO", "READY"},
		{"MAIL", "RCPT", "RCPT"},
		{"MAIL", "DATA", "MAIL"},
		{"MAIL", "RSET", "READY"},
		{"MAIL", "NOOP VRFY HELP", "MAIL"},
		{"MAIL", "QUIT", "CLOSED"},
		{"RCPT", "EHLO HELO", "READY"},
		{"RCPT", "RCPT", "RCPT"},
		{"RCPT", "DATA", "DATA"},
		{"RCPT", "BDAT", "BDAT"},
		{"RCPT", "BDAT-LAST", "READY"},
		{"RCPT", "RSET", "READY"},
		{"RCPT", "NOOP VRFY HELP", "RCPT"},
		{"RCPT", "QUIT", "CLOSED"},
		{"DATA", "end-of-data", "READY"},
		{"BDAT", "EHLO HELO", "READY"},
		{"BDAT", "BDAT", "BDAT"},
		{"BDAT", "BDAT-LAST RSET", "READY"},
		{"BDAT", "NOOP", "BDAT"},
		{"BDAT", "QUIT", "CLOSED"},
	}
	var out []machine.Transition
	for _, r := range rows {
		for _, ev := range strings.Fields(r.events) {
			out = append(out, machine.Transition{From: r.from, Event: strings.ReplaceAll(ev, "-", " "), To: r.to})
		}
	}
	return out
}

func pop3ServerTable() []machine.Transition {
	return []machine.Transition{
		{From: "AUTHORIZATION", Event: "USER", To: "AUTHORIZATION"},
		{From: "AUTHORIZATION", Event: "CAPA", To: "AUTHORIZATION"},
		{From: "AUTHORIZATION", Event: "PASS", To: "TRANSACTION"},
		{From: "AUTHORIZATION", Event: "APOP", To: "TRANSACTION"},
		{From: "AUTHORIZATION", Event: "QUIT", To: "CLOSED"},
		{From: "TRANSACTION", Event: "STAT", To: "TRANSACTION"},
		{From: "TRANSACTION", Event: "LIST", To: "TRANSACTION"},
		{From: "TRANSACTION", Event: "RETR", To: "TRANSACTION"},
		{From: "TRANSACTION", Event: "DELE", To: "TRANSACTION"},
		{From: "TRANSACTION", Event: "RSET", To: "TRANSACTION"},
		{From: "TRANSACTION", Event: "QUIT", To: "UPDATE"},
		{From: "UPDATE", Event: "+OK", To: "CLOSED"},
	}
}
