package scenario

import (
	"os"
	"strings"
	"testing"

	"maillab/sim/fault"
	"maillab/sim/trace"
)

// TestFaultChoicesAreValidAndFire: every choice offered on every line of a
// scenario is a valid rule, and adding it changes the run at that line.
func TestFaultChoicesAreValidAndFire(t *testing.T) {
	src, _ := os.ReadFile("testdata/greylisting.yaml")
	spec, err := Parse("greylisting.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := Run(spec)
	offered := 0
	for i, st := range base.Steps {
		for _, ch := range FaultChoices(st) {
			offered++
			if err := ch.Rule().Validate(); err != nil {
				t.Fatalf("step %d %q: choice %+v is not a valid rule: %v", i, st.Text, ch, err)
			}
			if ch.Then != "drop" && !strings.HasPrefix(ch.Then, "5") && !strings.HasPrefix(ch.Then, "4") {
				continue
			}
			rules, _ := fault.New(append(ruleList(spec), ch.Rule()))
			tr, _ := RunWith(spec, rules)
			if !faultFired(tr) {
				t.Errorf("step %d %q: choice %q at %s never fired", i, st.Text, ch.Then, ch.Server)
			}
		}
	}
	if offered == 0 {
		t.Fatal("no choices offered")
	}
	rcpt := trace.Step{Kind: trace.Command, Proto: "smtp", Verb: "RCPT", Text: "RCPT TO:<bob@example.org>", To: "mx.example.org"}
	got := FaultChoices(rcpt)
	if len(got) == 0 || got[0].Then != "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table" || got[0].Server != "mx.example.org" {
		t.Errorf("RCPT choices start with %+v", got[0])
	}
}

func ruleList(s *Spec) []fault.Rule {
	var out []fault.Rule
	for _, f := range s.Faults {
		out = append(out, f.Rule())
	}
	return out
}

func faultFired(tr *trace.Trace) bool {
	for _, st := range tr.Steps {
		if strings.HasPrefix(st.Fault, "fault 2") {
			return true
		}
	}
	return false
}
