package scenario

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"maillab/sim/trace"
)

// TestProfileMatrix runs each client profile against each server
// configuration (auth off/optional/required × tls off/optional/required,
// with and without credentials) and writes what happened as a table in
// testdata/matrix.golden: delivered or not, and the reply that decided it.
// A reader checks the table once; after that any change in how a profile
// meets a configuration shows up in review.
func TestProfileMatrix(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %-9s %-9s %-6s %-10s %s\n", "profile", "auth", "tls", "creds", "delivered", "deciding reply")
	for _, profile := range clientProfiles {
		for _, auth := range []string{"off", "optional", "required"} {
			for _, tls := range []string{"off", "optional", "required"} {
				for _, creds := range []bool{false, true} {
					src := fmt.Sprintf(`client: %s
servers:
  mail.example.com: {mydestination: [example.com], users: {alice: secret, bob: secret}, auth: %s, tls: %s}
send:
  - from: alice@example.com
    to: bob@example.com
    subject: Matrix
    body: Hello.
`, profile, auth, tls)
					if creds {
						src += "    auth: {user: alice, password: secret}\n"
					}
					spec, err := Parse("matrix.yaml", []byte(src))
					if err != nil {
						t.Fatal(err)
					}
					tr, err := Run(spec)
					if err != nil {
						t.Fatal(err)
					}
					delivered := len(tr.Mailboxes) > 0
					fmt.Fprintf(&b, "%-12s %-9s %-9s %-6v %-10v %s\n", profile, auth, tls, creds, delivered, deciding(tr))
				}
			}
		}
	}
	got := b.String()
	const golden = "testdata/matrix.golden"
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("the profile × configuration matrix changed:\n%s", got)
	}
}

// deciding is the last failure reply of a run, or the final 250.
func deciding(tr *trace.Trace) string {
	last := ""
	for _, st := range tr.Steps {
		if st.Kind == trace.Reply && !st.More && st.Code >= 400 {
			last = st.Text
		}
	}
	if last != "" {
		return last
	}
	for _, st := range tr.Steps {
		if st.Kind == trace.Reply && st.ReplyTo == "EOD" {
			last = st.Text
		}
	}
	if last != "" {
		return last
	}
	// No failing reply: the client itself gave up; its first note says why.
	for _, st := range tr.Steps {
		if st.Kind == trace.Note && strings.Contains(st.Text, ": ") && st.ClientState != "" {
			return "(" + st.Text + ")"
		}
	}
	return ""
}

// FuzzParseScenario: any input gives a spec or an *Error with a position
// inside the input, never a panic; a spec that parses also runs.
func FuzzParseScenario(f *testing.F) {
	files, _ := os.ReadDir("testdata")
	for _, e := range files {
		if strings.HasSuffix(e.Name(), ".yaml") {
			b, _ := os.ReadFile("testdata/" + e.Name())
			f.Add(b)
		}
	}
	f.Add([]byte("servers: {a: {}}\nfaults: [{when: '*', then: 'delay 1ms'}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		spec, err := Parse("f.yaml", src)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if e.Line < 1 || e.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if len(spec.Send) > 20 {
			return // keep each run small
		}
		for _, m := range spec.Send {
			if len(m.To)+len(m.Cc)+len(m.Bcc) > 200 {
				return
			}
		}
		if _, err := Run(spec); err != nil {
			t.Fatalf("a spec that parses failed to run: %v", err)
		}
	})
}
