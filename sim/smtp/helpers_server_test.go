package smtp

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"maillab/sim/machine"
	"maillab/sim/trace"
)

// srvNow is the fixed clock of the server tests (the transcripts use the same).
var srvNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// srvConfig is the configuration of the hand-written tests: the same users
// as the transcripts' default.
func srvConfig() Config {
	return Config{
		Hostname:      "mail.example.com",
		MyDestination: []string{"example.com"},
		Users:         map[string]string{"alice": "secret", "bob": "secret"},
	}
}

// srvRun drives one server machine directly, keeping every event it returned
// and every message it stored.
type srvRun struct {
	s      *Server
	events []machine.Event
	stored []*Message
}

func newSrvRun(cfg Config) *srvRun {
	r := &srvRun{}
	if cfg.Deliver == nil {
		cfg.Deliver = func(m *Message) error {
			r.stored = append(r.stored, m)
			return nil
		}
	}
	r.s = NewServer(cfg)
	r.events = append(r.events, r.s.Start(srvNow)...)
	return r
}

func (r *srvRun) feed(b string) []machine.Event {
	evs := r.s.Feed(srvNow, []byte(b))
	r.events = append(r.events, evs...)
	return evs
}

func (r *srvRun) do(directive string) []machine.Event {
	var evs []machine.Event
	switch directive {
	case "tls":
		evs = r.s.TLSReady(srvNow)
	case "timeout":
		evs = r.s.Timeout(srvNow)
	case "lost":
		evs = r.s.Lost(srvNow)
	}
	r.events = append(r.events, evs...)
	return evs
}

// sent returns the lines the server wrote, in order.
func sent(evs []machine.Event) []string {
	var out []string
	for _, e := range evs {
		if e.Sends() {
			out = append(out, e.Step.Text)
		}
	}
	return out
}

// replies returns the reply steps (one per line) among events.
func replies(evs []machine.Event) []trace.Step {
	var out []trace.Step
	for _, e := range evs {
		if e.Sends() && e.Step.Kind == trace.Reply {
			out = append(out, e.Step)
		}
	}
	return out
}

// srvWrite is one thing a transcript's client does: send bytes, or a
// directive (tls, timeout, lost).
type srvWrite struct {
	data      string
	directive string
}

// transcriptWrites turns a dialogue into the writes TestServerTranscripts
// makes: consecutive C: lines in one write, each C~ line on its own.
func transcriptWrites(t testing.TB, dialogue string) []srvWrite {
	t.Helper()
	var out []srvWrite
	var pending strings.Builder
	flush := func() {
		if pending.Len() > 0 {
			out = append(out, srvWrite{data: pending.String()})
			pending.Reset()
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(dialogue, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "C: "):
			pending.WriteString(l[3:] + "\r\n")
		case strings.HasPrefix(l, "C~ "):
			flush()
			raw, err := strconv.Unquote(l[3:])
			if err != nil {
				t.Fatalf("bad C~ line %q: %v", l, err)
			}
			out = append(out, srvWrite{data: raw})
		case strings.HasPrefix(l, "! "):
			flush()
			out = append(out, srvWrite{directive: strings.TrimSpace(l[2:])})
		default:
			flush()
		}
	}
	flush()
	return out
}

// srvTranscript is one golden file, parsed.
type srvTranscript struct {
	name   string
	cfg    Config
	writes []srvWrite
}

func loadTranscripts(t *testing.T) []srvTranscript {
	t.Helper()
	files, _ := filepath.Glob("testdata/server_*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata/server_*.txt files")
	}
	var out []srvTranscript
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		tr := srvTranscript{name: strings.TrimSuffix(filepath.Base(file), ".txt")}
		for _, f := range ar.Files {
			switch f.Name {
			case "config":
				tr.cfg = parseTestConfig(t, string(f.Data))
			case "dialogue":
				tr.writes = transcriptWrites(t, string(f.Data))
			}
		}
		out = append(out, tr)
	}
	return out
}

// play runs a transcript's client side against a fresh server.
func (tr srvTranscript) play() *srvRun {
	r := newSrvRun(tr.cfg)
	for _, w := range tr.writes {
		if w.directive != "" {
			r.do(w.directive)
		} else {
			r.feed(w.data)
		}
	}
	return r
}

// TestServerReplyFormat checks every reply line of every golden transcript
// against the rules for replies rather than against a recorded text:
//   - a reply line is a three-digit code 2xx–5xx whose second digit is 0–5,
//     then SP or "-", then printable US-ASCII text (RFC 5321 §4.2
//     Reply-code and textstring);
//   - it is at most 512 octets with its CR LF (RFC 5321 §4.5.3.1.5);
//   - all lines of one reply carry the same code, "-" on every line but the
//     last (RFC 5321 §4.2);
//   - every 2xx/4xx/5xx line but the greeting and the replies to HELO/EHLO
//     starts with an enhanced status code of the same class, the same on
//     every line of a multi-line reply; 3xx lines and HELO/EHLO replies
//     carry none (RFC 2034 §3(4), §4). A fault rule's reply is sent as the
//     rule wrote it, so only its class is checked.
func TestServerReplyFormat(t *testing.T) {
	for _, tr := range loadTranscripts(t) {
		t.Run(tr.name, func(t *testing.T) {
			r := tr.play()
			var prev *trace.Step
			for i, st := range replies(r.events) {
				checkReplyLine(t, st.Text)
				code := st.Text[:3]
				if prev != nil && prev.More && prev.Text[:3] != code {
					t.Errorf("multi-line reply changes code: %q after %q", st.Text, prev.Text)
				}
				if (st.Text[3] == '-') != st.More {
					t.Errorf("%q: separator and More disagree", st.Text)
				}
				class := st.Text[0]
				text := st.Text[4:]
				enh, _ := SplitEnhanced(int(class-'0')*100, text)
				switch {
				case st.Fault != "":
					if enh != "" && enh[0] != class {
						t.Errorf("fault reply %q: enhanced code class differs", st.Text)
					}
				case class == '3', st.ReplyTo == "GREETING", st.ReplyTo == "EHLO", st.ReplyTo == "HELO":
					if enh != "" || st.Enhanced != "" {
						t.Errorf("reply %d %q (to %s) must not carry an enhanced status code", i, st.Text, st.ReplyTo)
					}
				default:
					if enh == "" || enh != st.Enhanced {
						t.Errorf("reply %d %q (to %s) lacks its enhanced status code", i, st.Text, st.ReplyTo)
					}
					if prev != nil && prev.More && prev.Enhanced != st.Enhanced {
						t.Errorf("reply %q: enhanced code differs between lines", st.Text)
					}
				}
				s := st
				prev = &s
			}
		})
	}
}

// checkReplyLine applies the RFC 5321 §4.2 grammar and §4.5.3.1.5 length.
func checkReplyLine(t *testing.T, l string) {
	t.Helper()
	if len(l)+2 > 512 {
		t.Errorf("reply line of %d octets: %.40q…", len(l)+2, l)
	}
	if len(l) < 4 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '5' || l[2] < '0' || l[2] > '9' || (l[3] != ' ' && l[3] != '-') {
		t.Errorf("not a reply line: %q", l)
		return
	}
	for i := 4; i < len(l); i++ {
		if c := l[i]; c != '\t' && (c < 32 || c > 126) {
			t.Errorf("reply %q: octet %#x is not printable US-ASCII", l, c)
		}
	}
}
