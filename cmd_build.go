package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"maillab/lessons"
	"maillab/sim/explain"
	"maillab/web"
)

// buildOptions are the flags of `maillab build`.
type buildOptions struct {
	lessons, out string
	lang         string // of what build prints; cliLang reads it from the arguments
}

// buildFlags is build's FlagSet (the help test lists its flags from here).
func buildFlags(o *buildOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.StringVar(&o.lessons, "lessons", "", "the course folder (with en/ and zh/); default: the built-in course")
	fs.StringVar(&o.out, "o", "", "the folder to write the site into")
	fs.StringVar(&o.lang, "lang", "", "language of what build prints: en or zh (default: the terminal's LANG)")
	return fs
}

// cmdBuild writes the lab with a course as a static site, so a department
// can put a course online without running anything.
func cmdBuild(args []string, stdout, stderr io.Writer) int {
	var o buildOptions
	fs := buildFlags(&o)
	lang := cliLang(args)
	setUsage(fs, "build", lang, stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if _, err := outputLang(o.lang); err != nil {
		fmt.Fprintf(stderr, "maillab build: %v\n", err)
		return 2
	}
	if o.out == "" || fs.NArg() != 0 {
		fmt.Fprint(stderr, usageText("build", lang))
		return 2
	}
	opts := web.Options{Logf: func(f string, a ...any) { fmt.Fprintf(stderr, logFormat(lang, f)+"\n", a...) }}
	if o.lessons != "" {
		course := os.DirFS(o.lessons)
		// A site with broken lessons helps no one: lint first.
		checked, problems := lessons.Lint(course, ".")
		for _, p := range problems {
			p.Msg = explain.Problem(lang, p.Msg)
			fmt.Fprintf(stderr, "%s/%s\n", o.lessons, p)
		}
		if len(problems) > 0 {
			fmt.Fprintln(stderr, cliMsg(lang, "buildProblems",
				len(problems), lintPlural(len(problems), "problem"), len(checked), lintPlural(len(checked), "lesson"), o.lessons))
			return 1
		}
		opts.Course = course
	}
	files, err := web.WriteSite(o.out, opts)
	if err != nil {
		fmt.Fprintf(stderr, "maillab build: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, cliMsg(lang, "buildWrote", len(files), o.out))
	return 0
}
