package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"maillab/lessons"
)

// cmdLint checks lesson files and course folders (lessons/README.md says
// what is checked) and prints each problem as file:line:col: message.
func cmdLint(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: maillab lint PATH...   (lesson files, folders of lessons, or a course folder such as lessons/)")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cwd, _ := os.Getwd()
	// Everything is read through one file system rooted at /, so that a
	// lesson's folder (en/, zh/) and the files its links name are seen as
	// they are on disk; names are printed relative to the current folder.
	var paths []string
	for _, a := range args {
		abs, err := filepath.Abs(a)
		if err != nil {
			fmt.Fprintf(os.Stderr, "maillab lint: %v\n", err)
			return 2
		}
		rel := strings.TrimPrefix(filepath.ToSlash(abs), "/")
		if rel == "" {
			rel = "."
		}
		paths = append(paths, rel)
	}
	checked, problems := lessons.Lint(os.DirFS("/"), paths...)
	show := func(name string) string {
		abs := filepath.FromSlash("/" + name)
		if r, err := filepath.Rel(cwd, abs); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return abs
	}
	for _, p := range problems {
		p.File = show(p.File)
		fmt.Println(p)
	}
	files := map[string]bool{}
	for _, p := range problems {
		files[p.File] = true
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "maillab lint: %d %s in %d %s (%d %s checked)\n",
			len(problems), lintPlural(len(problems), "problem"), len(files), lintPlural(len(files), "file"), len(checked), lintPlural(len(checked), "lesson"))
		return 1
	}
	fmt.Printf("maillab lint: %d %s checked, no problems\n", len(checked), lintPlural(len(checked), "lesson"))
	return 0
}

func lintPlural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
