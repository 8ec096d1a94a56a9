package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"maillab/lessons"
	"maillab/sim/explain"
)

// lintFlags is lint's FlagSet (the help test lists its flags from here).
func lintFlags(lang *string) *flag.FlagSet {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.StringVar(lang, "lang", "", "language of the problems and the summary: en or zh (default: the terminal's LANG)")
	return fs
}

// cmdLint checks lesson files and course folders (lessons/README.md says
// what is checked) and prints each problem as file:line:col: message.
func cmdLint(args []string, stdout, stderr io.Writer) int {
	var langFlag string
	fs := lintFlags(&langFlag)
	lang := cliLang(args)
	setUsage(fs, "lint", lang, stderr)
	// reorder: --lang may come before, between or after the paths.
	if err := fs.Parse(reorder(args, nil)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if _, err := outputLang(langFlag); err != nil {
		fmt.Fprintf(stderr, "maillab lint: %v\n", err)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, usageText("lint", lang))
		return 2
	}
	cwd, _ := os.Getwd()
	// Everything is read through one file system rooted at /, so that a
	// lesson's folder (en/, zh/) and the files its links name are seen as
	// they are on disk; names are printed relative to the current folder.
	var paths []string
	for _, a := range fs.Args() {
		abs, err := filepath.Abs(a)
		if err != nil {
			fmt.Fprintf(stderr, "maillab lint: %v\n", err)
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
		p.Msg = explain.Problem(lang, p.Msg)
		fmt.Fprintln(stdout, p)
	}
	files := map[string]bool{}
	for _, p := range problems {
		files[p.File] = true
	}
	if len(problems) > 0 {
		fmt.Fprintln(stderr, cliMsg(lang, "lintProblems",
			len(problems), lintPlural(len(problems), "problem"), len(files), lintPlural(len(files), "file"), len(checked), lintPlural(len(checked), "lesson")))
		return 1
	}
	fmt.Fprintln(stdout, cliMsg(lang, "lintClean", len(checked), lintPlural(len(checked), "lesson")))
	return 0
}

func lintPlural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
