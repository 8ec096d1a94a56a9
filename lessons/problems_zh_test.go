package lessons

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/tools/txtar"

	"maillab/sim/explain"
)

// Every problem the linter writes in the lint cases (testdata/lint) has a
// whole Chinese version: an instructor working in Chinese reads them in
// the page and from maillab lint --lang zh.
func TestProblemsInChinese(t *testing.T) {
	files, _ := filepath.Glob("testdata/lint/*.txtar")
	seen := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name != "want" {
				continue
			}
			// file:line:col: message; a message may go on over the
			// lines that follow (an example in it).
			var msgs []string
			for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
				if m := problemLine.FindStringSubmatch(line); m != nil {
					msgs = append(msgs, m[1])
				} else if len(msgs) > 0 {
					msgs[len(msgs)-1] += "\n" + line
				}
			}
			for _, msg := range msgs {
				seen++
				zh, ok := explain.ProblemZH(msg)
				if !ok || !hasHan(zh) {
					t.Errorf("%s: no whole Chinese for %q (got %q)", filepath.Base(file), msg, explain.Problem("zh", msg))
				}
			}
		}
	}
	if seen < 50 {
		t.Fatalf("only %d problems in the lint cases", seen)
	}
}

var problemLine = regexp.MustCompile(`^\S+:\d+:\d+: (.*)$`)

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
