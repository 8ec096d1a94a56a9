//go:build !js

package native

import (
	"encoding/json"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"maillab/sim/fault"
)

// Bad input over the network. Each test attacks one server while a
// well-behaved client (the witness) keeps sending and reading mail; the
// witness must be served throughout and after, and no session may hit an
// internal error.

// badSession opens a raw connection for an attack and reads the greeting.
func badSession(t *testing.T, l *testLab, proto string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", l.addr(proto, false), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	buf := make([]byte, 512)
	n, err := nc.Read(buf)
	if err != nil || (!strings.HasPrefix(string(buf[:n]), "220 ") && !strings.HasPrefix(string(buf[:n]), "+OK")) {
		t.Fatalf("greeting: %q %v", buf[:n], err)
	}
	return nc
}

// exchange writes b and reads the replies until want final replies came
// (SMTP) or until the server closes or stays silent for a moment.
func exchange(t *testing.T, nc net.Conn, b string, want int) []string {
	t.Helper()
	if _, err := nc.Write([]byte(b)); err != nil {
		t.Fatalf("write: %v", err)
	}
	var got []byte
	buf := make([]byte, 64<<10)
	for {
		nc.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, err := nc.Read(buf)
		got = append(got, buf[:n]...)
		if cs, _ := codes(got); want > 0 && len(cs) >= want && strings.HasSuffix(string(got), "\r\n") {
			break
		}
		if err != nil {
			break
		}
	}
	_, lines := codes(got)
	return lines
}

func wantCodes(t *testing.T, lines []string, want ...string) {
	t.Helper()
	var got []string
	for _, l := range lines {
		got = append(got, l[:3])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("replies %q, want codes %v", lines, want)
	}
}

func TestBadCommandLineOver512(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	nc := badSession(t, l, "smtp")
	// 513 octets with CRLF: one over the limit of RFC 5321 §4.5.3.1.4.
	long := "NOOP " + strings.Repeat("x", 513-len("NOOP ")-2)
	// 100 KB without a line end until the very end: one reply, not many.
	huge := "MAIL FROM:<" + strings.Repeat("a", 100<<10) + "@example.org>"
	lines := exchange(t, nc, long+"\r\n"+huge+"\r\nNOOP "+strings.Repeat("y", 505)+"\r\n", 3)
	wantCodes(t, lines, "500", "500", "250") // 512 octets exactly is fine
	if !strings.Contains(lines[0], "line too long") {
		t.Errorf("got %q", lines[0])
	}
	p := badSession(t, l, "pop3")
	got := exchange(t, p, "NOOP "+strings.Repeat("x", 300)+"\r\n", 1)
	if len(got) == 0 || !strings.HasPrefix(got[0], "-ERR Line too long") {
		t.Errorf("POP3 line over 255 octets (RFC 2449 §4): %q", got)
	}
	w.stop(t)
	l.noInternalError(t)
}

func TestBadDataLineOver1000(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	nc := badSession(t, l, "smtp")
	lines := exchange(t, nc, "EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n", 4)
	wantCodes(t, lines, "250", "250", "250", "354")
	// 1001 octets with CRLF (RFC 5321 §4.5.3.1.6), then a 1 MB line.
	body := "Subject: long\r\n\r\n" + strings.Repeat("x", 999) + "\r\n" + strings.Repeat("z", 1<<20) + "\r\n.\r\nNOOP\r\n"
	lines = exchange(t, nc, body, 2)
	wantCodes(t, lines, "552", "250")
	if msgs := l.messages(t, "alice"); len(msgs) != 0 {
		t.Errorf("a message with an over-long line was stored: %d", len(msgs))
	}
	w.stop(t)
	l.noInternalError(t)
}

// NUL octets: in a verb (unknown), in an address (syntax), in a HELO name
// (refused: it would reach the Received: header), and in message text
// (kept, byte for byte: the server does not edit what it accepted).
func TestBadNULBytes(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	nc := badSession(t, l, "smtp")
	lines := exchange(t, nc, "NO\x00OP\r\nEHLO a\x00b\r\nEHLO x\r\nMAIL FROM:<a\x00b@example.org>\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice\x00@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n", 8)
	wantCodes(t, lines, "500", "501", "250", "501", "250", "501", "250", "354")
	lines = exchange(t, nc, "Subject: nul\r\n\r\nbefore\x00after\r\n\x00\r\n.\r\n", 1)
	wantCodes(t, lines, "250")
	if b := body(t, l.oneMessage(t, "alice")); b != "Subject: nul\n\nbefore\x00after\n\x00\n" {
		t.Errorf("stored %q", b)
	}
	p := badSession(t, l, "pop3")
	got := exchange(t, p, "US\x00ER alice\r\nUSER ali\x00ce\r\nPASS x\r\n", 3)
	if len(got) != 3 || !strings.HasPrefix(got[0], "-ERR") || !strings.HasPrefix(got[2], "-ERR") {
		t.Errorf("POP3 with NUL: %q", got)
	}
	w.stop(t)
	l.noInternalError(t)
}

