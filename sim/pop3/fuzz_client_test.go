package pop3

import (
	"strings"
	"testing"
	"time"

	"maillab/sim/machine"
)

// FuzzClientReplies plays a hostile or broken server against every client
// profile (maillab fetch talks to real servers): arbitrary bytes as
// replies, in chunks of arbitrary size, then the connection lost. A client
// must not panic, must never send a line with a CR or LF inside, and must
// delete nothing it has not retrieved.
func FuzzClientReplies(f *testing.F) {
	for _, seed := range []string{
		"+OK ready\r\n+OK\r\n+OK logged in\r\n+OK 2 30\r\n+OK\r\n1 10\r\n2 20\r\n.\r\n+OK\r\nSubject: a\r\n\r\n..x\r\n.\r\n+OK\r\n+OK bye\r\n",
		"+OK ready <1.2@x>\r\n+OK\r\n+OK\r\n+OK 1 5\r\n+OK\r\n1 a\r\n.\r\n+OK\r\nhi\r\n.\r\n+OK deleted\r\n+OK\r\n",
		"+OK\r\n-ERR [IN-USE] locked\r\n-ERR [AUTH] no\r\n+OK\r\n+\r\n-ERR\r\n",
		"+OK\r\n+OK\r\n+OK\r\n+OK 99999999999 1\r\n+OK\r\n\x00\r\n.\r\n",
	} {
		f.Add([]byte(seed), byte(5))
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, input []byte, chunk byte) {
		for _, profile := range Profiles() {
			c, err := NewClient(profile, Job{User: "bob", Password: "secret", Delete: true, STLS: "optional"})
			if err != nil {
				t.Fatal(err)
			}
			deleted := 0
			check := func(evs []machine.Event) {
				for i := 0; i < len(evs); i++ { // TLSReady's events are checked too
					e := evs[i]
					if e.Sends() && strings.ContainsAny(e.Step.Text, "\r\n") {
						t.Fatalf("%s sends a line with CR or LF inside: %q", profile, e.Step.Text)
					}
					if e.Sends() && strings.HasPrefix(e.Step.Text, "DELE ") {
						deleted++
					}
					if e.Action == machine.StartTLS {
						evs = append(evs, c.TLSReady(start)...)
					}
				}
			}
			size := int(chunk%16) + 1
			for rest := input; len(rest) > 0 && !c.Done(); {
				n := min(size, len(rest))
				check(c.Feed(start, rest[:n]))
				rest = rest[n:]
			}
			check(c.Lost(start, false))
			if got := len(c.Retrieved()); deleted > got {
				t.Fatalf("%s: %d DELE sent for %d messages retrieved", profile, deleted, got)
			}
		}
	})
}
