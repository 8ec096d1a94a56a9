//go:build !js

package native

import (
	"slices"
	"strings"
	"testing"
	"time"

	"maillab/sim/trace"
)

// add appends a step to a session and publishes it, as a batch of one
// (sessions hand the hub batches: addBatch).
func (h *Hub) add(r *record, st trace.Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h.addLocked(r, &st)
}

// log appends a line of the server's mail log and publishes it.
func (h *Hub) log(r *record, l trace.LogLine) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h.logLocked(r, l)
}

func hubSession(h *Hub) *record {
	return h.begin(Info{Proto: "smtp", Client: "127.0.0.1:1", Server: "mail.example.com", Start: time.Now()}, trace.Step{Kind: trace.Connect})
}

// The hub keeps every live session and the last keep ended ones.
func TestHubKeepsRecentSessions(t *testing.T) {
	t.Parallel()
	h := NewHub(2)
	live := hubSession(h)
	for range 5 {
		h.end(hubSession(h), trace.Step{Kind: trace.Close}, time.Now())
	}
	var ids []int
	for _, s := range h.Sessions() {
		ids = append(ids, s.ID)
	}
	if len(ids) != 3 || ids[0] != live.info.ID || ids[1] != 5 || ids[2] != 6 {
		t.Errorf("sessions %v, want [1 5 6]", ids)
	}
	if _, ok := h.Trace(2); ok {
		t.Error("session 2 should be forgotten")
	}
	if tr, ok := h.Trace(6); !ok || len(tr.Steps) != 2 || tr.Steps[0].Conn != 6 {
		t.Errorf("trace 6: %+v", tr)
	}
}

// A subscriber that does not read is dropped; the sessions go on and the
// others still get everything.
func TestHubDropsSlowSubscriber(t *testing.T) {
	t.Parallel()
	h := NewHub(0)
	slow := h.Subscribe(2)
	fast := h.Subscribe(100)
	r := hubSession(h)
	done := make(chan struct{})
	go func() {
		for range 20 {
			h.add(r, trace.Step{Kind: trace.Command, Text: "NOOP"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a slow subscriber stalled the session")
	}
	if !slow.Dropped() {
		t.Error("the slow subscriber was not dropped")
	}
	n := 0
	for range slow.C { // buffered updates, then closed
		n++
	}
	if n != 2 {
		t.Errorf("the slow subscriber got %d updates before the close, want 2", n)
	}
	if len(fast.C) != 21 {
		t.Errorf("the fast subscriber has %d updates, want 21", len(fast.C))
	}
	fast.Close()
	fast.Close()
}

// A long session keeps its first steps only.
func TestHubBoundsSteps(t *testing.T) {
	t.Parallel()
	h := NewHub(0)
	h.maxSteps = 10
	r := hubSession(h)
	for range 30 {
		h.add(r, trace.Step{Kind: trace.Data, Text: "x"})
	}
	for range 30 {
		h.add(r, trace.Step{Kind: trace.Reply, Text: "250 Ok"})
	}
	info := h.Sessions()[0]
	if info.Steps != 20 || info.Drops == 0 {
		t.Errorf("steps %d, dropped %d", info.Steps, info.Drops)
	}
}

// A session of long lines keeps a bounded amount of text, and its Close
// step whatever was dropped.
func TestHubBoundsBytes(t *testing.T) {
	t.Parallel()
	h := NewHub(0)
	h.maxBytes = 10000 + 100*stepSize
	r := hubSession(h)
	line := strings.Repeat("x", 998)
	for range 100 {
		h.add(r, trace.Step{Kind: trace.Data, Text: line})
	}
	for range 100 {
		h.add(r, trace.Step{Kind: trace.Command, Text: "AUTH " + line})
	}
	for range 2 * DefaultMaxSteps {
		h.log(r, trace.LogLine{Text: "log"})
	}
	h.end(r, trace.Step{Kind: trace.Close, Text: "closed"}, time.Now())
	tr, _ := h.Trace(h.Sessions()[0].ID)
	size := 0
	for _, st := range tr.Steps {
		size += len(st.Text)
	}
	if size > 2*h.maxBytes || tr.Steps[len(tr.Steps)-1].Kind != trace.Close {
		t.Errorf("%d octets of text kept, last step %v", size, tr.Steps[len(tr.Steps)-1].Kind)
	}
	if len(tr.Log) != DefaultMaxSteps {
		t.Errorf("%d log lines kept, want %d", len(tr.Log), DefaultMaxSteps)
	}
}

// Once the hub keeps no more text of a session, the session only counts
// its lines; the counts and the one note come out the same.
func TestHubSkipsTextOnceFull(t *testing.T) {
	t.Parallel()
	h := NewHub(0)
	h.maxSteps = 100
	ss := &session{hub: h, proto: "pop3", rec: hubSession(h), out: &batch{}, start: time.Now()}
	for i := range 1000 {
		ss.step(trace.Step{Kind: trace.Data, ByServer: true, Text: "line"})
		if i%10 == 9 {
			ss.publish()
		}
	}
	ss.step(trace.Step{Kind: trace.Reply, Text: "+OK"})
	ss.publish()
	info := h.Sessions()[0]
	tr, _ := h.Trace(info.ID)
	notes := strings.Count(tr.Transcript(), "the lab keeps the first steps")
	data := 0
	for _, st := range tr.Steps {
		if st.Kind == trace.Data {
			data++
		}
	}
	if data+info.Drops != 1000 || notes != 1 || tr.Steps[len(tr.Steps)-1].Text != "+OK" {
		t.Errorf("%d lines kept + %d dropped, %d notes, last %q", data, info.Drops, notes, tr.Steps[len(tr.Steps)-1].Text)
	}
}

// Each line of a real session's mail log says how many steps came before
// it (LogLine.Step), so the page cuts the log at its cursor: the delivery
// line follows the store step, the disconnect line follows QUIT.
func TestHubLogLinesKnowTheirStep(t *testing.T) {
	t.Parallel()
	l, c := testServerEhlo(t)
	sendRaw(t, c, "alice@example.com", "bob@example.com", "Subject: step\r\n\r\nhi\r\n")
	cmd(t, c, "QUIT")
	expectCode(t, c, 221)
	c.Close()
	l.waitIdle(t)
	sessions := l.Hub.Sessions()
	tr, ok := l.Hub.Trace(sessions[len(sessions)-1].ID)
	if !ok || len(tr.Log) == 0 {
		t.Fatalf("no trace or no log: %+v", tr)
	}
	prev := 0
	var sent, disconnect bool
	for _, line := range tr.Log {
		if line.Step < prev || line.Step < 1 || line.Step > len(tr.Steps) {
			t.Fatalf("log line %q at step %d (previous %d, %d steps)", line.Text, line.Step, prev, len(tr.Steps))
		}
		prev = line.Step
		before := tr.Steps[line.Step-1]
		switch {
		case strings.Contains(line.Text, "status=sent"):
			sent = true
			if before.Kind != trace.Store {
				t.Errorf("the delivery line follows %s %q, want the store step", before.Kind, before.Text)
			}
		case strings.Contains(line.Text, "disconnect from"):
			disconnect = true
			quit := slices.IndexFunc(tr.Steps, func(s trace.Step) bool { return s.Verb == "QUIT" && s.Kind == trace.Command })
			if quit < 0 || line.Step-1 < quit {
				t.Errorf("the disconnect line comes at step %d, before QUIT (%d)", line.Step, quit)
			}
		}
	}
	if !sent || !disconnect {
		t.Errorf("log without the delivery or the disconnect line: %+v", tr.Log)
	}
}
