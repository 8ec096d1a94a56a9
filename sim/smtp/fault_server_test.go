package smtp

import (
	"errors"
	"strings"
	"testing"
	"time"

	"maillab/sim/fault"
	"maillab/sim/machine"
)

func srvFaults(t *testing.T, rules ...fault.Rule) *fault.Rules {
	t.Helper()
	inj, err := fault.New(rules)
	if err != nil {
		t.Fatal(err)
	}
	return inj
}

// dialogueOf replays client lines (one write each) and returns "C: …" and
// "S: …" lines, for comparing with an expected dialogue written out in full.
func dialogueOf(r *srvRun, lines ...string) string {
	var b strings.Builder
	for _, l := range sent(r.events) {
		b.WriteString("S: " + l + "\n")
	}
	r.events = nil
	for _, l := range lines {
		b.WriteString("C: " + l + "\n")
		for _, s := range sent(r.feed(l + "\r\n")) {
			b.WriteString("S: " + s + "\n")
		}
	}
	return b.String()
}

// TestServerFaultTimes: "times: 1" fires once and then lets the command
// through, across connections too, which is how greylisting is simulated
// (RFC 6647: the retry of the same triplet is accepted).
func TestServerFaultTimes(t *testing.T) {
	inj := srvFaults(t, fault.Rule{When: "RCPT TO:*", Then: "451 4.7.1 Greylisted, try again later", Times: 1})
	cfg := srvConfig()
	cfg.Faults = inj
	got := dialogueOf(newSrvRun(cfg), "EHLO c.example", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.com>", "RCPT TO:<bob@example.com>", "QUIT")
	want := `S: 220 mail.example.com ESMTP maillab
C: EHLO c.example
S: 250-mail.example.com
S: 250-PIPELINING
S: 250-SIZE 10240000
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250-8BITMIME
S: 250-DSN
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<alice@example.com>
S: 250 2.1.0 Ok
C: RCPT TO:<bob@example.com>
S: 451 4.7.1 Greylisted, try again later
C: RCPT TO:<bob@example.com>
S: 250 2.1.5 Ok
C: QUIT
S: 221 2.0.0 Bye
`
	if got != want {
		t.Errorf("times: 1\n--- got\n%s--- want\n%s", got, want)
	}

	// A second connection with the same injector: the rule is used up.
	cfg.Faults = srvFaults(t, fault.Rule{When: "RCPT TO:*", Then: "451 4.7.1 Greylisted, try again later", Times: 1})
	first := newSrvRun(cfg)
	first.feed("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nQUIT\r\n")
	second := newSrvRun(cfg)
	second.feed("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nQUIT\r\n")
	if f, s := sent(first.events), sent(second.events); f[len(f)-2] != "451 4.7.1 Greylisted, try again later" || s[len(s)-2] != "250 2.1.5 Ok" {
		t.Errorf("greylisting across connections: first %q, second %q", f[len(f)-2], s[len(s)-2])
	}
}

// TestServerFaultNth: "nth: 2" fires only on the second matching line.
func TestServerFaultNth(t *testing.T) {
	cfg := srvConfig()
	cfg.Faults = srvFaults(t, fault.Rule{When: "RCPT TO:*", Then: "452 4.2.2 Mailbox full", Nth: 2})
	r := newSrvRun(cfg)
	r.feed("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\n")
	var got []string
	for _, to := range []string{"bob", "alice", "bob"} {
		got = append(got, sent(r.feed("RCPT TO:<"+to+"@example.com>\r\n"))...)
	}
	want := []string{"250 2.1.5 Ok", "452 4.2.2 Mailbox full", "250 2.1.5 Ok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("nth: 2: got %q, want %q", got, want)
	}
	if r.s.State() != StateRcpt {
		t.Errorf("state %s, want RCPT", r.s.State())
	}
}

// TestServerFaultDelay: a delay fault is an event the driver must honour
// (machine.Wait with the duration) before the normal reply.
func TestServerFaultDelay(t *testing.T) {
	cfg := srvConfig()
	cfg.Faults = srvFaults(t,
		fault.Rule{When: "connect", Then: "delay 30s"},
		fault.Rule{When: "end-of-data", Then: "delay 5m"},
	)
	r := newSrvRun(cfg)
	waited := false
	for _, e := range r.events {
		if e.Action == machine.Wait && e.Delay == 30*time.Second {
			waited = true
		}
		if e.Sends() && !waited {
			t.Fatalf("%q sent before the 30s wait", e.Step.Text)
		}
	}
	if got := sent(r.events); !waited || len(got) != 1 || got[0] != "220 mail.example.com ESMTP maillab" {
		t.Fatalf("greeting after the delay (waited %v): %q", waited, got)
	}
	r.feed("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
	evs := r.feed("Subject: x\r\n.\r\n")
	waited = false
	for _, e := range evs {
		if e.Action == machine.Wait && e.Delay == 5*time.Minute {
			waited = true
		}
		if e.Sends() && !waited {
			t.Fatalf("%q sent before the 5m wait", e.Step.Text)
		}
	}
	if !waited || len(r.stored) != 1 {
		t.Fatalf("waited %v, stored %d", waited, len(r.stored))
	}
}

// TestServerDeliverErrors: when storing fails, the end of data gets a
// temporary failure and nothing is accepted (RFC 5321 §4.2.5; a full disk
// is 452 4.3.1, anything else 451 4.3.0), and the session goes on.
func TestServerDeliverErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("disk on fire"), "451 4.3.0 Error: queue file write error"},
		{ErrInsufficientStorage, "452 4.3.1 Error: insufficient system storage"},
		{errors.Join(errors.New("write queue file"), ErrInsufficientStorage), "452 4.3.1 Error: insufficient system storage"},
	} {
		cfg := srvConfig()
		cfg.Deliver = func(*Message) error { return tc.err }
		r := newSrvRun(cfg)
		r.feed("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
		got := sent(r.feed("Subject: x\r\n.\r\n"))
		if len(got) != 1 || got[0] != tc.want || r.s.State() != StateReady {
			t.Errorf("%v: got %q in state %s, want %q in READY", tc.err, got, r.s.State(), tc.want)
		}
	}
}

// TestServerNothingAfterClose: once CLOSED the machine says nothing more,
// whatever it is told (the driver has closed the socket).
func TestServerNothingAfterClose(t *testing.T) {
	r := newSrvRun(srvConfig())
	r.feed("QUIT\r\n")
	if r.s.State() != StateClosed {
		t.Fatalf("state %s after QUIT", r.s.State())
	}
	var evs []machine.Event
	evs = append(evs, r.s.Feed(srvNow, []byte("NOOP\r\n"))...)
	evs = append(evs, r.s.Timeout(srvNow)...)
	evs = append(evs, r.s.TLSReady(srvNow)...)
	evs = append(evs, r.s.Lost(srvNow)...)
	if len(evs) != 0 {
		t.Errorf("events after CLOSED: %+v", evs)
	}
}
