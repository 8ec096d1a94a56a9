//go:build !js

package lessons

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"maillab/sim/scenario"
)

// TestBuiltinLintsClean: the course that ships must pass every check.
func TestBuiltinLintsClean(t *testing.T) {
	c, problems := Load(Builtin)
	for _, p := range problems {
		t.Error(p)
	}
	for _, lang := range Langs {
		ls := c.Lang(lang)
		if len(ls) < 12 {
			t.Errorf("%s: %d lessons, want at least 12", lang, len(ls))
		}
		for _, l := range ls {
			if len(l.Scenarios) == 0 || len(l.Exercises) == 0 || len(l.Objectives) == 0 {
				t.Errorf("%s: a lesson needs objectives, a scenario and an exercise (has %d, %d, %d)",
					l.File, len(l.Objectives), len(l.Scenarios), len(l.Exercises))
			}
		}
	}
	for _, lang := range Langs {
		if c.Title[lang] == "" {
			t.Errorf("course.yaml has no %s title", lang)
		}
	}
}

// TestBuiltinTraces keeps every shipped scenario's trace as a golden file
// (testdata/traces/LANG/FILE.ID.golden), so that a change in the engine
// that changes what a lesson shows is seen in review. -update rewrites them.
func TestBuiltinTraces(t *testing.T) {
	c, _ := Load(Builtin)
	seen := map[string]bool{}
	for _, l := range c.Lessons {
		for _, s := range l.Scenarios {
			name := filepath.Join("testdata", "traces", l.Lang, strings.TrimSuffix(path.Base(l.File), ".md")+"."+s.ID+".golden")
			seen[name] = true
			t.Run(l.Lang+"/"+l.ID+"/"+s.ID, func(t *testing.T) {
				tr, err := scenario.Run(s.Spec)
				if err != nil {
					t.Fatal(err)
				}
				got := tr.Dump()
				if *update {
					if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(name)
				if err != nil {
					t.Fatalf("%v (run go test ./lessons -update to create it)", err)
				}
				if string(want) != got {
					t.Errorf("the trace of %s's scenario %s differs from %s (if the change is meant, run go test ./lessons -update and review the diff)\n--- got\n%s", l.File, s.ID, name, got)
				}
			})
		}
	}
	// A golden file whose scenario is gone is stale.
	files, _ := filepath.Glob("testdata/traces/*/*.golden")
	for _, f := range files {
		if !seen[f] {
			if *update {
				os.Remove(f)
				continue
			}
			t.Errorf("%s: no shipped scenario has this trace any more (run go test ./lessons -update)", f)
		}
	}
}
