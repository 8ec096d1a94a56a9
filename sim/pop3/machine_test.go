package pop3

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"maillab/sim/fault"
	"maillab/sim/mailstore"
	"maillab/sim/wire"
)

// Every verb with a handler has a row in the table, and every verb in the
// table has a handler: the table is the whole truth about what is valid.
func TestServerTableMatchesHandlers(t *testing.T) {
	inTable := map[string]bool{}
	for _, tr := range ServerTable() {
		if tr.RFC == "" || tr.To == "" {
			t.Errorf("row without RFC or target: %+v", tr)
		}
		if !strings.HasPrefix(tr.Command, "(") {
			inTable[tr.Command] = true
		}
	}
	for verb := range handlers {
		if !inTable[verb] {
			t.Errorf("%s has a handler but no row in the state table", verb)
		}
	}
	for verb := range inTable {
		if handlers[verb] == nil {
			t.Errorf("%s is in the state table but has no handler", verb)
		}
	}
}

func TestClientTables(t *testing.T) {
	for _, p := range Profiles() {
		if len(ClientTable(p)) <= len(clientCommon) {
			t.Errorf("profile %s has no rows of its own", p)
		}
	}
	if ClientTable("thunderbird") != nil {
		t.Error("unknown profile has a table")
	}
	if _, err := NewClient("thunderbird", Job{}); err == nil {
		t.Error("NewClient accepted an unknown profile")
	}
	if _, err := NewClient(ProfilePoplib, Job{STLS: "maybe"}); err == nil {
		t.Error("NewClient accepted stls: maybe")
	}
}

// wireSize must count exactly what RETR sends: the lines of
// wire.SplitLines, each with CRLF (RFC 1939 §11).
func TestWireSize(t *testing.T) {
	for _, msg := range []string{
		"", "a", "a\n", "a\r\n", "a\rb", "a\n\nb", ".\n..\n", "x\r\n\r\n", "no final newline", "\n", "\r", "\r\r\n",
	} {
		want := int64(len(wire.JoinCRLF(wire.SplitLines(msg))))
		if got := wireSize([]byte(msg)); got != want {
			t.Errorf("wireSize(%q) = %d, want %d", msg, got, want)
		}
	}
}

func TestStatusOf(t *testing.T) {
	for _, c := range []struct{ line, status, code string }{
		{"+OK", "+OK", ""},
		{"+OK 2 320", "+OK", ""},
		{"-ERR [IN-USE] locked", "-ERR", "IN-USE"},
		{"-ERR [SYS/TEMP] later", "-ERR", "SYS/TEMP"},
		{"-ERR [unterminated", "-ERR", ""},
		{"+ ", "+", ""},
		{"hello", "", ""},
	} {
		status, code := statusOf(c.line)
		if status != c.status || code != c.code {
			t.Errorf("statusOf(%q) = %q, %q; want %q, %q", c.line, status, code, c.status, c.code)
		}
	}
}

