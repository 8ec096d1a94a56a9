//go:build !js

package native

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/sim/mailstore"
)

// Helpers of the robustness tests (bad input, smuggling, slow clients,
// throttling, crashes). They return errors instead of failing the test,
// so that goroutines can use them.

// withMemoryStore serves from memory instead of a Maildir: for tests that
// run thousands of sessions and are about the wire, not the disk.
func withMemoryStore(m *mailstore.Memory) labOption {
	return func(s *Setup) { s.Store = m }
}

func withSetup(f func(*Setup)) labOption { return f }

// witness is a well-behaved client that keeps being served while a test
// attacks the server: it sends bob a message over SMTP and logs in to POP3
// as bob, round after round, until stop.
type witness struct {
	l      *testLab
	stopc  chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	rounds int
	err    error
}

func startWitness(t *testing.T, l *testLab) *witness {
	t.Helper()
	w := &witness{l: l, stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			err := w.round()
			w.mu.Lock()
			w.rounds++
			if err != nil && w.err == nil {
				w.err = fmt.Errorf("round %d: %w", w.rounds, err)
			}
			w.mu.Unlock()
			select {
			case <-w.stopc:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { w.halt() })
	return w
}

func (w *witness) round() error {
	if err := smtpSend(w.l.addr("smtp", false), "witness@example.org", "bob@example.com", "Subject: witness\r\n\r\nstill served\r\n"); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := pop3Stat(w.l.addr("pop3", false), "bob", testUsers["bob"]); err != nil {
		return fmt.Errorf("pop3: %w", err)
	}
	return nil
}

func (w *witness) halt() {
	select {
	case <-w.stopc:
	default:
		close(w.stopc)
	}
	<-w.done
}

// stop ends the witness and checks that it was served every time, at least
// once during the attack and once more after it.
func (w *witness) stop(t *testing.T) {
	t.Helper()
	w.halt()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		t.Errorf("the well-behaved client was not served during the attack: %v", w.err)
	}
	if w.rounds == 0 {
		t.Errorf("the well-behaved client never got a turn")
	}
	if err := w.round(); err != nil {
		t.Errorf("the well-behaved client is not served after the attack: %v", err)
	}
}

// dialText opens a text connection with a deadline.
func dialText(addr string, d time.Duration) (net.Conn, *textproto.Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, nil, err
	}
	nc.SetDeadline(time.Now().Add(d))
	return nc, textproto.NewConn(nc), nil
}

// step sends a line (unless empty) and expects a reply code.
func step(c *textproto.Conn, line string, code int) error {
	if line != "" {
		if err := c.PrintfLine("%s", line); err != nil {
			return err
		}
	}
	got, msg, err := c.ReadResponse(0)
	if got != code {
		return fmt.Errorf("%q: got %d %s (%v), want %d", line, got, msg, err, code)
	}
	return nil
}

// smtpSend delivers one message in its own session.
func smtpSend(addr, from, to, body string) error {
	nc, c, err := dialText(addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	for _, s := range []struct {
		line string
		code int
	}{{"", 220}, {"EHLO witness.example", 250}, {"MAIL FROM:<" + from + ">", 250}, {"RCPT TO:<" + to + ">", 250}, {"DATA", 354}} {
		if err := step(c, s.line, s.code); err != nil {
			return err
		}
	}
	w := c.DotWriter()
	io.WriteString(w, body)
	w.Close()
	if err := step(c, "", 250); err != nil {
		return err
	}
	return step(c, "QUIT", 221)
}

// pop3Stat logs in, asks STAT and quits.
func pop3Stat(addr, user, pass string) error {
	nc, c, err := dialText(addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	for _, line := range []string{"", "USER " + user, "PASS " + pass, "STAT", "QUIT"} {
		if line != "" {
			c.PrintfLine("%s", line)
		}
		l, err := c.ReadLine()
		if err != nil {
			return fmt.Errorf("%q: %w", line, err)
		}
		if !strings.HasPrefix(l, "+OK") {
			return fmt.Errorf("%q: got %q", line, l)
		}
	}
	return nil
}

// readUntilClosed reads everything the server sends until it closes the
// connection or the deadline passes; closed says which.
func readUntilClosed(nc net.Conn, d time.Duration) (out []byte, closed bool) {
	nc.SetReadDeadline(time.Now().Add(d))
	var buf bytes.Buffer
	_, err := io.Copy(&buf, nc)
	var ne net.Error
	closed = err == nil || !(errors.As(err, &ne) && ne.Timeout())
	return buf.Bytes(), closed
}

// codes returns the first three octets of every whole line in a byte
// stream except SMTP continuation lines ("250-…"), and the lines themselves:
// the final line of each SMTP reply, or every POP3 line.
func codes(b []byte) (cs []string, lines []string) {
	all := strings.Split(string(b), "\r\n")
	for _, l := range all[:len(all)-1] { // the last piece has no CRLF yet
		if len(l) > 3 && l[3] == '-' && l[0] >= '2' && l[0] <= '5' {
			continue
		}
		cs = append(cs, l[:min(3, len(l))])
		lines = append(lines, l)
	}
	return cs, lines
}

// noInternalError checks that no session of the lab hit a panic.
func (l *testLab) noInternalError(t *testing.T) {
	t.Helper()
	for _, s := range l.Hub.Sessions() {
		tr, ok := l.Hub.Trace(s.ID)
		if !ok {
			continue
		}
		for _, st := range tr.Steps {
			if strings.Contains(st.Text, "internal error in the server") {
				t.Errorf("session %d: %s", s.ID, st.Text)
			}
		}
	}
}
