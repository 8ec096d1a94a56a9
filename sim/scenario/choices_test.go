package scenario

import (
	"os"
	"strconv"
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

// ruleFired reports whether rule n (1-based) changed a step of the run.
func ruleFired(tr *trace.Trace, n int) bool {
	for _, st := range tr.Steps {
		if strings.HasPrefix(st.Fault, "fault "+strconv.Itoa(n)+":") {
			return true
		}
	}
	return false
}

func faultFired(tr *trace.Trace) bool {
	for _, st := range tr.Steps {
		if strings.HasPrefix(st.Fault, "fault 2") {
			return true
		}
	}
	return false
}

// A line whose password the live view masked gets choices that name the
// verb (and the AUTH mechanism) only: they fire on the real line, and the
// password is in none of them.
func TestFaultChoicesOnMaskedLines(t *testing.T) {
	for _, file := range []string{"greylisting.yaml", "bounce.yaml"} {
		src, _ := os.ReadFile("testdata/" + file)
		spec, err := Parse(file, src)
		if err != nil {
			t.Fatal(err)
		}
		base, _ := Run(spec)
		masked := trace.MaskSecrets(base.Steps)
		seen := 0
		for i, st := range masked {
			if !st.Masked {
				continue
			}
			choices := FaultChoicesIn(masked, i)
			if st.Text == base.Steps[i].Text {
				t.Fatalf("%s step %d is marked masked but reads as sent: %q", file, i, st.Text)
			}
			if len(choices) == 0 {
				continue // a SASL response on its own: no command to name
			}
			seen++
			for _, ch := range choices {
				if !strings.HasPrefix(strings.ToUpper(base.Steps[i].Text), strings.ToUpper(ch.When)+" ") {
					t.Errorf("%s step %d: when %q does not name the line %q", file, i, ch.When, base.Steps[i].Text)
				}
				if strings.Contains(ch.When, trace.Mask) || strings.Contains(ch.When, "base64(") {
					t.Errorf("%s step %d: when %q is the masked text", file, i, ch.When)
				}
			}
			// The rule is this session's user's only: it fires for them,
			// and the same rule for another user never does.
			ch := choices[0]
			if want := fault.LineUser(base.Steps[i].Text) + userBefore(base.Steps, i); ch.User != want || want == "" {
				t.Errorf("%s step %d %q: choice for user %q, want %q", file, i, base.Steps[i].Text, ch.User, want)
			}
			rules, _ := fault.New(append(ruleList(spec), ch.Rule()))
			tr, _ := RunWith(spec, rules)
			if !ruleFired(tr, len(spec.Faults)+1) {
				t.Errorf("%s step %d %q: choice %q never fired", file, i, ch.When, ch.Then)
			}
			other := ch
			other.User = "carol"
			rules, _ = fault.New(append(ruleList(spec), other.Rule()))
			if tr, _ := RunWith(spec, rules); ruleFired(tr, len(spec.Faults)+1) {
				t.Errorf("%s step %d: a rule for carol fired on %s's line", file, i, ch.User)
			}
		}
		if seen == 0 {
			t.Errorf("%s: no masked command line offered choices", file)
		}
	}
}

// userBefore is the user of the USER command before a PASS line in the
// trace as sent ("" for any other line).
func userBefore(steps []trace.Step, i int) string {
	if !strings.EqualFold(steps[i].Verb, "PASS") {
		return ""
	}
	for j := i - 1; j >= 0; j-- {
		if steps[j].Conn == steps[i].Conn && strings.EqualFold(steps[j].Verb, "USER") {
			return fault.LineUser(steps[j].Text)
		}
	}
	return ""
}
