package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"maillab/sim/machine"
	"maillab/sim/pop3"
	"maillab/sim/smtp"
	"maillab/sim/trace"
)

// TestMachinesFollowTheirTables holds every state change of every golden
// scenario against the state tables the page draws, so a diagram can never
// show a machine that does something else.
func TestMachinesFollowTheirTables(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	smtpServer := set(smtp.ServerTable())
	smtpClient := set(smtp.ClientTable())
	pop3Server := map[[2]string]bool{}
	for _, tr := range pop3.ServerTransitions() {
		pop3Server[[2]string{tr.From, tr.To}] = true
	}
	seen := 0
	for _, file := range files {
		src, _ := os.ReadFile(file)
		spec, err := Parse(file, src)
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := Run(spec)
		for _, st := range tr.Steps {
			if st.Kind != trace.State {
				continue
			}
			seen++
			who, fromTo, _ := strings.Cut(st.Text, ": ")
			from, to, _ := strings.Cut(fromTo, " → ")
			switch {
			case st.Proto == "smtp" && who == "server":
				if !smtpServer.has(machine.Transition{From: from, Event: st.Verb, To: to}) {
					t.Errorf("%s: SMTP server %s --%s--> %s is not in smtp.ServerTable", file, from, st.Verb, to)
				}
			case st.Proto == "smtp" && who == "client":
				if !smtpClient.has(machine.Transition{From: from, Event: st.Verb, To: to}) {
					t.Errorf("%s: SMTP client %s --%s--> %s is not in smtp.ClientTable", file, from, st.Verb, to)
				}
			case st.Proto == "pop3" && who == "server":
				if !pop3Server[[2]string{from, to}] {
					t.Errorf("%s: POP3 server %s → %s is not in pop3.ServerTable", file, from, to)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no state changes seen")
	}
}

// set holds a table's rows; a row from machine.AnyState stands for the same
// row from every state, so it is looked up under each state seen.
type tableSet map[machine.Transition]bool

func set(ts []machine.Transition) tableSet {
	m := tableSet{}
	for _, t := range ts {
		m[t] = true
	}
	return m
}

func (s tableSet) has(t machine.Transition) bool {
	if s[t] {
		return true
	}
	t.From = machine.AnyState
	return s[t]
}
