//go:build !js

package native

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/sim/mailstore"
	"maillab/sim/smtp"
)

// Fuzzing over the network path: arbitrary byte streams, cut into writes
// of a fuzzed size, go through net.Pipe into the same connection handler
// that serves TCP (conn.go: deadlines, framing, flushes, the hub), with the
// real machines behind it. `make fuzz` runs these with the engine's
// targets.

// countingStore counts the messages delivered: the copies of one message
// for several maildrops differ only in their first two lines
// (Return-Path, Delivered-To), so the rest names the message.
type countingStore struct {
	*mailstore.Memory
	mu       sync.Mutex
	messages map[string]bool
}

func (c *countingStore) Deliver(user string, msg []byte) (string, error) {
	rest := msg
	for range 2 {
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			rest = rest[i+1:]
		}
	}
	c.mu.Lock()
	c.messages[string(rest)] = true
	c.mu.Unlock()
	return c.Memory.Deliver(user, msg)
}

func (c *countingStore) delivered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.messages)
}

// fuzzStore is a memory store with a message for alice, for POP3 to read.
func fuzzStore() *countingStore {
	m := mailstore.NewMemory()
	m.Deliver("alice", []byte("Subject: one\n\n.dotted line\nbody\n"))
	m.Deliver("alice", []byte("Subject: two\n\nsecond\n"))
	return &countingStore{Memory: m, messages: map[string]bool{}}
}

// fuzzServe runs one connection: input is written in pieces of chunk+1
// octets while the replies are read, then the client hangs up. It returns
// what the server wrote.
func fuzzServe(t *testing.T, srv *Server, input []byte, chunk uint8) []byte {
	server, client := net.Pipe()
	if !srv.track(server) {
		t.Fatal("server closed")
	}
	handled := make(chan struct{})
	go func() { srv.handle(server, false, make([]byte, readBuffer)); close(handled) }()
	var out bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(&out, client)
	}()
	client.SetWriteDeadline(time.Now().Add(5 * time.Second))
	for b := input; len(b) > 0; {
		n := min(len(b), int(chunk)+1)
		if _, err := client.Write(b[:n]); err != nil {
			break // the server closed the connection
		}
		b = b[n:]
	}
	// net.Pipe's Write returns once the server has read every octet; give
	// it a moment to answer the last of them, then hang up.
	time.Sleep(time.Millisecond)
	client.Close()
	select {
	case <-handled:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection handler did not return after the client hung up")
	}
	wg.Wait()
	return out.Bytes()
}

// checkLines checks the framing of what a server wrote: CRLF-terminated
// lines (a cut at the end aside), no CR or LF inside a line.
func checkLines(t *testing.T, out []byte, maxLen int) []string {
	t.Helper()
	lines := strings.Split(string(out), "\r\n")
	lines = lines[:len(lines)-1] // what follows the last CRLF: a line cut by the hang-up
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("a line with a CR or LF inside: %q", l)
		}
		if maxLen > 0 && len(l)+2 > maxLen {
			t.Fatalf("a line of %d octets: %q…", len(l)+2, l[:80])
		}
	}
	return lines
}

func noPanic(t *testing.T, h *Hub) {
	t.Helper()
	for _, s := range h.Sessions() {
		tr, _ := h.Trace(s.ID)
		for _, st := range tr.Steps {
			if strings.Contains(st.Text, "internal error in the server") {
				t.Fatalf("panic in the handler: %s", st.Text)
			}
		}
	}
}

var fuzzSMTPSeeds = []string{
	"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n",
	"HELO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nhello\n.\nMAIL FROM:<ceo@bank.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nevil\r\n.\r\nQUIT\r\n",
	"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nhello\r.\rMAIL FROM:<x@y.z>\r\n\r\n\x00.\r\n.\x00\r\n.\r\n",
	"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@example.com>\r\nBDAT 5\r\nhelloBDAT 0 LAST\r\nQUIT\r\n",
	"EHLO x\r\nAUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\nAUTH LOGIN\r\nYWxpY2U=\r\nd3Jvbmc=\r\nAUTH PLAIN %%%\r\n*\r\n",
	"EHLO x\r\nSTARTTLS\r\nMAIL FROM:<a@example.org>\r\nVRFY bob\r\nEXPN x\r\nHELP\r\nNOOP\r\nRSET\r\nXYZZY\r\n",
	"EHLO x\r\nMAIL FROM:<a@example.org> SIZE=99999999999 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x\r\nRCPT TO:<bob@example.com> NOTIFY=SUCCESS ORCPT=rfc822;bob@example.com\r\n",
}

