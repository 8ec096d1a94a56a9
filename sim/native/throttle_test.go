//go:build !js

package native

import (
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/sim/trace"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestThrottleCounts(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{Free: 2, Pause: time.Second, MaxPause: 3 * time.Second, Refuse: 5, Window: 10 * time.Minute, Now: clock.Now})
	var pauses []time.Duration
	for range 6 {
		pauses = append(pauses, th.Fail("192.0.2.1"))
	}
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}
	for i := range want {
		if pauses[i] != want[i] {
			t.Fatalf("pauses %v, want %v", pauses, want)
		}
	}
	if refused, left := th.Refused("192.0.2.1"); !refused || left != 10*time.Minute {
		t.Errorf("after 6 failures: refused=%v for %v, want 10m", refused, left)
	}
	if refused, _ := th.Refused("192.0.2.2"); refused {
		t.Error("another address is refused too")
	}
	clock.Advance(9 * time.Minute)
	if refused, left := th.Refused("192.0.2.1"); !refused || left != time.Minute {
		t.Errorf("9 minutes later: refused=%v for %v", refused, left)
	}
	clock.Advance(time.Minute)
	if refused, _ := th.Refused("192.0.2.1"); refused || th.Failures("192.0.2.1") != 0 {
		t.Error("still refused once the window has passed")
	}
	if d := th.Fail("192.0.2.1"); d != 0 {
		t.Errorf("the count did not start over: pause %v", d)
	}
	off := NewThrottle(ThrottleConfig{Refuse: -1})
	for range 50 {
		off.Fail("192.0.2.9")
	}
	if refused, _ := off.Refused("192.0.2.9"); refused {
		t.Error("Refuse: -1 refuses")
	}
}

// A flood of failures from very many addresses does not grow the table
// without bound.
func TestThrottleForgetsUnderFlood(t *testing.T) {
	th := NewThrottle(ThrottleConfig{})
	for i := range maxTracked + 5000 {
		th.Fail(net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).String())
	}
	th.mu.Lock()
	n := len(th.addrs)
	th.mu.Unlock()
	if n > maxTracked {
		t.Errorf("%d addresses remembered, the bound is %d", n, maxTracked)
	}
}

// dialFrom connects from a given loopback address (127.0.0.2 is another
// client as far as the server can tell).
func dialFrom(t *testing.T, from, addr string) *textproto.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Skipf("cannot connect from %s: %v", from, err)
	}
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	c := textproto.NewConn(nc)
	t.Cleanup(func() { c.Close() })
	return c
}

// lastTraceOf is the trace of the latest session of proto.
func (l *testLab) lastTraceOf(t *testing.T, proto string) trace.Trace {
	t.Helper()
	s := l.Hub.Sessions()
	for i := len(s) - 1; i >= 0; i-- {
		if s[i].Proto == proto {
			tr, _ := l.Hub.Trace(s[i].ID)
			return tr
		}
	}
	t.Fatalf("no %s session", proto)
	return trace.Trace{}
}

