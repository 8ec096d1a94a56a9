package scenario

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"maillab/sim/trace"
)

var update = flag.Bool("update", false, "rewrite the golden traces")

// TestGoldenScenarios runs every testdata/*.yaml and compares its trace (the
// transcript, the server log and the final maildrops) with the .golden file
// next to it. The same spec must give the same trace byte for byte, so the
// test also runs each scenario twice.
func TestGoldenScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			got := runFile(t, file)
			if again := runFile(t, file); again != got {
				t.Fatal("two runs of the same spec gave different traces")
			}
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("trace differs from %s\n--- got\n%s", golden, got)
			}
		})
	}
}

func runFile(t *testing.T, file string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := Parse(file, src)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	return Golden(tr)
}

// Golden renders everything a trace holds as text, for golden files.
func Golden(tr *trace.Trace) string {
	var b strings.Builder
	b.WriteString(tr.Transcript())
	b.WriteString("-- log --\n")
	for _, l := range tr.Log {
		b.WriteString(trace.Stamp(l.At) + " " + l.Host + " " + l.Text + "\n")
	}
	b.WriteString("-- maildrops --\n")
	for _, m := range tr.Mailboxes {
		b.WriteString(m.Host + " " + m.User + ":\n")
		for _, msg := range m.Messages {
			b.WriteString("  uid " + msg.UID)
			if msg.Removed > 0 {
				b.WriteString(" (removed by step " + strconv.Itoa(msg.Removed) + ": " + tr.Steps[msg.Removed-1].Text + ")")
			}
			b.WriteString("\n    " + strings.ReplaceAll(strings.TrimRight(msg.Raw, "\n"), "\n", "\n    ") + "\n")
		}
	}
	return b.String()
}
