//go:build !js

package native

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"maillab/sim/fault"
	"maillab/sim/pop3"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// The engine's own clients over TCP: the SMTP client sends with STARTTLS
// and AUTH, the POP3 client reads with STLS and deletes.
func TestRunClientAgainstNative(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	tlsConf := &tls.Config{RootCAs: l.pool, ServerName: "localhost"}
	sc, err := smtp.NewClient("smtplib", smtp.Session{User: "alice", Password: testUsers["alice"], StartTLS: "required",
		Messages: []smtp.Envelope{{From: "alice@example.com", To: []string{"bob@example.com", "nobody@example.com"}, Message: []byte("Subject: hi\n\nhello\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	var live int
	tr := RunClient(dialT(t, l.addr("smtp", false)), sc, ClientOptions{Proto: "smtp", TLS: tlsConf, OnStep: func(trace.Step) { live++ }})
	res := sc.Results()
	if len(res) != 2 || res[0].Outcome != smtp.Accepted || res[1].Outcome != smtp.Failed {
		t.Errorf("results %+v", res)
	}
	text := tr.Transcript()
	for _, want := range []string{"C: STARTTLS", "S: 220 2.0.0 Ready to start TLS", "established", "C: AUTH PLAIN", "S: 550 5.1.1", "C: rcpt TO:<nobody@example.com>"} {
		if !strings.Contains(text, want) {
			t.Errorf("dialogue lacks %q:\n%s", want, text)
		}
	}
	if live != len(tr.Steps) {
		t.Errorf("OnStep saw %d steps, the trace has %d", live, len(tr.Steps))
	}
	for _, st := range tr.Steps {
		if st.Kind == trace.Reply && st.Code == 550 && st.ReplyTo != "RCPT" {
			t.Errorf("the 550 is labelled as the reply to %q", st.ReplyTo)
		}
	}
	stored := l.oneMessage(t, "bob")

	pc, err := pop3.NewClient("poplib", pop3.Job{User: "bob", Password: testUsers["bob"], Delete: true, STLS: "required"})
	if err != nil {
		t.Fatal(err)
	}
	tr = RunClient(dialT(t, l.addr("pop3", false)), pc, ClientOptions{Proto: "pop3", TLS: tlsConf})
	if pc.Err() != nil {
		t.Fatalf("poplib profile: %v\n%s", pc.Err(), tr.Transcript())
	}
	got := pc.Retrieved()
	if len(got) != 1 || string(got[0].Message) != stored || pc.Deleted() != 1 {
		t.Errorf("retrieved %+v (deleted %d), want the stored message", got, pc.Deleted())
	}
	for _, st := range tr.Steps {
		if st.Kind == trace.Data && st.ReplyTo != "RETR" && st.ReplyTo != "CAPA" && st.ReplyTo != "LIST" {
			t.Errorf("a data line labelled %q: %+v", st.ReplyTo, st)
		}
	}
	l.waitIdle(t)
	if n := len(l.messages(t, "bob")); n != 0 {
		t.Errorf("bob still has %d messages", n)
	}
}

// A server that stops answering: the client gives up after its timeout and
// the message is deferred, not lost (RFC 5321 §4.5.3.2).
func TestRunClientTimeout(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	l.Faults.Add(fault.Rule{When: "DATA", Then: "timeout"})
	sc, _ := smtp.NewClient("mta", smtp.Session{StartTLS: "off",
		Messages: []smtp.Envelope{{From: "someone@example.org", To: []string{"bob@example.com"}, Message: []byte("Subject: hi\n\nhello\n")}}})
	start := time.Now()
	tr := RunClient(dialT(t, l.addr("smtp", false)), sc, ClientOptions{Proto: "smtp", Timeout: 200 * time.Millisecond})
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	if res := sc.Results(); len(res) != 1 || res[0].Outcome != smtp.Deferred {
		t.Errorf("results %+v\n%s", res, tr.Transcript())
	}
}

func dialT(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return nc
}