// Repeated failed AUTH from one address: the first failures are answered
// at once, the next ones slowly, then the address is refused with
// 421 4.7.0 for the window; the victim, alice, still logs in from her own
// address, and so does anyone else; after the window the attacker's
// address may try again.
func TestThrottleSMTPBruteForce(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{Free: 3, Pause: 60 * time.Millisecond, MaxPause: 120 * time.Millisecond, Refuse: 6, Window: 15 * time.Minute, Now: clock.Now})
	l := testServer(t, withSetup(func(s *Setup) { s.Throttle = th }))
	c := dialFrom(t, "127.0.0.1", l.addr("smtp", false))
	expectCode(t, c, 220)
	cmd(t, c, "EHLO attacker.example")
	expectCode(t, c, 250)
	for i := 1; i <= 6; i++ {
		start := time.Now()
		cmd(t, c, "AUTH PLAIN "+plain("alice", "guess"+itoa(i)))
		expectCode(t, c, 535)
		if d := time.Since(start); i > 3 && d < 60*time.Millisecond {
			t.Errorf("failure %d answered after %v: want a pause of at least 60ms", i, d)
		}
	}
	// The first three were answered without a pause: the session's trace
	// shows a pause for failures 4, 5 and 6 only.
	if tr := l.lastTraceOf(t, "smtp"); strings.Count(tr.Transcript(), "login throttle: ") != 3 {
		t.Errorf("want 3 pauses in the trace:\n%s", tr.Transcript())
	}
	cmd(t, c, "AUTH PLAIN "+plain("alice", testUsers["alice"]))
	if msg := expectCode(t, c, 421); !strings.HasPrefix(msg, "4.7.0 mail.example.com Error: too many failed logins from 127.0.0.1") {
		t.Errorf("got 421 %s", msg)
	}
	expectEOF(t, c)

	// The same address, a new connection: still refused, even with the
	// right password (no password is checked while refused).
	c = dialFrom(t, "127.0.0.1", l.addr("smtp", false))
	expectCode(t, c, 220)
	cmd(t, c, "EHLO attacker.example")
	expectCode(t, c, 250)
	cmd(t, c, "AUTH PLAIN "+plain("bob", testUsers["bob"]))
	expectCode(t, c, 421)

	// Another address: alice logs in; its own failures are its own.
	o := dialFrom(t, "127.0.0.2", l.addr("smtp", false))
	expectCode(t, o, 220)
	cmd(t, o, "EHLO alice.example")
	expectCode(t, o, 250)
	cmd(t, o, "AUTH PLAIN "+plain("alice", "typo"))
	expectCode(t, o, 535)
	cmd(t, o, "AUTH PLAIN "+plain("alice", testUsers["alice"]))
	expectCode(t, o, 235)

	// POP3 shares the count: the attacker cannot switch protocols.
	p := dialFrom(t, "127.0.0.1", l.addr("pop3", false))
	expectLine(t, p, "+OK")
	cmd(t, p, "USER bob")
	expectLine(t, p, "+OK")
	cmd(t, p, "PASS "+testUsers["bob"])
	expectLine(t, p, "-ERR [LOGIN-DELAY]")

	clock.Advance(15 * time.Minute)
	c = dialFrom(t, "127.0.0.1", l.addr("smtp", false))
	expectCode(t, c, 220)
	cmd(t, c, "EHLO attacker.example")
	expectCode(t, c, 250)
	cmd(t, c, "AUTH PLAIN "+plain("alice", testUsers["alice"]))
	expectCode(t, c, 235)
	var noted bool
	for _, s := range l.Hub.Sessions() {
		tr, _ := l.Hub.Trace(s.ID)
		noted = noted || strings.Contains(tr.Transcript(), "login throttle")
	}
	if !noted {
		t.Error("the live view does not show the throttle")
	}
}

// Repeated failed PASS: -ERR [AUTH] until the limit, then
// -ERR [LOGIN-DELAY] (RFC 2449 §8.1.1) to PASS, APOP and AUTH, without a
// password check; USER is still answered (refusing it would tell which
// names exist). Another address logs in as the same user.
func TestThrottlePOP3BruteForce(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{Free: 2, Pause: 30 * time.Millisecond, Refuse: 4, Now: clock.Now})
	l := testServer(t, withSetup(func(s *Setup) { s.Throttle = th }))
	c := dialFrom(t, "127.0.0.1", l.addr("pop3", false))
	expectLine(t, c, "+OK")
	for i := 1; i <= 4; i++ {
		cmd(t, c, "USER alice")
		expectLine(t, c, "+OK")
		cmd(t, c, "PASS wrong"+itoa(i))
		expectLine(t, c, "-ERR [AUTH]")
	}
	cmd(t, c, "USER alice")
	expectLine(t, c, "+OK")
	cmd(t, c, "PASS "+testUsers["alice"])
	expectLine(t, c, "-ERR [LOGIN-DELAY]")
	cmd(t, c, "AUTH PLAIN "+plain("alice", testUsers["alice"]))
	expectLine(t, c, "-ERR [LOGIN-DELAY]")
	cmd(t, c, "CAPA") // the session goes on
	expectLine(t, c, "+OK")

	o := dialFrom(t, "127.0.0.2", l.addr("pop3", false))
	expectLine(t, o, "+OK")
	cmd(t, o, "USER alice")
	expectLine(t, o, "+OK")
	cmd(t, o, "PASS "+testUsers["alice"])
	expectLine(t, o, "+OK")
	if n := th.Failures("127.0.0.2"); n != 0 {
		t.Errorf("127.0.0.2 has %d failures", n)
	}
}
