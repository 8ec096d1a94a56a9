//go:build !js

package native

import (
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Slow and silent clients are cut off by the protocol's timeout (RFC 5321
// §4.5.3.2.7, RFC 1939 §3), whatever they do while the clock runs, and
// the server's memory goes back to where it was once they are gone.

const shortTimeout = 300 * time.Millisecond

func shortLimits() labOption {
	return withLimits(Limits{SMTPTimeout: shortTimeout, POP3Timeout: shortTimeout, MaxConns: 400})
}

// trickle writes one octet every gap until the connection fails or stop.
func trickle(nc net.Conn, text string, gap time.Duration, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(gap):
		}
		if _, err := nc.Write([]byte{text[i%len(text)]}); err != nil {
			return
		}
	}
}

// cutOffWithin waits for the server to close nc and checks how long it
// took from start.
func cutOffWithin(t *testing.T, nc net.Conn, start time.Time, limit time.Duration, what string) []byte {
	t.Helper()
	out, closed := readUntilClosed(nc, limit+2*time.Second)
	if !closed {
		t.Fatalf("%s: still connected after %v", what, time.Since(start))
	}
	if d := time.Since(start); d > limit {
		t.Errorf("%s: cut off after %v, want within %v", what, d, limit)
	}
	return out
}

// One octet every 100ms, in command state, inside DATA and in POP3: the
// timeout counts from the last whole line, so the trickle does not keep
// the session open.
func TestSlowTrickle(t *testing.T) {
	t.Parallel()
	l := testServer(t, shortLimits())
	w := startWitness(t, l)
	stop := make(chan struct{})
	defer close(stop)
	for _, c := range []struct {
		name, proto, setup, drip, want string
	}{
		{"command", "smtp", "", "NOOOOOOOOOOOOOP", "421 4.4.2"},
		{"data", "smtp", "EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n", "Subject: slow", "421 4.4.2"},
		{"pop3", "pop3", "", "USER aliiiiiiiiiiice", ""},
	} {
		nc := badSession(t, l, c.proto)
		if c.setup != "" {
			exchange(t, nc, c.setup, 4)
		}
		start := time.Now()
		go trickle(nc, c.drip, 100*time.Millisecond, stop)
		out := cutOffWithin(t, nc, start, shortTimeout+time.Second, c.name)
		if c.want != "" && !strings.Contains(string(out), c.want) {
			t.Errorf("%s: got %q, want %s", c.name, out, c.want)
		}
		if c.want == "" && len(out) != 0 {
			t.Errorf("%s: autologout sent %q, want nothing (RFC 1939 §3)", c.name, out)
		}
	}
	if n := len(l.messages(t, "alice")); n != 0 {
		t.Errorf("%d messages stored from cut-off sessions", n)
	}
	w.stop(t)
}

// A client that sends commands and never reads the replies: once the
// socket buffers are full the server's write waits, and the timeout ends
// the session. A POP3 client that never reads a RETR loses its session,
// and the maildrop lock with it.
func TestSlowNeverReads(t *testing.T) {
	t.Parallel()
	l := testServer(t, shortLimits())
	sendRaw(t, l.greetedEhlo(t), "a@example.org", "alice@example.com", "Subject: big\r\n\r\n"+strings.Repeat(strings.Repeat("y", 900)+"\r\n", 4000))
	w := startWitness(t, l)
	for _, c := range []struct{ proto, flood string }{
		{"smtp", "HELP\r\n"},
		{"pop3", "RETR 1\r\n"},
	} {
		nc, err := net.Dial("tcp", l.addr(c.proto, false))
		if err != nil {
			t.Fatal(err)
		}
		nc.(*net.TCPConn).SetReadBuffer(4096)
		if c.proto == "pop3" {
			nc.Write([]byte("USER alice\r\nPASS " + testUsers["alice"] + "\r\n"))
		}
		start := time.Now()
		flood := []byte(strings.Repeat(c.flood, 1000))
		done := make(chan time.Duration)
		go func() {
			// Write until the server gives up on us; never read.
			for {
				nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if _, err := nc.Write(flood); err != nil {
					done <- time.Since(start)
					return
				}
			}
		}()
		// The server closes the session; our writes then fail.
		deadline := time.After(10 * time.Second)
		ended := false
		for !ended {
			select {
			case d := <-done:
				t.Logf("%s: the client that never reads was cut off after %v", c.proto, d)
				ended = true
			case <-deadline:
				t.Fatalf("%s: the client that never reads is still served", c.proto)
			}
		}
		nc.Close()
	}
	// The maildrop was released: alice can log in.
	if err := pop3Stat(l.addr("pop3", false), "alice", testUsers["alice"]); err != nil {
		t.Errorf("alice after the silent session: %v", err)
	}
	w.stop(t)
}

