package pop3

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"maillab/sim/fault"
	"maillab/sim/machine"
	"maillab/sim/mailstore"
	"maillab/sim/trace"
)

// This file sets up a test world from a txtar archive: the server's config,
// the maildrops and the fault rules, and renders events as transcript lines.
//
// Sections:
//
//	-- config --            key: value lines (all optional)
//	    hostname: pop.example.test
//	    users: alice=secret bob=secret
//	    apop: on
//	    tls: off | optional | required
//	    peer: 192.0.2.20
//	    maxline: 255
//	    fault: WHEN => THEN [| times=N] [| nth=N]
//	    locked: bob         (another session holds bob's maildrop)
//	-- maildrop/USER/NAME --  one message, delivered in file order (LF line ends)
//	-- script --            a server dialogue (see script_test.go)
//	-- client --            a client job (see pump_test.go); its output is
//	-- transcript --        compared with this section

// start is the virtual clock's zero in every test.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// world is what a test archive sets up.
type world struct {
	cfg   Config
	store *mailstore.Memory
}

func newWorld(t *testing.T, ar *txtar.Archive) *world {
	t.Helper()
	w := &world{store: mailstore.NewMemory()}
	w.cfg = Config{Hostname: "pop.example.test", Users: map[string]string{"bob": "secret", "alice": "secret"},
		Peer: "192.0.2.20", Store: w.store}
	var rules []fault.Rule
	for _, f := range ar.Files {
		switch {
		case f.Name == "config":
			for i, line := range strings.Split(string(f.Data), "\n") {
				if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
					continue
				}
				key, val, ok := strings.Cut(line, ":")
				if !ok {
					t.Fatalf("config:%d: want key: value, got %q", i+1, line)
				}
				val = strings.TrimSpace(val)
				switch key {
				case "hostname":
					w.cfg.Hostname = val
				case "users":
					w.cfg.Users = map[string]string{}
					for _, kv := range strings.Fields(val) {
						u, p, _ := strings.Cut(kv, "=")
						w.cfg.Users[u] = p
					}
				case "apop":
					w.cfg.APOP = val == "on"
				case "tls":
					w.cfg.TLS = val
				case "peer":
					w.cfg.Peer = val
				case "maxline":
					w.cfg.MaxLine, _ = strconv.Atoi(val)
				case "fault":
					rules = append(rules, parseRule(t, val))
				case "locked":
					// another session holds this maildrop for the whole test
					if _, err := w.store.Open(val); err != nil {
						t.Fatalf("config:%d: %v", i+1, err)
					}
				default:
					t.Fatalf("config:%d: unknown key %q", i+1, key)
				}
			}
		case strings.HasPrefix(f.Name, "maildrop/"):
			user, _, _ := strings.Cut(strings.TrimPrefix(f.Name, "maildrop/"), "/")
			if _, err := w.store.Deliver(user, f.Data); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	if rules != nil {
		inj, err := fault.New(rules)
		if err != nil {
			t.Fatalf("faults: %v", err)
		}
		w.cfg.Faults = inj
	}
	return w
}

// parseRule reads "WHEN => THEN [| times=N] [| nth=N]".
func parseRule(t *testing.T, s string) fault.Rule {
	parts := strings.Split(s, " | ")
	when, then, ok := strings.Cut(parts[0], " => ")
	if !ok {
		t.Fatalf("fault %q: want WHEN => THEN", s)
	}
	r := fault.Rule{When: when, Then: then, Protocol: "pop3"}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "times":
			r.Times = n
		case "nth":
			r.Nth = n
		}
	}
	return r
}

// maildropLine describes a user's maildrop as the store holds it now.
func (w *world) maildropLine(user string) string {
	msgs := w.store.Messages(user)
	var uids []string
	for _, m := range msgs {
		uids = append(uids, m.UID)
	}
	line := "[maildrop] " + user + ": " + plural(len(msgs), "message")
	if len(uids) > 0 {
		line += ": " + strings.Join(uids, " ")
	}
	return line
}

