package scenario

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	return tr.Dump()
}
