package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"maillab/sim/explain"
	"maillab/sim/scenario"
	"maillab/sim/trace"
)

// runOptions are the flags of `maillab run`.
type runOptions struct {
	explain, states bool
	lang            string // of the explanations
}

// runFlags is run's FlagSet (the help test lists its flags from here).
func runFlags(o *runOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.BoolVar(&o.explain, "explain", false, "explain every reply")
	fs.StringVar(&o.lang, "lang", "", "language of the notes, the explanations and the errors: en or zh (default: the terminal's LANG)")
	fs.BoolVar(&o.states, "states", true, "show state changes")
	return fs
}

// cmdRun prints a scenario's trace: "C: " and "S: " lines in wire order,
// "# " lines for connections, states and notes; with --explain each reply is
// followed by what it means and what the client does next.
func cmdRun(args []string, stdout, stderr io.Writer) int {
	var o runOptions
	fs := runFlags(&o)
	help := cliLang(args)
	setUsage(fs, "run", help, stderr)
	if err := fs.Parse(reorder(args, map[string]bool{"explain": true, "states": true})); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, usageText("run", help))
		return 2
	}
	var err error
	if o.lang, err = outputLang(o.lang); err != nil {
		fmt.Fprintf(stderr, "maillab run: %v\n", err)
		return 2
	}
	name := fs.Arg(0)
	src, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "maillab run: %v\n", err)
		return 1
	}
	spec, err := scenario.Parse(name, src)
	if err != nil {
		var se *scenario.Error
		if errors.As(err, &se) {
			se.Msg = explain.Problem(o.lang, se.Msg)
		}
		fmt.Fprintln(stderr, err)
		return 1
	}
	tr, err := scenario.Run(spec)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	writeTrace(stdout, tr, o.explain, o.states, o.lang)
	return 0
}

// writeTrace prints a trace as `maillab run` does.
func writeTrace(w io.Writer, tr *trace.Trace, withExplain, states bool, lang string) {
	if tr.Title != "" {
		fmt.Fprintf(w, "# %s\n", tr.Title)
	}
	for _, st := range tr.Steps {
		if st.Kind == trace.State && !states {
			continue
		}
		line := st.TranscriptLine()
		if lang != "en" && st.Kind != trace.Command && st.Kind != trace.Data && st.Kind != trace.Reply {
			// "# " lines: the connection header, notes, states… (explain.Note).
			line = "# " + explain.Note(lang, strings.TrimPrefix(line, "# "))
		}
		fmt.Fprintln(w, line)
		if withExplain && st.Kind == trace.Reply && !st.More {
			writeExplanation(w, st, lang)
		}
	}
	if len(tr.Log) > 0 {
		fmt.Fprintln(w, "#")
		fmt.Fprintln(w, "# "+map[string]string{"en": "server log:", "zh": "服务器日志："}[lang])
		for _, l := range tr.Log {
			fmt.Fprintf(w, "#   %s %s %s\n", trace.Stamp(l.At), l.Host, l.Text)
		}
	}
}

// writeExplanation prints one reply's explanation, indented under it.
func writeExplanation(w io.Writer, st trace.Step, lang string) {
	var e explain.Entry
	if st.Proto == "pop3" {
		e = explain.POP3(lang, st.Status, st.RespCode, st.ReplyTo)
	} else {
		e = explain.SMTP(lang, st.Code, st.Enhanced, st.ReplyTo)
	}
	rfc := st.RFC
	if rfc == "" {
		rfc = e.RFC
	}
	labels := map[string][2]string{"en": {"next", "see"}, "zh": {"下一步", "参见"}}[lang]
	fmt.Fprintf(w, "    ↳ %s\n", e.Summary)
	if e.Detail != "" {
		fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(e.Detail, "\n", "\n      "))
	}
	if e.Next != "" {
		fmt.Fprintf(w, "      %s: %s\n", labels[0], e.Next)
	}
	if rfc != "" {
		fmt.Fprintf(w, "      %s: %s\n", labels[1], rfc)
	}
}

// reorder moves flags after positional arguments to the front, so that
// "maillab run file.yaml --explain" works as people type it. bools lists
// the flags that take no value.
func reorder(args []string, bools map[string]bool) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !bools[name] && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}