// renderer turns events into transcript lines. side is "" for a lone
// server, "server " or "client " when both machines run.
type renderer struct {
	lastFault string
}

func (r *renderer) render(side string, e machine.Event, showReceived bool) []string {
	var out []string
	st := e.Step
	if st.Fault != "" && st.Fault != r.lastFault {
		out = append(out, "[fault] "+st.Fault)
	}
	r.lastFault = st.Fault
	switch {
	case e.Received:
		if showReceived {
			out = append(out, "["+side+"recv] "+printable(st.Text))
		}
	case e.Sends() && st.ByServer:
		out = append(out, "S: "+st.Text)
	case e.Sends():
		out = append(out, "C: "+st.Text)
	default:
		out = append(out, "["+side+string(st.Kind)+"] "+st.Text)
	}
	switch e.Action {
	case machine.CloseConn:
		out = append(out, "["+side+"action] close")
	case machine.StartTLS:
		out = append(out, "["+side+"action] starttls")
	case machine.Hang:
		out = append(out, "["+side+"action] hang")
	case machine.Wait:
		out = append(out, "["+side+"action] wait "+e.Delay.String())
	}
	if e.Log != "" {
		for _, l := range strings.Split(e.Log, "\n") {
			out = append(out, "[log] "+l)
		}
	}
	return out
}

// printable quotes a line that holds control characters.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

// checkServerEvent holds every server event to the conventions the trace
// and the page rely on.
func checkServerEvent(t *testing.T, where string, e machine.Event) {
	t.Helper()
	st := e.Step
	bad := func(format string, args ...any) { t.Errorf("%s: %s: %+v", where, fmt.Sprintf(format, args...), st) }
	if st.ServerState == "" {
		bad("no ServerState")
	}
	if st.Proto != "pop3" {
		bad("Proto %q", st.Proto)
	}
	switch {
	case e.Received:
		if st.Kind != trace.Command || st.ByServer {
			bad("a received line must be a client Command")
		}
	case st.Kind == trace.Reply:
		if !st.ByServer || st.RFC == "" || !slices.Contains([]string{"+OK", "-ERR", "+"}, st.Status) {
			bad("reply without ByServer, RFC or status")
		}
		if st.Status != "+" && !strings.HasPrefix(st.Text, st.Status) {
			bad("status does not match the text")
		}
		if len(st.Text)+2 > 512 {
			bad("status line longer than 512 octets (RFC 2449 §4)")
		}
	case st.Kind == trace.Data:
		if !st.ByServer || st.RFC == "" {
			bad("data line without ByServer or RFC")
		}
	case st.Kind == trace.State:
		from, to, _ := strings.Cut(stateText(st.Text), " → ")
		if !inTable(serverTable, from, to) || to != st.ServerState {
			bad("state change %s → %s is not in ServerTable", from, to)
		}
	}
}

// checkClientEvent does the same for the client's events.
func checkClientEvent(t *testing.T, profile string, e machine.Event) {
	t.Helper()
	st := e.Step
	if st.ClientState == "" || st.Proto != "pop3" || st.ByServer || e.Received {
		t.Errorf("client event breaks the conventions: %+v", st)
	}
	if st.Kind == trace.Command && st.Verb == "" {
		t.Errorf("client command without Verb: %+v", st)
	}
	if st.Kind == trace.State {
		from, to, _ := strings.Cut(stateText(st.Text), " → ")
		if !inTable(ClientTable(profile), from, to) {
			t.Errorf("client %s: state change %s → %s is not in ClientTable", profile, from, to)
		}
	}
}

func inTable(table []Transition, from, to string) bool {
	for _, tr := range table {
		if tr.From == from && tr.To == to {
			return true
		}
	}
	return false
}

// stateText drops the "server: " or "client: " a state step's text starts with.
func stateText(s string) string {
	s = strings.TrimPrefix(s, "server: ")
	return strings.TrimPrefix(s, "client: ")
}
