//go:build !js

package native

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/sim/mailstore"
	"maillab/sim/smtp"
)

// SMTP smuggling over real TCP (PROTOCOL.md §1.8; CVE-2023-51764/5/6): every
// fake end-of-data sequence of hannob/smtpsmug, followed by a whole second
// transaction, sent after 354 in two TCP writes cut at every position, under
// both bare_lf policies. The data must end only at the real CRLF.CRLF, and
// what follows a fake terminator must never run as commands: no reply to
// the smuggled MAIL, RCPT or DATA, no message for the smuggled recipient,
// and the stored message the same whatever the cut.

// smuggleVariants are the end-of-data imitations of PROTOCOL.md §1.8.
var smuggleVariants = []struct{ name, seq string }{
	{"lflf", "\n.\n"}, {"crcr", "\r.\r"}, {"crlf", "\r.\n"}, {"lfcr", "\n.\r"},
	{"lfcrlf", "\n.\r\n"}, {"crlflf", "\r\n.\n"}, {"crcrlf", "\r.\r\n"}, {"crlfcr", "\r\n.\r"},
	{"nullbefore", "\r\n\x00.\r\n"}, {"nullafter", "\r\n.\x00\r\n"},
	// Not a fake: a real end of data with the next transaction pipelined
	// behind it. Here the second message is the client's own, and must go.
	{"real-end", "\r\n.\r\n"},
}

// smugglePayload is what the client sends after 354.
func smugglePayload(variant, seq string) string {
	return "Subject: smuggle " + variant + "\r\n\r\nhello" + seq +
		"MAIL FROM:<ceo@bank.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n" +
		"Subject: spoofed " + variant + "\r\n\r\nevil\r\n.\r\nQUIT\r\n"
}

// smuggleSession runs one session: the envelope for alice, then the
// payload in two writes cut at cut. It returns the lines after the 354.
func smuggleSession(addr, payload string, cut int) ([]string, bool, error) {
	nc, c, err := dialText(addr, 10*time.Second)
	if err != nil {
		return nil, false, err
	}
	defer nc.Close()
	for _, s := range []struct {
		line string
		code int
	}{{"", 220}, {"EHLO attacker.example", 250}, {"MAIL FROM:<attacker@example.org>", 250}, {"RCPT TO:<alice@example.com>", 250}, {"DATA", 354}} {
		if err := step(c, s.line, s.code); err != nil {
			return nil, false, err
		}
	}
	nc.Write([]byte(payload[:cut]))
	// A pause so that the server reads the two parts separately.
	time.Sleep(time.Millisecond)
	nc.Write([]byte(payload[cut:])) // may fail: the server may have closed
	out, closed := readUntilClosed(nc, 5*time.Second)
	_, lines := codes(out)
	return lines, closed, nil
}

func TestSmugglingOverTCP(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{"normalize", "reject"} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			store := mailstore.NewMemory()
			l := testServer(t, withMemoryStore(store), withSetup(func(s *Setup) {
				s.SMTP.BareLF = policy
				s.Limits.MaxConns = 200
			}))
			type job struct {
				variant, seq string
				cut          int
			}
			jobs := make(chan job)
			var mu sync.Mutex
			var failures []string
			sessions := map[string]int{}
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := range jobs {
						payload := smugglePayload(j.variant, j.seq)
						lines, closed, err := smuggleSession(l.addr("smtp", false), payload, j.cut)
						want := smuggleWant(policy, j.variant, j.seq)
						got := codesOf(lines)
						mu.Lock()
						sessions[j.variant]++
						if err != nil || got != want || !closed {
							failures = append(failures, fmt.Sprintf("%s cut at %d: replies %q (closed=%v, err=%v), want %s", j.variant, j.cut, lines, closed, err, want))
						}
						mu.Unlock()
					}
				}()
			}
			total := 0
			for _, v := range smuggleVariants {
				n := len(smugglePayload(v.name, v.seq))
				for cut := 1; cut < n; cut++ {
					jobs <- job{v.name, v.seq, cut}
					total++
				}
			}
			close(jobs)
			wg.Wait()
			for i, f := range failures {
				if i == 10 {
					t.Errorf("… and %d more", len(failures)-10)
					break
				}
				t.Error(f)
			}
			checkSmuggledStore(t, store, policy, sessions)
			t.Logf("%s: %d sessions, %d variants, every cut position", policy, total, len(smuggleVariants))
		})
	}
}

