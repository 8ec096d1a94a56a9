package smtp

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// replyLine is what every line a server sends must look like (RFC 5321
// §4.2: Reply-code, then SP or "-"; codes 2xx–5xx only).
var replyLine = regexp.MustCompile(`^[2-5][0-9][0-9][ -]`)

// fuzzConfig picks one of a few configurations from a byte, so the fuzzer
// explores the overlays too (auth required, tls required, bare_lf reject).
func fuzzConfig(mode byte) Config {
	cfg := srvConfig()
	if mode&1 != 0 {
		cfg.BareLF = "reject"
	}
	if mode&2 != 0 {
		cfg.Auth = "required"
	}
	if mode&4 != 0 {
		cfg.TLS = "required"
	}
	if mode&8 != 0 {
		cfg.VRFY = true
	}
	if mode&16 != 0 {
		cfg.MaxErrors = 3
	}
	return cfg
}

// FuzzServerCommands feeds arbitrary bytes, cut in two writes at an
// arbitrary point, to a server in one of several configurations, and checks
// that it never panics, that every line it sends is a well-formed reply
// line of at most 512 octets (RFC 5321 §4.2, §4.5.3.1.5) in printable ASCII,
// and that once it has closed the connection it sends nothing more.
func FuzzServerCommands(f *testing.F) {
	for i, b := range transcriptSeeds(f) {
		f.Add(b, uint16(len(b)/2), byte(i))
	}
	f.Add([]byte("EHLO x\r\nSTARTTLS\r\nMAIL FROM:<a@x>\r\n"), uint16(12), byte(4))
	f.Add([]byte("EHLO x\r\nAUTH LOGIN\r\nYWxpY2U=\r\n*\r\nBDAT 3 LAST\r\nabc"), uint16(30), byte(3))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16, mode byte) {
		cfg := fuzzConfig(mode)
		s := NewServer(cfg)
		closed := false
		check := func(evs []machine.Event) {
			for _, e := range evs {
				if e.Sends() {
					if closed {
						t.Fatalf("sent %q after the connection was closed", e.Step.Text)
					}
					l := e.Step.Text
					if !replyLine.MatchString(l) {
						t.Fatalf("not a reply line: %q", l)
					}
					if len(l)+2 > 512 {
						t.Fatalf("reply line of %d octets", len(l)+2)
					}
					for i := 0; i < len(l); i++ {
						if c := l[i]; c != '\t' && (c < 32 || c > 126) {
							t.Fatalf("reply %q holds octet %#x", l, c)
						}
					}
				}
				if e.Action == machine.CloseConn {
					closed = true
				}
			}
			if closed != (s.State() == StateClosed) {
				t.Fatalf("closed %v but state %s", closed, s.State())
			}
		}
		check(s.Start(srvNow))
		k := int(cut)
		if k > len(data) {
			k = len(data)
		}
		check(s.Feed(srvNow, data[:k]))
		if s.State() == StateTLS {
			check(s.TLSReady(srvNow))
		}
		check(s.Feed(srvNow, data[k:]))
		check(s.Timeout(srvNow))
		check(s.Feed(srvNow, []byte("NOOP\r\n")))
		check(s.Lost(srvNow))
	})
}

// transcriptSeeds returns the client bytes of every golden transcript, as
// fuzz seeds.
func transcriptSeeds(tb testing.TB) [][]byte {
	files, _ := filepath.Glob("testdata/server_*.txt")
	var out [][]byte
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		for _, fl := range ar.Files {
			if fl.Name == "dialogue" {
				var b []byte
				for _, w := range transcriptWrites(tb, string(fl.Data)) {
					b = append(b, w.data...)
				}
				out = append(out, b)
			}
		}
	}
	return out
}

