package main

import (
	"flag"
	"fmt"
	"os"

	"maillab/lessons"
	"maillab/web"
)

// cmdBuild writes the lab with a course as a static site, so a department
// can put a course online without running anything.
func cmdBuild(args []string) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	dir := fs.String("lessons", "", "the course folder (with en/ and zh/); default: the built-in course")
	out := fs.String("o", "", "the folder to write the site into")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: maillab build [--lessons DIR] -o OUT")
		return 2
	}
	opts := web.Options{Logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
	if *dir != "" {
		course := os.DirFS(*dir)
		// A site with broken lessons helps no one: lint first.
		checked, problems := lessons.Lint(course, ".")
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "%s/%s\n", *dir, p)
		}
		if len(problems) > 0 {
			fmt.Fprintf(os.Stderr, "maillab build: %d problems in %d lessons; fix them first (maillab lint %s)\n", len(problems), len(checked), *dir)
			return 1
		}
		opts.Course = course
	}
	files, err := web.WriteSite(*out, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "maillab build: %v\n", err)
		return 1
	}
	fmt.Printf("maillab: wrote %d files to %s; serve that folder with any static web server\n", len(files), *out)
	return 0
}