// A client that stops after DATA, or in the middle of the message text:
// 421 4.4.2 after the timeout, and nothing is stored.
func TestSlowStopsAfterData(t *testing.T) {
	t.Parallel()
	l := testServer(t, shortLimits())
	w := startWitness(t, l)
	for _, text := range []string{"", "Subject: half\r\n\r\nthe first half of a mess"} {
		nc := badSession(t, l, "smtp")
		exchange(t, nc, "EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n", 4)
		start := time.Now()
		nc.Write([]byte(text))
		out := cutOffWithin(t, nc, start, shortTimeout+time.Second, "silent after DATA")
		if !strings.HasPrefix(string(out), "421 4.4.2") {
			t.Errorf("got %q, want 421 4.4.2", out)
		}
	}
	if n := len(l.messages(t, "alice")); n != 0 {
		t.Errorf("%d messages stored from sessions that never ended their data", n)
	}
	w.stop(t)
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Waves of slow and silent clients: while they hang on, memory grows by a
// bounded amount per client; once the timeouts have cut them off, it comes
// back, wave after wave (no leak), and so do the goroutines.
func TestSlowClientsMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("measures memory: not in -short")
	}
	l := testServer(t, shortLimits(), withSetup(func(s *Setup) { s.Hub = NewHub(5) }))
	// Workers that served a connection wait a while for the next one; here
	// they should go soon, so that a leaked goroutine is seen.
	l.SMTP.idleFor.Store(int64(50 * time.Millisecond))
	l.POP3.idleFor.Store(int64(50 * time.Millisecond))
	w := startWitness(t, l)
	w.halt()
	const clients = 150
	partial := strings.Repeat("z", 900) + "\r\n" // 900 octets of text per line
	wave := func() (peak uint64) {
		var conns []net.Conn
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				proto := "smtp"
				if i%3 == 2 {
					proto = "pop3"
				}
				nc, err := net.Dial("tcp", l.addr(proto, false))
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, nc)
				mu.Unlock()
				switch i % 3 {
				case 0: // a long line that never ends, in command state
					nc.Write([]byte(strings.Repeat("A", 64<<10)))
				case 1: // 100 KB of message text, then silence
					nc.Write([]byte("EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n" + strings.Repeat(partial, 110)))
				case 2: // POP3: half a command
					nc.Write([]byte("USER ali"))
				}
			}()
		}
		wg.Wait()
		time.Sleep(100 * time.Millisecond)
		peak = heapInUse()
		for _, nc := range conns {
			readUntilClosed(nc, 5*time.Second)
			nc.Close()
		}
		l.waitIdle(t)
		return peak
	}
	base := heapInUse()
	goroutines := runtime.NumGoroutine()
	var peaks, afters []uint64
	for range 3 {
		peaks = append(peaks, wave())
		afters = append(afters, heapInUse())
	}
	// Per client: 64 KB of an unfinished line is cut to the line limit;
	// 100 KB of text is held until the timeout; goroutine, buffers and
	// machine besides. 200 KB each is far above what is needed.
	limit := base + clients*200<<10
	for i, p := range peaks {
		if p > limit {
			t.Errorf("wave %d: %d KB in use with %d slow clients (baseline %d KB): more than 200 KB per client", i, p>>10, clients, base>>10)
		}
	}
	if afters[2] > afters[0]+4<<20 {
		t.Errorf("memory after each wave: %d, %d, %d KB: it grows", afters[0]>>10, afters[1]>>10, afters[2]>>10)
	}
	time.Sleep(200 * time.Millisecond) // idle workers leave after idleFor
	if g := runtime.NumGoroutine(); g > goroutines+10 {
		t.Errorf("%d goroutines after the waves, %d before", g, goroutines)
	}
	t.Logf("%d slow clients per wave: baseline %d KB, peaks %v KB, after %v KB (%d KB per client at the peak)",
		clients, base>>10, kb(peaks), kb(afters), (peaks[0]-min(base, peaks[0]))>>10/clients)
	w2 := startWitness(t, l)
	w2.stop(t)
}

func kb(v []uint64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = x >> 10
	}
	return out
}

// A POP3 client that pipelines a read buffer full of RETR for a big
// message (RFC 2449 §6.6) gets the copies one after the other: the server
// never builds them all at once.
func TestPOP3PipelinedRetrMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures memory: not in -short")
	}
	l := testServer(t)
	sendRaw(t, l.greetedEhlo(t), "a@example.org", "alice@example.com", "Subject: big\r\n\r\n"+strings.Repeat(strings.Repeat("y", 998)+"\r\n", 1000))
	base := heapInUse()
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
		}
	}()
	nc := badSession(t, l, "pop3")
	const copies = 500 // 500 MB if built at once
	go nc.Write([]byte("USER alice\r\nPASS " + testUsers["alice"] + "\r\n" + strings.Repeat("RETR 1\r\n", copies) + "QUIT\r\n"))
	// Count the copies as they come, without keeping 500 MB in the test.
	n, tail, buf := 0, "", make([]byte, 64<<10)
	nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		k, err := nc.Read(buf)
		chunk := tail + string(buf[:k])
		n += strings.Count(chunk, "\r\n.\r\n")
		tail = chunk[max(0, len(chunk)-4):]
		if err != nil {
			break
		}
	}
	close(stop)
	<-sampled
	if n != copies {
		t.Errorf("got %d copies, want %d", n, copies)
	}
	if peak > base+64<<20 {
		t.Errorf("heap peaked at %d MB for %d pipelined RETR of a 1 MB message (baseline %d MB)", peak>>20, copies, base>>20)
	}
	t.Logf("%d pipelined RETR of 1 MB: heap peak %d MB over a baseline of %d MB", copies, (peak-min(peak, base))>>20, base>>20)
}