// The client's download is the stored message, byte for byte, and its size
// is the size LIST gave: what RFC 1939 §11 asks of the server.
func TestRetrievedIsTheStoredMessage(t *testing.T) {
	store := mailstore.NewMemory()
	msgs := []string{
		"Subject: dots\n\n.\n..\n.x\nend\n",
		"Subject: big\n\n" + strings.Repeat("0123456789abcdef\n", 500),
	}
	for _, m := range msgs {
		if _, err := store.Deliver("bob", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, profile := range Profiles() {
		cfg := Config{Hostname: "pop.example.test", Users: map[string]string{"bob": "secret"}, Store: store}
		p := newPump(t, profile, cfg, Job{User: "bob", Password: "secret"})
		p.run()
		if err := p.cli.Err(); err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		got := p.cli.Retrieved()
		if len(got) != len(msgs) {
			t.Fatalf("%s: retrieved %d messages, want %d", profile, len(got), len(msgs))
		}
		for i, r := range got {
			if !bytes.Equal(r.Message, []byte(msgs[i])) {
				t.Errorf("%s: message %d differs:\n%q\nwant\n%q", profile, i+1, r.Message, msgs[i])
			}
			if want := wireSize([]byte(msgs[i])); r.Size != want {
				t.Errorf("%s: message %d size %d, want %d", profile, i+1, r.Size, want)
			}
		}
		if !strings.Contains(strings.Join(p.out, "\n"), "S: +OK "+itoa64(wireSize([]byte(msgs[1])))+" octets") {
			t.Errorf("%s: RETR did not announce the LIST size", profile)
		}
	}
}

func TestClientErrors(t *testing.T) {
	store := mailstore.NewMemory()
	cfg := Config{Hostname: "pop.example.test", Users: map[string]string{"bob": "secret"}, Store: store}
	p := newPump(t, ProfilePoplib, cfg, Job{User: "bob", Password: "nope"})
	p.run()
	var perr *Error
	if !errors.As(p.cli.Err(), &perr) || perr.Command != "PASS" || perr.RespCode() != "AUTH" {
		t.Errorf("bad password: err = %v, want *Error for PASS with [AUTH]", p.cli.Err())
	}

	// A server that does not speak POP3 is a protocol error, not a refusal.
	c, _ := NewClient(ProfileCurl, Job{User: "bob", Password: "secret"})
	c.Feed(start, []byte("220 mail.example.com ESMTP\r\n"))
	var proto *ProtocolError
	if !errors.As(c.Err(), &proto) || !c.Done() {
		t.Errorf("SMTP greeting: err = %v, done = %v; want a ProtocolError", c.Err(), c.Done())
	}

	// poplib refuses response lines over 2048 octets.
	c, _ = NewClient(ProfilePoplib, Job{User: "bob", Password: "secret"})
	c.Feed(start, []byte("+OK "+strings.Repeat("x", 3000)+"\r\n"))
	if !errors.As(c.Err(), &proto) || proto.Reason != "line too long" {
		t.Errorf("long line: err = %v, want line too long", c.Err())
	}
}

// A server must not remove anything when the session did not QUIT, however
// it ended, and must release the lock (RFC 1939 §6).
func TestNoRemovalWithoutQuit(t *testing.T) {
	for _, end := range []string{"lost", "timeout"} {
		store := mailstore.NewMemory()
		store.Deliver("bob", []byte("Subject: x\n\nbody\n"))
		s := NewServer(Config{Hostname: "h", Users: map[string]string{"bob": "secret"}, Store: store})
		s.Start(start)
		s.Feed(start, []byte("USER bob\r\nPASS secret\r\nDELE 1\r\n"))
		if end == "lost" {
			s.Lost(start)
		} else {
			s.Timeout(start)
		}
		if n := len(store.Messages("bob")); n != 1 {
			t.Errorf("%s: %d messages left, want 1", end, n)
		}
		md, err := store.Open("bob")
		if err != nil {
			t.Errorf("%s: lock not released: %v", end, err)
		} else {
			md.Release()
		}
		if s.State() != Closed {
			t.Errorf("%s: state %s, want CLOSED", end, s.State())
		}
	}
}

// A fault marks the events of its own line, not those of the lines
// pipelined after it.
func TestFaultMarksOnlyItsLine(t *testing.T) {
	inj, err := fault.New([]fault.Rule{{When: "NOOP", Then: "-ERR [SYS/TEMP] busy", Protocol: "pop3"}})
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Config{Hostname: "h", Users: map[string]string{"bob": "secret"}, Faults: inj})
	s.Start(start)
	evs := s.Feed(start, []byte("USER bob\r\nNOOP\r\nUSER bob\r\n"))
	var marked []string
	for _, e := range evs {
		if e.Step.Fault != "" {
			marked = append(marked, e.Step.Text)
		}
	}
	if strings.Join(marked, "|") != "NOOP|-ERR [SYS/TEMP] busy" {
		t.Errorf("events marked with the fault: %q", marked)
	}
}