// Octets that are not UTF-8 go through without harm: refused where they
// are not allowed, kept byte for byte in message text, and the live view's
// JSON still encodes.
func TestBadInvalidUTF8(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	nc := badSession(t, l, "smtp")
	lines := exchange(t, nc, "EHLO \xff\xfe\r\nMAIL FROM:<\xc3\x28@example.org>\r\nMAIL FROM:<a@example.org> SMTPUTF8\r\nRCPT TO:<\xe2\x28\xa1@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n", 6)
	wantCodes(t, lines, "250", "501", "250", "501", "250", "354")
	text := "Subject: \xff\xfe bad\r\n\r\n\xc0\xaf \xed\xa0\x80 \xf8\x88\x80\x80\x80\r\n"
	lines = exchange(t, nc, text+".\r\n", 1)
	wantCodes(t, lines, "250")
	if b := body(t, l.oneMessage(t, "alice")); b != lf(text) {
		t.Errorf("stored %q, want %q", b, lf(text))
	}
	p := badSession(t, l, "pop3")
	if got := exchange(t, p, "USER \xff\xfe\r\nPASS \xc3\x28\r\n", 2); len(got) != 2 || !strings.HasPrefix(got[1], "-ERR") {
		t.Errorf("POP3: %q", got)
	}
	w.stop(t)
	for _, s := range l.Hub.Sessions() {
		tr, _ := l.Hub.Trace(s.ID)
		if _, err := json.Marshal(tr); err != nil {
			t.Errorf("session %d does not encode for the page: %v", s.ID, err)
		}
	}
	l.noInternalError(t)
}

// Random binary garbage (seeded): SMTP gives up after its error limit with
// 421, POP3 answers -ERR; neither takes the server down.
func TestBadBinaryGarbage(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	rng := rand.New(rand.NewPCG(6, 1))
	for i := range 8 {
		garbage := make([]byte, 64<<10)
		for j := range garbage {
			garbage[j] = byte(rng.UintN(256))
		}
		for _, proto := range []string{"smtp", "pop3"} {
			nc := badSession(t, l, proto)
			go func() {
				nc.Write(garbage)
				nc.(*net.TCPConn).CloseWrite() // POP3 has no error limit: end the input
			}()
			out, closed := readUntilClosed(nc, 5*time.Second)
			if proto == "smtp" && (!closed || !strings.Contains(string(out), "421 4.7.0 mail.example.com Error: too many errors")) {
				t.Errorf("smtp garbage %d: closed=%v, last reply %q", i, closed, lastLine(out))
			}
			if proto == "pop3" && !strings.HasPrefix(string(out), "-ERR") {
				t.Errorf("pop3 garbage %d: %q…", i, out[:min(len(out), 80)])
			}
			nc.Close()
		}
	}
	w.stop(t)
	l.noInternalError(t)
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimRight(string(b), "\r\n"), "\r\n")
	return lines[len(lines)-1]
}

// A client that talks before the greeting (what spam bots do, and what
// postscreen calls PREGREET) gets the greeting first and then its answers
// in order: nothing it sent is lost or run twice.
func TestBadSendBeforeGreeting(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	if err := l.Faults.Add(fault.Rule{When: "connect", Then: "delay 300ms", Times: 1}); err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", l.addr("smtp", false))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("EHLO early.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n"))
	w := startWitness(t, l)
	lines := exchange(t, nc, "Subject: early\r\n\r\nhi\r\n.\r\nQUIT\r\n", 7)
	wantCodes(t, lines, "220", "250", "250", "250", "354", "250", "221")
	if b := body(t, l.oneMessage(t, "alice")); b != "Subject: early\n\nhi\n" {
		t.Errorf("stored %q", b)
	}
	w.stop(t)
	l.noInternalError(t)
}

