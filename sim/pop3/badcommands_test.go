package pop3

import (
	"strings"
	"testing"
	"time"

	"maillab/sim/machine"
	"maillab/sim/mailstore"
)

// TestTooManyBadCommandsCloses: after MaxBadCommands refused commands the
// server says so and closes, without UPDATE, releasing the lock.
func TestTooManyBadCommandsCloses(t *testing.T) {
	store := mailstore.NewMemory()
	store.Deliver("bob", []byte("Subject: x\n\nx\n"))
	s := NewServer(Config{Hostname: "mx.example.org", Users: map[string]string{"bob": "secret"}, Store: store})
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s.Start(now)
	s.Feed(now, []byte("USER bob\r\nPASS secret\r\nDELE 1\r\n"))
	var last []machine.Event
	for i := 0; i < MaxBadCommands-1; i++ {
		last = s.Feed(now, []byte("XYZZY\r\n"))
		if s.State() == Closed {
			t.Fatalf("closed after %d bad commands, want %d", i+1, MaxBadCommands)
		}
	}
	last = s.Feed(now, []byte("XYZZY\r\n"))
	if s.State() != Closed {
		t.Fatalf("still %s after %d bad commands", s.State(), MaxBadCommands)
	}
	var sent []string
	closed := false
	for _, e := range last {
		if e.Sends() {
			sent = append(sent, e.Step.Text)
		}
		closed = closed || e.Action == machine.CloseConn
	}
	if !closed || sent[len(sent)-1] != "-ERR Too many bad commands." {
		t.Fatalf("last replies %q, closed %v", sent, closed)
	}
	md, err := store.Open("bob")
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	if n := len(md.List()); n != 1 {
		t.Errorf("%d messages left, want 1: the DELE must not take effect without QUIT", n)
	}
	md.Release()
	if strings.Contains(strings.Join(sent, "\n"), "Logging out") {
		t.Error("the server went through UPDATE")
	}
}