// FuzzDataReader sends arbitrary message text after DATA, then CR LF "." CR
// LF, and checks the server against a plain reading of RFC 5321 §4.1.1.4:
// the data ends at the first CR LF "." CR LF whose first CR LF is a real one
// (the CR LF of the DATA line counts), nowhere else.
//   - Nothing inside the data is ever taken as a command.
//   - What is stored is exactly the lines up to that point, un-stuffed
//     (§4.5.2), with LF line ends and stray CRs as spaces; a line that came
//     after a lone LF, CR or NUL "terminator" is in the message, not run.
//   - It is stored only if it fits max_message_bytes (counted with CR LF,
//     RFC 1870 §3) and has no line over 1000 octets (§4.5.3.1.6); with
//     bare_lf: reject a lone CR or LF refuses it and closes.
func FuzzDataReader(f *testing.F) {
	for _, v := range smugglingVectors {
		f.Add([]byte("Subject: x\r\n\r\nhello"+v.seq+smugglingPayload), false, uint16(20))
		f.Add([]byte("Subject: x\r\n\r\nhello"+v.seq+smugglingPayload), true, uint16(7))
	}
	f.Add([]byte(".\r\n"), false, uint16(1))
	f.Add([]byte("..\r\n...\r\n.x\r\n"), false, uint16(0))
	f.Add([]byte(strings.Repeat("y", 999)+"\r\n"), false, uint16(999))
	f.Add([]byte(strings.Repeat("y", 1200)+"\r"), true, uint16(1000))
	f.Fuzz(func(t *testing.T, content []byte, reject bool, cut uint16) {
		cfg := srvConfig()
		cfg.MaxMessageBytes = 2000
		if reject {
			cfg.BareLF = "reject"
		}
		r := newSrvRun(cfg)
		r.feed("EHLO c.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
		if r.s.State() != StateData {
			t.Fatalf("state %s after DATA", r.s.State())
		}
		start := len(r.events)
		stream := string(content) + "\r\n.\r\n"
		k := int(cut)
		if k > len(stream) {
			k = len(stream)
		}
		r.feed(stream[:k])
		r.feed(stream[k:])

		// The oracle.
		tt := "\r\n" + stream
		end := strings.Index(tt, "\r\n.\r\n")
		region := tt[2 : end+2] // the message with its CR LF line ends
		if end == 0 {
			region = ""
		}
		var lines []string
		bare, long := false, false
		var size int64
		for len(region) > 0 {
			i := strings.IndexByte(region, '\n')
			l := region[:i]
			region = region[i+1:]
			if strings.HasSuffix(l, "\r") {
				l = l[:len(l)-1]
			} else {
				bare = true
			}
			if strings.Contains(l, "\r") {
				bare = true
			}
			if len(l) > 1 && l[0] == '.' {
				l = l[1:]
			}
			l = strings.ReplaceAll(l, "\r", " ")
			if len(l)+2 > 1000 {
				long = true
			}
			size += int64(len(l)) + 2
			lines = append(lines, l)
		}

		// Nothing between the 354 and the verdict is a command.
		for _, e := range r.events[start:] {
			if e.Sends() && e.Step.Kind == trace.Reply {
				break
			}
			if e.Received && e.Step.Kind == trace.Command {
				t.Fatalf("%q taken as a command inside the data", e.Step.Text)
			}
		}
		var verdict string
		for _, st := range replies(r.events[start:]) {
			verdict = st.Text
			break
		}
		switch {
		case reject && bare && long && strings.HasPrefix(verdict, "552 "):
			// A stray CR in the part of an over-long line that the server
			// never keeps goes unseen; the line's length refuses the
			// message all the same, and nothing is stored.
			if len(r.stored) != 0 {
				t.Fatalf("a refused message was stored")
			}
			return
		case reject && bare:
			if len(r.stored) != 0 || r.s.State() != StateClosed || !strings.HasPrefix(verdict, "550 5.5.2 Error: bare <") {
				t.Fatalf("bare line end under reject: verdict %q, state %s, %d stored", verdict, r.s.State(), len(r.stored))
			}
			return
		case size > cfg.MaxMessageBytes || long:
			if verdict != "552 5.3.4 Message size exceeds fixed limit" && verdict != "552 5.3.4 Error: message line longer than 1000 octets" {
				t.Fatalf("size %d, long %v: verdict %q", size, long, verdict)
			}
			if len(r.stored) != 0 {
				t.Fatalf("a refused message was stored")
			}
			return
		}
		if !strings.HasPrefix(verdict, "250 2.0.0 Ok: queued as ") || len(r.stored) == 0 {
			t.Fatalf("verdict %q, %d stored", verdict, len(r.stored))
		}
		m := r.stored[0]
		body := string(m.Data)
		const dateEnd = " +0000\n"
		body = body[strings.Index(body, dateEnd)+len(dateEnd):]
		var want bytes.Buffer
		for _, l := range lines {
			want.WriteString(l + "\n")
		}
		if body != want.String() {
			t.Fatalf("stored text differs\n--- got\n%q\n--- want\n%q", body, want.String())
		}
		if m.Size != size || m.Size > cfg.MaxMessageBytes || int64(len(body)) > cfg.MaxMessageBytes {
			t.Fatalf("size %d (body %d octets), want %d within %d", m.Size, len(body), size, cfg.MaxMessageBytes)
		}
	})
}