// smuggleWant is the reply codes after 354, joined: the fake variants end
// no data, so the first reply is the verdict on the whole payload at its
// real end (or the refusal of a bare CR/LF under reject, which closes).
func smuggleWant(policy, variant, seq string) string {
	switch {
	case variant == "real-end":
		return "250 250 250 354 250 221"
	case policy == "reject" && strings.Trim(seq, "\x00.") != "\r\n" && !strings.HasPrefix(variant, "null"):
		return "550"
	}
	return "250 221"
}

func codesOf(lines []string) string {
	var cs []string
	for _, l := range lines {
		cs = append(cs, l[:min(3, len(l))])
	}
	return strings.Join(cs, " ")
}

// checkSmuggledStore checks what was delivered: for every fake variant,
// alice got one message per session (none under reject, unless the variant
// has no bare CR or LF), all identical whatever the cut, holding the
// smuggled commands as text; bob got only the real-end variant's second
// message.
func checkSmuggledStore(t *testing.T, store *mailstore.Memory, policy string, sessions map[string]int) {
	t.Helper()
	byVariant := func(user string) map[string][]string {
		out := map[string][]string{}
		md, err := store.Open(user)
		if err != nil {
			t.Fatal(err)
		}
		defer md.Release()
		for _, e := range md.List() {
			b, err := md.Read(e.UID)
			if err != nil {
				t.Fatal(err)
			}
			text := body(t, string(b))
			f := strings.Fields(strings.SplitN(text, "\n", 2)[0]) // "Subject: smuggle lflf"
			out[f[len(f)-1]] = append(out[f[len(f)-1]], text)
		}
		return out
	}
	alice, bob := byVariant("alice"), byVariant("bob")
	for _, v := range smuggleVariants {
		want := sessions[v.name]
		if strings.TrimSpace(smuggleWant(policy, v.name, v.seq)) == "550" {
			want = 0
		}
		msgs := alice[v.name]
		if len(msgs) != want {
			t.Errorf("%s: alice has %d messages from %d sessions, want %d", v.name, len(msgs), sessions[v.name], want)
			continue
		}
		for _, m := range msgs {
			if m != msgs[0] {
				t.Errorf("%s: the stored message depends on where TCP cut the data:\n%q\n%q", v.name, m, msgs[0])
				break
			}
		}
		if v.name == "real-end" {
			if len(bob[v.name]) != want || (want > 0 && !strings.Contains(bob[v.name][0], "evil")) {
				t.Errorf("real-end: bob has %d messages, want %d", len(bob[v.name]), want)
			}
			continue
		}
		if len(bob[v.name]) != 0 {
			t.Errorf("%s: the smuggled message reached bob: %q", v.name, bob[v.name][0])
		}
		if want > 0 && !strings.Contains(msgs[0], "MAIL FROM:<ceo@bank.example>") {
			t.Errorf("%s: the smuggled commands are not in the message text: %q", v.name, msgs[0])
		}
	}
}

// The same attack sent whole in one write (envelope included, pipelined)
// and one octet per write.
func TestSmugglingOneWriteAndBytewise(t *testing.T) {
	t.Parallel()
	store := mailstore.NewMemory()
	l := testServer(t, withMemoryStore(store), withSetup(func(s *Setup) { s.SMTP = smtpConfigWith(s.SMTP, "normalize") }))
	for _, v := range smuggleVariants[:len(smuggleVariants)-1] {
		for _, bytewise := range []bool{false, true} {
			nc, err := net.Dial("tcp", l.addr("smtp", false))
			if err != nil {
				t.Fatal(err)
			}
			all := "EHLO a.example\r\nMAIL FROM:<attacker@example.org>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n" + smugglePayload(v.name, v.seq)
			if bytewise {
				for i := range len(all) {
					nc.Write([]byte{all[i]})
				}
			} else {
				nc.Write([]byte(all))
			}
			out, _ := readUntilClosed(nc, 5*time.Second)
			nc.Close()
			if got := codesOf(func() []string { _, l := codes(out); return l }()); got != "220 250 250 250 354 250 221" {
				t.Errorf("%s (bytewise %v): %s", v.name, bytewise, got)
			}
		}
	}
	md, _ := store.Open("bob")
	if n := len(md.List()); n != 0 {
		t.Errorf("bob got %d smuggled messages", n)
	}
	md.Release()
}

func smtpConfigWith(c smtp.Config, bareLF string) smtp.Config {
	c.BareLF = bareLF
	return c
}
