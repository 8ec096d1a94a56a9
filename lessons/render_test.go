package lessons

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark/testutil"
)

var update = flag.Bool("update", false, "rewrite the expected output of the case files (testdata/render, testdata/lint, testdata/traces)")

// TestRender runs goldmark's case files under testdata/render: markdown in,
// HTML out, through the lesson converter (GFM, heading ids, widgets, raw
// HTML shown as text). With -update the expected HTML is rewritten.
func TestRender(t *testing.T) {
	files, _ := filepath.Glob("testdata/render/*.txt")
	if len(files) == 0 {
		t.Fatal("no case files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			if *update {
				rewriteCases(t, file)
			}
			testutil.DoTestCaseFile(markdown(), file, t)
		})
	}
}

const (
	attributeSeparator = "//- - - - - - - - -//"
	caseSeparator      = "//= = = = = = = = = = = = = = = = = = = = = = = =//"
)

// rewriteCases renders each case's markdown and writes it back as the
// case's expected HTML (the format of goldmark's testutil).
func rewriteCases(t *testing.T, file string) {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	const (
		header = iota
		markdownPart
		expectedPart
	)
	state := header
	var md []string
	for sc.Scan() {
		line := sc.Text()
		switch state {
		case header:
			out.WriteString(line + "\n")
			if line == attributeSeparator {
				state, md = markdownPart, nil
			}
		case markdownPart:
			out.WriteString(line + "\n")
			if line == attributeSeparator {
				var html bytes.Buffer
				if err := markdown().Convert([]byte(strings.Join(md, "\n")), &html); err != nil {
					t.Fatal(err)
				}
				out.Write(html.Bytes())
				state = expectedPart
				continue
			}
			md = append(md, line)
		case expectedPart:
			if line == caseSeparator {
				out.WriteString(line + "\n")
				state = header
			}
		}
	}
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
