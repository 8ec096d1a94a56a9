package lessons

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary text to the lesson reader (front matter,
// scenario, exercise and transcript blocks, goldmark): an instructor's
// broken file gets problems, never a crash of the page or of lint.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("en/*.md")
	for _, name := range files[:min(len(files), 4)] {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("---\nid: x\n---\n```exercise\nid: e\nstart: scenario\ngoal:\n  delivered: !x\n```\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		l, _ := Parse("fuzz.md", src)
		if l == nil {
			t.Fatal("no lesson")
		}
	})
}
