// Command maillab is a teaching lab for SMTP and POP3: it runs scenarios,
// serves the browser lab, checks lessons, and runs the same protocol
// machines over real TCP.
//
//	maillab run SCENARIO.yaml [--explain] [--lang en|zh]
//	maillab serve [--http ADDR] [--lessons DIR] [--smtp ADDR --pop3 ADDR …]
//	maillab lint PATH...
//	maillab build [--lessons DIR] -o OUT
//	maillab send / fetch   (SMTP and POP3 clients over TCP)
package main

import (
	"fmt"
	"io"
	"os"
)

// commands maps each subcommand to its implementation, which writes to
// the streams it is given and returns the process exit status.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"run":   cmdRun,
	"build": cmdBuild,
	"serve": cmdServe,
	"send":  cmdSend,
	"fetch": cmdFetch,
	"lint":  cmdLint,
}

func main() {
	lang := cliLang(os.Args[1:])
	if len(os.Args) < 2 {
		usage(os.Stderr, lang)
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		if os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
			usage(os.Stderr, lang)
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, cliMsg(lang, "unknown", os.Args[1]))
		usage(os.Stderr, lang)
		os.Exit(2)
	}
	os.Exit(cmd(os.Args[2:], os.Stdout, os.Stderr))
}

// usage is the list of commands, in lang ("en" or "zh").
func usage(w io.Writer, lang string) {
	fmt.Fprint(w, usageText("maillab", lang))
}
