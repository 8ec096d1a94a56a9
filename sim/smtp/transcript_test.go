package smtp

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"maillab/sim/fault"
	"maillab/sim/machine"
	"maillab/sim/trace"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/ with what the server says now")

// TestServerTranscripts replays every testdata/server_*.txt file against a
// fresh server. A file is a txtar archive: its comment says what it shows;
// "config" holds key: value lines (hostname, auth, tls, vrfy, bare_lf,
// users, max_message_bytes, max_recipients, fault); "dialogue" holds the
// exchange:
//
//	C: line         a line the client sends (consecutive C: lines are sent in one write: pipelining)
//	C~ "go string"  raw bytes, Go-quoted, sent as one write (smuggling tests, split reads)
//	S: line         a line the server must send
//	= STATE         the server's state at this point
//	# text          a note (the server's log lines and trace notes are not checked here)
//	! tls | timeout | lost   tell the server the TLS handshake finished / the client went silent / the connection dropped
//
// With -update the S: and = lines are rewritten from what the server said.
func TestServerTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/server_*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata/server_*.txt files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var cfg Config
			var dialogue []byte
			di := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "config":
					cfg = parseTestConfig(t, string(f.Data))
				case "dialogue":
					dialogue, di = f.Data, i
				}
			}
			if di < 0 {
				t.Fatal("no dialogue section")
			}
			got, stored := replay(t, cfg, string(dialogue))
			if *update {
				ar.Files[di].Data = []byte(got)
				for i, f := range ar.Files {
					if f.Name == "stored" {
						ar.Files[i].Data = []byte(stored)
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(dialogue) {
				t.Errorf("%s: transcript differs\n--- want\n%s\n--- got\n%s", file, dialogue, got)
			}
			for _, f := range ar.Files {
				if f.Name == "stored" && stored != string(f.Data) {
					t.Errorf("%s: stored message differs\n--- want\n%s\n--- got\n%s", file, f.Data, stored)
				}
			}
		})
	}
}

// replay runs a dialogue's client lines against a server and returns the
// dialogue as it really went, and the messages the server stored.
func replay(t *testing.T, cfg Config, dialogue string) (string, string) {
	var stored strings.Builder
	cfg.Deliver = func(m *Message) error {
		fmt.Fprintf(&stored, "from=<%s> to=%s\n%s", m.From, angleList(m.To), m.Data)
		return nil
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := NewServer(cfg)
	var out strings.Builder
	flush := func(evs []machine.Event) {
		for _, e := range evs {
			if e.Sends() {
				out.WriteString("S: " + e.Step.Text + "\n")
			}
		}
	}
	flush(s.Start(now))
	lines := strings.Split(strings.TrimSuffix(dialogue, "\n"), "\n")
	var pending []byte
	send := func() {
		if pending != nil {
			flush(s.Feed(now, pending))
			pending = nil
		}
	}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "C: "):
			pending = append(pending, l[3:]+"\r\n"...)
			out.WriteString(l + "\n")
		case strings.HasPrefix(l, "C~ "):
			send()
			raw, err := strconv.Unquote(l[3:])
			if err != nil {
				t.Fatalf("bad C~ line %q: %v", l, err)
			}
			pending = []byte(raw)
			out.WriteString(l + "\n")
			send()
		case strings.HasPrefix(l, "S:"), strings.HasPrefix(l, "= "):
			// expected output: regenerated below
		case strings.HasPrefix(l, "! "):
			send()
			out.WriteString(l + "\n")
			switch strings.TrimSpace(l[2:]) {
			case "tls":
				flush(s.TLSReady(now))
			case "timeout":
				flush(s.Timeout(now))
			case "lost":
				flush(s.Lost(now))
			default:
				t.Fatalf("unknown directive %q", l)
			}
		case strings.HasPrefix(l, "#"), l == "":
			send()
			out.WriteString(l + "\n")
		default:
			t.Fatalf("unknown line %q", l)
		}
		if strings.HasPrefix(l, "= ") || strings.HasPrefix(l, "S:") {
			send()
			// state lines are rewritten in place so a reader sees where they stood
			if strings.HasPrefix(l, "= ") {
				out.WriteString("= " + s.State() + "\n")
			}
		}
	}
	send()
	return out.String(), stored.String()
}

// parseTestConfig reads "key: value" lines.
func parseTestConfig(t *testing.T, text string) Config {
	var c Config
	var rules []fault.Rule
	for _, l := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "hostname":
			c.Hostname = v
		case "mydestination":
			c.MyDestination = strings.Fields(v)
		case "auth":
			c.Auth = v
		case "tls":
			c.TLS = v
		case "vrfy":
			c.VRFY = v == "on"
		case "bare_lf":
			c.BareLF = v
		case "users":
			c.Users = map[string]string{}
			for _, up := range strings.Fields(v) {
				u, p, _ := strings.Cut(up, "=")
				c.Users[u] = p
			}
		case "max_message_bytes":
			c.MaxMessageBytes, _ = strconv.ParseInt(v, 10, 64)
		case "max_recipients":
			c.MaxRecipients, _ = strconv.Atoi(v)
		case "max_errors":
			c.MaxErrors, _ = strconv.Atoi(v)
		case "auth_needs_tls":
			c.AuthNeedsTLS = v == "on"
		case "fault":
			when, then, _ := strings.Cut(v, " => ")
			rules = append(rules, fault.Rule{When: when, Then: then})
		default:
			t.Fatalf("unknown config key %q", k)
		}
	}
	if rules != nil {
		inj, err := fault.New(rules)
		if err != nil {
			t.Fatal(err)
		}
		c.Faults = inj
	}
	if c.Users == nil {
		c.Users = map[string]string{"alice": "secret", "bob": "secret"}
	}
	return c
}

var _ = trace.Reply
