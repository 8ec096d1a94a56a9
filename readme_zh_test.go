package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// README.zh-CN.md is the Chinese translation of README.md, and the two are
// edited by different people at different times. These tests fail when they
// drift apart: a command changed in one README but not in the other, a
// section added to only one, or a link in the Chinese one to a file that
// is not there. Comments after a command (" # …") are prose and are
// translated, so they are not compared.

// readmeCommandPrefixes start the command lines that must be the same in
// both READMEs. "go run " is among them because README.md types its maillab
// commands as "go run . …".
var readmeCommandPrefixes = []string{"make ", "maillab ", "./bin/maillab ", "go run ", "python3 ", "curl ", "swaks "}

func TestReadmeZhCommands(t *testing.T) {
	en, zh := readmeCommands(t, "README.md"), readmeCommands(t, "README.zh-CN.md")
	if len(en) == 0 {
		t.Fatal("found no commands in README.md: has its format changed?")
	}
	for _, c := range en {
		if !slices.Contains(zh, c) {
			t.Errorf("README.zh-CN.md lacks this command of README.md:\n%s", c)
		}
	}
	for _, c := range zh {
		if !slices.Contains(en, c) {
			t.Errorf("README.md lacks this command of README.zh-CN.md:\n%s", c)
		}
	}
}

func TestReadmeZhHeadings(t *testing.T) {
	en, zh := readmeHeadings(t, "README.md"), readmeHeadings(t, "README.zh-CN.md")
	if len(en) != len(zh) {
		t.Errorf("README.md has %d sections, README.zh-CN.md %d:\n%s\n---\n%s",
			len(en), len(zh), strings.Join(en, "\n"), strings.Join(zh, "\n"))
	}
}

func TestReadmeZhLinks(t *testing.T) {
	lines, _ := readmeParse(t, "README.zh-CN.md")
	if lines[0] != "[English](README.md)" {
		t.Errorf("README.zh-CN.md starts with %q, want the link back: [English](README.md)", lines[0])
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, line := range lines {
		for _, m := range link.FindAllStringSubmatch(line, -1) {
			target, _, _ := strings.Cut(m[1], "#")
			if target == "" || strings.Contains(target, ":") { // #anchor, https:, mailto:
				continue
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("README.zh-CN.md links to %s, which does not exist", m[1])
			}
		}
	}
}

// readmeParse splits file into its prose lines (outside fenced code blocks)
// and its code blocks, each a list of lines.
func readmeParse(t *testing.T, file string) (prose []string, blocks [][]string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	inFence := false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "```"):
			if inFence = !inFence; inFence {
				blocks = append(blocks, nil)
			}
		case inFence:
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], line)
		default:
			prose = append(prose, line)
		}
	}
	return prose, blocks
}

// readmeHeadings returns the "## " headings of file.
func readmeHeadings(t *testing.T, file string) []string {
	prose, _ := readmeParse(t, file)
	var hs []string
	for _, line := range prose {
		if strings.HasPrefix(line, "## ") {
			hs = append(hs, line)
		}
	}
	return hs
}

// readmeCommands returns the command lines in file's code blocks, without
// their comments; a line ending in \ is joined with the lines it continues on.
func readmeCommands(t *testing.T, file string) []string {
	_, blocks := readmeParse(t, file)
	var cmds []string
	for _, block := range blocks {
		continued := false
		for _, line := range block {
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimRight(line, " \t")
			switch {
			case continued:
				cmds[len(cmds)-1] += "\n" + line
			case slices.ContainsFunc(readmeCommandPrefixes, func(p string) bool { return strings.HasPrefix(strings.TrimSpace(line), p) }):
				cmds = append(cmds, line)
			default:
				continue
			}
			continued = strings.HasSuffix(line, `\`)
		}
	}
	return cmds
}
