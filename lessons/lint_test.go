package lessons

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"
)

// TestLint runs the broken courses under testdata/lint, one kind of mistake
// per archive. The archive's files form the course folder; its "want" file
// holds the exact problems, one file:line:col: message per line (empty for
// a course that must lint clean). A comment line "lint: PATH…" lints those
// paths instead of the whole folder. With -update, want is rewritten.
func TestLint(t *testing.T) {
	files, _ := filepath.Glob("testdata/lint/*.txtar")
	if len(files) == 0 {
		t.Fatal("no lint cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			want, wantAt := "", -1
			for i, f := range ar.Files {
				if f.Name == "want" {
					want, wantAt = string(f.Data), i
					continue
				}
				fsys[f.Name] = &fstest.MapFile{Data: f.Data}
			}
			paths := []string{"."}
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				if rest, ok := strings.CutPrefix(line, "lint:"); ok {
					paths = strings.Fields(rest)
				}
			}
			_, problems := Lint(fsys, paths...)
			var b strings.Builder
			for _, p := range problems {
				b.WriteString(p.String() + "\n")
			}
			got := b.String()
			if *update {
				if wantAt < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wantAt = len(ar.Files) - 1
				}
				ar.Files[wantAt].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wantAt < 0 {
				t.Fatal("no want file in the archive")
			}
			if got != want {
				t.Errorf("problems differ\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}