func newFuzzSMTP(t *testing.T, bareLF string, store mailstore.Store) *Server {
	srv, err := NewSMTP(Setup{
		SMTP:   smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: testUsers, BareLF: bareLF},
		Store:  store,
		Hub:    NewHub(1),
		Limits: Limits{SMTPTimeout: 5 * time.Second, POP3Timeout: 5 * time.Second},
		// Pauses would make every failed AUTH of the fuzzer slow.
		Throttle: NewThrottle(ThrottleConfig{Pause: time.Microsecond, MaxPause: time.Microsecond, Refuse: -1}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func FuzzNativeSMTP(f *testing.F) {
	for i, s := range fuzzSMTPSeeds {
		f.Add([]byte(s), uint8(i*37), false)
		f.Add([]byte(s), uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, input []byte, chunk uint8, reject bool) {
		policy := "normalize"
		if reject {
			policy = "reject"
		}
		store := fuzzStore()
		srv := newFuzzSMTP(t, policy, store)
		out := fuzzServe(t, srv, input, chunk)
		lines := checkLines(t, out, 512) // reply lines: RFC 5321 §4.5.3.1.5
		queued := 0
		for i, l := range lines {
			if len(l) < 3 || l[0] < '2' || l[0] > '5' || (len(l) > 3 && l[3] != ' ' && l[3] != '-') {
				t.Fatalf("line %d is not an SMTP reply: %q", i, l)
			}
			if strings.HasPrefix(l, "250 2.0.0 Ok: queued as") {
				queued++
			}
		}
		if len(lines) > 0 && !strings.HasPrefix(lines[0], "220 ") {
			t.Fatalf("the first line is not the greeting: %q", lines[0])
		}
		// A message is stored only at a real end of data (CRLF.CRLF, or
		// the last BDAT chunk), and never without its 250 being sent.
		delivered := store.delivered()
		ends := bytes.Count(input, []byte("\r\n.\r\n")) + bytes.Count(bytes.ToUpper(input), []byte("BDAT"))
		if delivered > ends {
			t.Fatalf("%d messages stored from %d ends of data in the input", delivered, ends)
		}
		if queued > delivered {
			t.Fatalf("%d \"queued\" replies for %d messages stored", queued, delivered)
		}
		noPanic(t, srv.hub)
	})
}

func FuzzNativePOP3(f *testing.F) {
	for i, s := range []string{
		"USER alice\r\nPASS alice-secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 0\r\nDELE 1\r\nRSET\r\nDELE 2\r\nQUIT\r\n",
		"CAPA\r\nAUTH PLAIN\r\nAGFsaWNlAGFsaWNlLXNlY3JldA==\r\nLIST 1\r\nRETR 9\r\nNOOP\r\n",
		"USER alice\nPASS wrong\nAPOP alice 0123\nUTF8\nSTLS\nAUTH PLAIN *\n",
		"USER alice\r\nPASS alice-secret\r\nRETR 1\r\nRETR 1\r\nRETR 1\r\nDELE 1\r\nDELE 1\r\n",
	} {
		f.Add([]byte(s), uint8(i*53))
	}
	f.Fuzz(func(t *testing.T, input []byte, chunk uint8) {
		store := fuzzStore()
		srv, err := NewPOP3(Setup{
			SMTP:     smtp.Config{Hostname: "mail.example.com", MyDestination: []string{"example.com"}, Users: testUsers},
			Store:    store,
			Hub:      NewHub(1),
			Limits:   Limits{SMTPTimeout: 5 * time.Second, POP3Timeout: 5 * time.Second},
			Throttle: NewThrottle(ThrottleConfig{Pause: time.Microsecond, MaxPause: time.Microsecond, Refuse: -1}),
		})
		if err != nil {
			t.Fatal(err)
		}
		out := fuzzServe(t, srv, input, chunk)
		lines := checkLines(t, out, 0)
		if len(lines) > 0 && !strings.HasPrefix(lines[0], "+OK") {
			t.Fatalf("the first line is not the greeting: %q", lines[0])
		}
		noPanic(t, srv.hub)
		// Whatever happened, the session is over: the maildrop is free,
		// and holds both messages unless a QUIT went through UPDATE.
		md, err := store.Open("alice")
		if err != nil {
			t.Fatalf("alice's maildrop after the session: %v", err)
		}
		n := len(md.List())
		md.Release()
		if n < 2 && !bytes.Contains(bytes.ToUpper(input), []byte("QUIT")) {
			t.Fatalf("%d messages left without a QUIT (RFC 1939 §6)", n)
		}
	})
}