// Commands pipelined after HELO, which negotiates no PIPELINING (RFC 2920):
// the server still answers each command once, in order (RFC 5321 §4.2),
// and the data after 354 is data.
func TestBadPipeliningWithoutPIPELINING(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	nc := badSession(t, l, "smtp")
	burst := "HELO old.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\n" +
		"Subject: burst\r\n\r\nRCPT TO:<bob@example.com>\r\n.\r\nRSET\r\nMAIL FROM:<b@example.org>\r\nDATA\r\nQUIT\r\n"
	lines := exchange(t, nc, burst, 10)
	wantCodes(t, lines, "250", "250", "250", "550", "354", "250", "250", "250", "503", "221")
	if b := body(t, l.oneMessage(t, "alice")); b != "Subject: burst\n\nRCPT TO:<bob@example.com>\n" {
		t.Errorf("stored %q", b)
	}
	w.stop(t)
	for _, m := range l.messages(t, "bob") {
		// bob has only the witness's mail: the RCPT inside the data was text.
		if !strings.Contains(m, "still served") {
			t.Errorf("bob got %q", m)
		}
	}
	l.noInternalError(t)
}

// A flood of unknown commands is cut off after a bounded number of errors
// (Postfix's smtpd_hard_error_limit, 20): 421 and close, the rest unread.
func TestBadUnknownCommandFlood(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	nc := badSession(t, l, "smtp")
	go nc.Write([]byte(strings.Repeat("XYZZY\r\n", 5000)))
	out, closed := readUntilClosed(nc, 5*time.Second)
	cs, lines := codes(out)
	if !closed || len(cs) != 21 || cs[19] != "500" || !strings.HasPrefix(lines[20], "421 4.7.0 mail.example.com Error: too many errors") {
		t.Errorf("closed=%v, %d replies, last %q", closed, len(cs), lastLine(out))
	}
	w.stop(t)
	l.noInternalError(t)
}

// An AUTH line of 20 KB, as the command and as the response to 334: refused
// with one reply (RFC 4954 §4 allows 12288 octets), the session goes on,
// and no login failure is counted (no password was checked).
func TestBadAuthLine20KB(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	big := strings.Repeat("QUFB", 20<<10/4)
	nc := badSession(t, l, "smtp")
	lines := exchange(t, nc, "EHLO x\r\nAUTH PLAIN "+big+"\r\nAUTH PLAIN\r\n", 3)
	wantCodes(t, lines, "250", "500", "334")
	lines = exchange(t, nc, big+"\r\nAUTH PLAIN "+plain("alice", testUsers["alice"])+"\r\n", 2)
	wantCodes(t, lines, "500", "235")
	if !strings.HasPrefix(lines[0], "500 5.5.6") {
		t.Errorf("got %q, want 500 5.5.6 (RFC 4954 §4)", lines[0])
	}
	p := badSession(t, l, "pop3")
	got := exchange(t, p, "AUTH PLAIN "+big+"\r\nAUTH PLAIN\r\n"+big+"\r\nAUTH PLAIN "+plain("alice", testUsers["alice"])+"\r\n", 4)
	if len(got) != 4 || !strings.HasPrefix(got[0], "-ERR") || got[1] != "+ " || !strings.HasPrefix(got[2], "-ERR") || !strings.HasPrefix(got[3], "+OK") {
		t.Errorf("POP3: %q", got)
	}
	if n := l.SMTP.throttle.Failures("127.0.0.1"); n != 0 {
		t.Errorf("%d login failures counted for lines that checked no password", n)
	}
	w.stop(t)
	l.noInternalError(t)
}

// Bad base64 in AUTH: 501 5.5.2 (RFC 4954 §4), -ERR in POP3; the session
// goes on and a good login still works.
func TestBadBase64(t *testing.T) {
	t.Parallel()
	l := testServer(t)
	w := startWitness(t, l)
	nc := badSession(t, l, "smtp")
	lines := exchange(t, nc, "EHLO x\r\nAUTH PLAIN %%%%\r\nAUTH LOGIN\r\n", 3)
	wantCodes(t, lines, "250", "501", "334")
	lines = exchange(t, nc, "not*base64!\r\nAUTH PLAIN AGFsaWNl\x00\r\nAUTH PLAIN "+plain("alice", testUsers["alice"])+"\r\n", 3)
	wantCodes(t, lines, "501", "501", "235")
	p := badSession(t, l, "pop3")
	got := exchange(t, p, "AUTH PLAIN %%%%\r\nAUTH PLAIN\r\n====\r\nAUTH PLAIN "+plain("alice", testUsers["alice"])+"\r\n", 4)
	if len(got) != 4 || !strings.HasPrefix(got[0], "-ERR Invalid base64") || !strings.HasPrefix(got[2], "-ERR") || !strings.HasPrefix(got[3], "+OK") {
		t.Errorf("POP3: %q", got)
	}
	if n := l.SMTP.throttle.Failures("127.0.0.1"); n != 0 {
		t.Errorf("%d login failures counted for bad base64", n)
	}
	w.stop(t)
	l.noInternalError(t)
}
