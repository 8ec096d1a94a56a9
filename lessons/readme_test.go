//go:build !js

package lessons

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeExample lints the complete example lesson of README.md, so the
// guide never shows a lesson that fails.
func TestReadmeExample(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "````markdown\n")
	example, _, ok2 := strings.Cut(rest, "\n````\n")
	if !ok || !ok2 {
		t.Fatal("README.md has no ````markdown example")
	}
	l, problems := Parse("en/13-unknown-recipient.md", []byte(example+"\n"))
	for _, p := range problems {
		t.Error(p)
	}
	if len(l.Scenarios) != 1 || len(l.Exercises) != 2 || len(l.Transcripts) != 1 {
		t.Errorf("the example has %d scenarios, %d exercises, %d transcripts; want 1, 2, 1", len(l.Scenarios), len(l.Exercises), len(l.Transcripts))
	}
	c, _ := Load(Builtin)
	for _, r := range l.Requires {
		if c.Lesson("en", r) == nil {
			t.Errorf("the example requires %q, which the built-in course does not have", r)
		}
	}
}
