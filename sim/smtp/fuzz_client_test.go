package smtp

import (
	"strings"
	"testing"
	"time"

	"maillab/sim/machine"
)

// FuzzClientReplies plays a hostile or broken server against every client
// profile (maillab send talks to real servers): arbitrary bytes as replies,
// cut into chunks of arbitrary size, then the connection lost. A client
// must not panic, must never send a line with a CR or LF inside (a reply
// must not inject commands), and must end with a verdict for every
// recipient.
func FuzzClientReplies(f *testing.F) {
	for _, seed := range []string{
		"220 mx ESMTP\r\n250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n220 go\r\n250 ok\r\n235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n",
		"220 mx\r\n250 mx\r\n250 ok\r\n550 5.1.1 no\r\n451 4.7.1 later\r\n354 go\r\n250 ok\r\n",
		"220-mx\r\n220 mx\r\n502 no\r\n250 mx\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n535 5.7.8 no\r\n421 4.3.2 bye\r\n",
		"\r\n\x00\xff\n999 x\r\n2\r\n250\r\n354\n",
	} {
		f.Add([]byte(seed), byte(5))
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, input []byte, chunk byte) {
		for _, profile := range strings.Split(ProfileNames(), ", ") {
			c, err := NewClient(profile, Session{User: "alice", Password: "secret",
				Messages: []Envelope{{ID: 1, From: "alice@example.com", To: []string{"bob@example.org", "carol@example.org"}, Message: []byte("Subject: x\n\nhi\n.\n")}}})
			if err != nil {
				t.Fatal(err)
			}
			check := func(evs []machine.Event) {
				for i := 0; i < len(evs); i++ { // TLSReady's events are checked too
					e := evs[i]
					if e.Sends() && strings.ContainsAny(e.Step.Text, "\r\n") {
						t.Fatalf("%s sends a line with CR or LF inside: %q", profile, e.Step.Text)
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
			for _, r := range c.Results() {
				if r.Outcome == "" {
					t.Fatalf("%s: no verdict for %s after the connection was lost", profile, r.Rcpt)
				}
			}
		}
	})
}
