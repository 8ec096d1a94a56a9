package pop3

import (
	"strings"
	"testing"

	"maillab/sim/machine"
	"maillab/sim/mailstore"
	"maillab/sim/trace"
)

// FuzzServerCommands feeds arbitrary bytes to a server, cut into chunks of
// arbitrary size. The server must not panic; every status line must start
// with +OK, -ERR or "+"; and nothing may leave the maildrop unless the
// session went TRANSACTION → UPDATE, at most once, removing at most the
// messages it had (RFC 1939 §6). A lost connection afterwards removes
// nothing more.
func FuzzServerCommands(f *testing.F) {
	for _, seed := range []string{
		"USER bob\r\nPASS secret\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n",
		"USER bob\r\nPASS secret\r\nDELE 1\r\nDELE 2\r\nRSET\r\nDELE 2\r\n",
		"AUTH PLAIN\r\nAGJvYgBzZWNyZXQ=\r\nTOP 2 1\r\nUIDL\r\nQUIT\r\n",
		"AUTH PLAIN\r\n*\r\nAUTH PLAIN =\r\nCAPA\r\nSTLS\r\nUSER bob\r\n",
		"UTF8\r\nUSER bob\nPASS secret\nLIST 99999999999\nTOP 1 -1\nquit\n",
		"\r\n\r\n\x00\xff\r\nUSER " + strings.Repeat("x", 400) + "\r\nAPOP bob 00\r\n",
	} {
		f.Add([]byte(seed), byte(7))
	}
	f.Fuzz(func(t *testing.T, input []byte, chunk byte) {
		store := mailstore.NewMemory()
		store.Deliver("bob", []byte("Subject: one\n\n.\n..x\n"))
		store.Deliver("bob", []byte("Subject: two\n\nline\n"))
		s := NewServer(Config{Hostname: "pop.example.test", Users: map[string]string{"bob": "secret"},
			TLS: TLSOptional, APOP: true, Store: store})
		updates := 0
		check := func(evs []machine.Event) {
			for _, e := range evs {
				st := e.Step
				if st.Kind == trace.Reply && !e.Received {
					if !strings.HasPrefix(st.Text, "+OK") && !strings.HasPrefix(st.Text, "-ERR") && !strings.HasPrefix(st.Text, "+") {
						t.Fatalf("reply %q starts with neither +OK, -ERR nor +", st.Text)
					}
				}
				if st.Kind == trace.State && st.Text == "server: "+Transaction+" → "+Update {
					updates++
				}
			}
			n := len(store.Messages("bob"))
			if updates == 0 && n != 2 {
				t.Fatalf("%d messages left without QUIT", n)
			}
			if updates > 1 {
				t.Fatalf("UPDATE entered %d times", updates)
			}
		}
		check(s.Start(start))
		size := int(chunk%32) + 1
		for len(input) > 0 {
			n := min(size, len(input))
			check(s.Feed(start, input[:n]))
			input = input[n:]
			if s.State() == TLSHandshake {
				check(s.TLSReady(start))
			}
		}
		before := len(store.Messages("bob"))
		check(s.Lost(start))
		if after := len(store.Messages("bob")); after != before {
			t.Fatalf("Lost removed messages: %d → %d", before, after)
		}
		if md, err := store.Open("bob"); err != nil {
			t.Fatalf("lock not released after the session: %v", err)
		} else {
			md.Release()
		}
	})
}

// BenchmarkSession is one whole download-and-delete session: login, STAT,
// RETR of a 10 KB message, DELE, QUIT.
func BenchmarkSession(b *testing.B) {
	msg := []byte("From: alice@example.com\nSubject: ten kilobytes\n\n" + strings.Repeat("The quick brown fox jumps over the lazy dog. 0123456789\n", 180))
	cmds := [][]byte{
		[]byte("USER bob\r\n"), []byte("PASS secret\r\n"), []byte("STAT\r\n"),
		[]byte("RETR 1\r\n"), []byte("DELE 1\r\n"), []byte("QUIT\r\n"),
	}
	store := mailstore.NewMemory()
	cfg := Config{Hostname: "pop.example.test", Users: map[string]string{"bob": "secret"}, Store: store}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		store.Deliver("bob", msg)
		b.StartTimer()
		s := NewServer(cfg)
		s.Start(start)
		for _, c := range cmds {
			s.Feed(start, c)
		}
		if s.State() != Closed {
			b.Fatalf("session ended in %s", s.State())
		}
	}
	if n := len(store.Messages("bob")); n != 0 {
		b.Fatalf("%d messages left", n)
	}
}
